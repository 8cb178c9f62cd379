/**
 * One signed retrieve: acknowledge `ack`, print what came, send a receipt for each text: read
 * (printing a text shows it; a read receipt says delivered too), or delivered only when the user
 * turned read receipts off.
 */
import {
  type Body,
  decodeBody,
  type Identity,
  isId,
  type Nack,
  open,
  type SignedGroupState,
  type StoredMessage,
  signRetrieve,
  statesAfter,
} from "@wisp/lib";
import { nodeCrypto } from "../crypto/node-crypto";
import {
  type CliState,
  headOf,
  readCliState,
  receiveStates,
  statePathFor,
  updateCliState,
} from "./cli-state";
import type { CliContext } from "./commands";
import { redoLostEdits } from "./group-edits";
import { unwrap } from "./node-error";
import { sendBody, sendReceipt } from "./send";
import { forgetSent, sentTextOf, shownIdOf } from "./sent-texts";

/** Group states a message brought that this poll kept, to be written into the state file. */
interface KeptStates {
  gid: string;
  changes: readonly SignedGroupState[];
}

export interface PollResult {
  /** Ids of every entry answered (messages and NACKs), to acknowledge in the next retrieve. */
  ids: string[];
  more: boolean;
}

export async function pollOnce(
  ctx: CliContext,
  identity: Identity,
  ack: string[],
  wait: number,
  readReceipts = true,
): Promise<PollResult> {
  const request = signRetrieve(identity, ctx.now(), ack, wait);
  const answer = unwrap(await ctx.client.retrieve(request, ctx.signal));
  const receipts = new Map<string, { publicKey: Uint8Array; ids: string[] }>();
  const statePath = statePathFor(ctx.identityPath);
  // A NACK's id is only text from the node: one that is not an id cannot be acknowledged either.
  const nacks = answer.nacks.filter((nack) => isId(nack.id));
  const anything = answer.messages.length > 0 || nacks.length > 0;
  const state = anything ? await readCliState(statePath) : { groups: {} };
  const received: KeptStates[] = [];
  const catchUps: { to: string; gid: string; head: string }[] = [];
  for (const message of answer.messages) {
    const text = showMessage(ctx, identity, message, state, (states) => received.push(states));
    if (!text) continue;
    if (text.head) catchUps.push({ to: text.sender, ...text.head });
    const forSender = receipts.get(text.sender) ?? { publicKey: text.senderPublicKey, ids: [] };
    forSender.ids.push(message.id);
    receipts.set(text.sender, forSender);
  }
  if (received.length > 0) {
    // Into the file as it is now: a send or a group change may have written it since this poll read it.
    const saved = await updateCliState(statePath, (current) => {
      for (const { gid, changes } of received) receiveStates(current, gid, changes, identity.address);
    });
    await redoLostEdits(ctx, identity, statePath, saved);
  }
  await answerStaleHeads(ctx, identity, state, catchUps);
  const nacked = showNacks(ctx, state, nacks);
  // Written into the file as it is now: a send may have added texts since this poll read it.
  if (nacked.length > 0)
    await updateCliState(statePath, (current) => {
      for (const id of nacked) forgetSent(current, id);
    });
  // What poll prints is read: a read receipt, which says delivered too; else a delivery receipt.
  const type = readReceipts ? "read" : "receipt";
  for (const [sender, { publicKey, ids }] of receipts) {
    // A lost receipt only leaves the sender's ticks behind; the message itself is safe with us.
    await sendReceipt(ctx.client, identity, publicKey, type, ids).catch((error: Error) =>
      ctx.err(
        `warning: ${type === "read" ? "read receipt" : "receipt"} to ${sender} failed: ${error.message}`,
      ),
    );
  }
  return { ids: [...answer.messages.map((m) => m.id), ...nacks.map((n) => n.id)], more: answer.more };
}

/**
 * Prints one message; answers its sender when it was a text (which earns a receipt). Opened on
 * node:crypto: the same answers as noble (node/test/crypto/node-open.test.ts), ~8× faster.
 */
function showMessage(
  ctx: CliContext,
  identity: Identity,
  message: StoredMessage,
  state: CliState,
  onStatesKept: (states: KeptStates) => void,
) {
  const { expiresAt, ...envelope } = message;
  const opened = open(identity, envelope, nodeCrypto);
  if (!opened.ok) {
    ctx.err(`warning: dropped message ${message.id}: ${opened.reason}`);
    return null;
  }
  const body = decodeBody(opened.body);
  if (!body || body.type === "unknown") return null;
  if (body.type === "group" && receiveStates(state, body.gid, body.changes, identity.address))
    onStatesKept({ gid: body.gid, changes: body.changes });
  const line = describe(body, opened.sender, message.id, state);
  if (ctx.json) ctx.out(JSON.stringify(body.type === "text" ? { ...line.json, expiresAt } : line.json));
  else ctx.out(line.text);
  if (body.type !== "text") return null;
  const head = body.group && body.head ? { gid: body.group, head: body.head } : undefined;
  return { sender: opened.sender, senderPublicKey: opened.senderPublicKey, head };
}

