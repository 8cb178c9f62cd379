/** `wisp group …`, `wisp name`, `wisp react`, `wisp delete`: the conversation commands of bin/wisp. */
import { randomBytes } from "node:crypto";
import {
  type Body,
  createGroup,
  type GroupEdit,
  type Identity,
  isId,
  parseSharedAddress,
  type ReplyRef,
  toB64u,
} from "@wisp/lib";
import { UsageError } from "./args";
import {
  addStates,
  type CliState,
  headOf,
  mergeProfileSentAt,
  readCliState,
  statePathFor,
  updateCliState,
} from "./cli-state";
import type { CliContext } from "./commands";
import { changeGroup } from "./group-edits";
import { readIdentityFile } from "./identity-file";
import { sendProfileDue } from "./profile";
import { sendBody } from "./send";
import { type SentTextEnvelope, saveSend } from "./sent-texts";

function parseMember(text: string): string {
  const parsed = parseSharedAddress(text);
  if (!parsed.ok) throw new UsageError(`ADDRESS ${text}: ${parsed.error}`);
  return toB64u(parsed.publicKey);
}

export async function load(ctx: CliContext) {
  const identity = await readIdentityFile(ctx.identityPath);
  const path = statePathFor(ctx.identityPath);
  return { identity, path, state: await readCliState(path) };
}

function requireHead(state: CliState, gid: string) {
  const { head, verified } = headOf(state, gid);
  if (!head) throw new UsageError(`no group ${gid} here; see wisp group list`);
  return { head, verified };
}

export async function groupCommand(ctx: CliContext, args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { identity, path, state } = await load(ctx);
  const me = identity.address;
  const print = (json: unknown, text: string) => ctx.out(ctx.json ? JSON.stringify(json) : text);
  switch (sub) {
    case "create": {
      const [name, ...members] = rest;
      if (!name?.trim() || members.length === 0) throw new UsageError("group create expects NAME ADDRESS…");
      const { gid, signed } = createGroup(identity, name.trim(), members.map(parseMember), ctx.now());
      await updateCliState(path, (current) => addStates(current, gid, [signed]));
      await sendBody(ctx, identity, members.map(parseMember), { type: "group", gid, changes: [signed] });
      return print({ gid, name: name.trim() }, gid);
    }
    case "list": {
      for (const gid of Object.keys(state.groups)) {
        const { head } = headOf(state, gid);
        if (!head) continue;
        const s = head.state;
        print(
          { gid, name: s.name, version: s.v, members: s.members, admins: s.admins },
          `${gid} ${s.name} (${s.members.length} members)`,
        );
      }
      return;
    }
    case "show": {
      const { head } = requireHead(state, rest[0] ?? "");
      const s = head.state;
      if (ctx.json) return print({ gid: rest[0], ...s }, "");
      ctx.out(`${s.name} (version ${s.v})`);
      for (const m of s.members)
        ctx.out(`  ${m}${s.admins.includes(m) ? " admin" : ""}${m === me ? " (you)" : ""}`);
      return;
    }
    case "send": {
      const { members, sent } = await sendToGroup(
        ctx,
        identity,
        state,
        rest[0] ?? "",
        rest[1] ?? "",
        undefined,
      );
      await sendProfileDue(ctx, identity, state, members);
      await saveSend(path, state, sent, ctx.now());
      return;
    }
    case "add":
    case "remove":
    case "admin":
    case "rename":
    case "leave": {
      const [gid = "", ...targets] = rest;
      if (sub !== "leave" && targets.length === 0) throw new UsageError(`group ${sub} expects GID and more`);
      const edit: GroupEdit =
        sub === "add" || sub === "remove"
          ? { kind: sub, members: targets.map(parseMember) }
          : sub === "admin"
            ? { kind: "promote", members: targets.map(parseMember) }
            : sub === "rename"
              ? { kind: "rename", name: targets.join(" ").trim() }
              : { kind: "leave" };
      const next = await changeGroup(ctx, identity, state, path, gid, edit);
      return print(
        { gid, version: next.v, name: next.name, members: next.members },
        `${gid} version ${next.v}`,
      );
    }
    default:
      throw new UsageError("group expects create, list, show, send, add, remove, admin, rename or leave");
  }
}

export async function sendToGroup(
  ctx: CliContext,
  identity: Identity,
  state: CliState,
  gid: string,
  text: string,
  reply: ReplyRef | undefined,
): Promise<{ members: readonly string[]; sent: SentTextEnvelope[] }> {
  if (!text.trim()) throw new UsageError("TEXT is empty; an empty message would show as an empty bubble");
  const { head } = requireHead(state, gid);
  if (!head.state.members.includes(identity.address)) throw new UsageError(`you are not a member of ${gid}`);
  const mid = toB64u(randomBytes(16));
  const body: Body = {
    type: "text",
    text,
    sentAt: ctx.now(),
    group: gid,
    mid,
    head: head.hash,
    ...(reply ? { reply } : {}),
  };
  const sent = await sendBody(ctx, identity, head.state.members, body);
  ctx.out(ctx.json ? JSON.stringify({ id: mid, group: gid }) : mid);
  return { members: head.state.members, sent: sent.map((envelope) => ({ ...envelope, mid })) };
}

/** A group id names a group here; anything else is an address. */
export async function targetsOf(ctx: CliContext, target: string): Promise<{ to: string[]; group?: string }> {
  if (isId(target)) {
    const { identity, state } = await load(ctx);
    const { head } = requireHead(state, target);
    return { to: head.state.members.filter((m) => m !== identity.address), group: target };
  }
  return { to: [parseMember(target)] };
}

export async function react(ctx: CliContext, [target, id, emoji]: string[]): Promise<void> {
  if (!target || !isId(id) || emoji === undefined)
    throw new UsageError('react expects ADDRESS|GID ID EMOJI ("" removes)');
  const identity = await readIdentityFile(ctx.identityPath);
  const { to, group } = await targetsOf(ctx, target);
  await sendBody(ctx, identity, to, {
    type: "reaction",
    id,
    emoji,
    sentAt: ctx.now(),
    ...(group ? { group } : {}),
  });
}

export async function deleteForEveryone(ctx: CliContext, [target, ...ids]: string[]): Promise<void> {
  if (!target || ids.length === 0 || !ids.every(isId)) throw new UsageError("delete expects ADDRESS|GID ID…");
  const identity = await readIdentityFile(ctx.identityPath);
  const { to, group } = await targetsOf(ctx, target);
  await sendBody(ctx, identity, to, { type: "delete", ids, sentAt: ctx.now(), ...(group ? { group } : {}) });
}

/** `wisp name NAME [ADDRESS…]`: my display name, sent to those addresses, every group member and whoever has my old one. */
export async function setName(ctx: CliContext, [name, ...addresses]: string[]): Promise<void> {
  if (!name?.trim() || name.trim().length > 64)
    throw new UsageError("name expects NAME (1 to 64 characters) [ADDRESS…]");
  const { identity, path, state } = await load(ctx);
  state.profile = { name: name.trim(), updatedAt: ctx.now() };
  // Everyone who had an older version, every group member, and those named here.
  const to = new Set([...addresses.map(parseMember), ...Object.keys(state.profileSentAt ?? {})]);
  for (const gid of Object.keys(state.groups))
    for (const m of headOf(state, gid).head?.state.members ?? []) to.add(m);
  await sendProfileDue(ctx, identity, state, [...to]);
  await updateCliState(path, (current) => {
    current.profile = state.profile;
    mergeProfileSentAt(current, state);
  });
}