/**
 * Prints each NACK for a text I sent to its mailbox, once; any other is only acknowledged
 * (docs/protocol.md, "Expiry and NACK"). Answers the ids of the texts it printed NACKs for.
 */
function showNacks(ctx: CliContext, state: CliState, nacks: readonly Nack[]): string[] {
  const shown: string[] = [];
  for (const nack of nacks) {
    const text = sentTextOf(state, nack);
    if (!text) continue;
    forgetSent(state, nack.id);
    shown.push(nack.id);
    const id = text.mid ?? nack.id;
    const expired = new Date(nack.expiredAt).toISOString();
    if (ctx.json)
      ctx.out(
        JSON.stringify({
          kind: "nack",
          id,
          envelope: nack.id,
          to: nack.to,
          recipient: text.to,
          expiredAt: nack.expiredAt,
        }),
      );
    else ctx.out(`NACK ${id}: not delivered to ${text.to}, expired ${expired}`);
  }
  return shown;
}

/** Group texts that named an older head than ours: their senders get the states after it, once per poll. */
async function answerStaleHeads(
  ctx: CliContext,
  identity: Identity,
  state: CliState,
  asks: { to: string; gid: string; head: string }[],
): Promise<void> {
  const done = new Set<string>();
  for (const { to, gid, head } of asks) {
    if (done.has(`${to} ${gid} ${head}`)) continue;
    done.add(`${to} ${gid} ${head}`);
    const mine = headOf(state, gid);
    const missing = mine.head ? statesAfter(mine.head, mine.verified, head) : null;
    if (!missing || missing.length === 0) continue;
    for (let i = 0; i < missing.length; i += CATCH_UP_STATES)
      await sendBody(ctx, identity, [to], {
        type: "group",
        gid,
        changes: missing.slice(i, i + CATCH_UP_STATES),
      }).catch((error: Error) => ctx.err(`warning: group catch-up to ${to} failed: ${error.message}`));
  }
}

/** Signed states per catch-up body: 64 members' state is ~3.2 KB, so 16 stay well under 64 KiB. */
const CATCH_UP_STATES = 16;

/** One printed line per body: JSON for scripts, a short sentence for people. */
function describe(body: Exclude<Body, { type: "unknown" }>, from: string, id: string, state: CliState) {
  const groupName = (gid: string | undefined) => (gid ? (headOf(state, gid).head?.state.name ?? gid) : "");
  switch (body.type) {
    case "text": {
      const { type: _, ...rest } = body;
      const members = body.group ? headOf(state, body.group).head?.state.members : undefined;
      const stranger = body.group !== undefined && !members?.includes(from);
      const where = body.group ? `[${groupName(body.group)}${stranger ? ", not from a member" : ""}] ` : "";
      const quote = body.reply ? `(reply to ${body.reply.id} "${body.reply.snippet}") ` : "";
      const shownId = body.mid ?? id;
      return {
        json: {
          kind: "message",
          id: shownId,
          envelope: id,
          from,
          ...rest,
          ...(stranger ? { member: false } : {}),
        },
        text: `${where}${from} ${new Date(body.sentAt).toISOString()} ${quote}${body.text}`,
      };
    }
    case "receipt":
    case "read": {
      const ids = [...new Set(body.ids.map((envelope) => shownIdOf(state, envelope)))];
      const verb = body.type === "read" ? "read" : "received";
      return {
        json: { kind: body.type, id, from, ids, envelopes: body.ids },
        text: `${from} ${verb} ${ids.join(", ")}`,
      };
    }
    case "profile":
      return {
        json: { kind: "profile", id, from, name: body.name },
        text: `${from} is called "${body.name}"`,
      };
    case "reaction":
      return {
        json: { kind: "reaction", id, from, message: body.id, emoji: body.emoji, group: body.group },
        text: `${from} reacted ${body.emoji || "(removed)"} to ${body.id}`,
      };
    case "delete":
      return {
        json: { kind: "delete", id, from, ids: body.ids, group: body.group },
        text: `${from} deleted ${body.ids.join(", ")} for everyone`,
      };
    case "group": {
      const head = headOf(state, body.gid).head?.state;
      return {
        json: {
          kind: "group",
          id,
          from,
          gid: body.gid,
          name: head?.name,
          version: head?.v,
          members: head?.members,
        },
        text: head
          ? `group ${body.gid} "${head.name}" version ${head.v}: ${head.members.length} members`
          : `group ${body.gid}: a change that waits for earlier ones`,
      };
    }
  }
}
