/**
 * Making and changing groups: each change is a signed state sent, with the chain, to every member,
 * and made again when it loses a fork (state/group-edits.ts).
 */
import {
  createGroup,
  type GroupEdit,
  type GroupState,
  type SignedGroupState,
  signGroupState,
} from "@wisp/lib";
import type { WispClient } from "./client";
import { dismissUnapplied, type GroupSend, makeEdit, redoLostEdits as redoLost } from "./state/group-edits";
import { addGroupStates, type Group } from "./state/groups";

export function newGroup(client: WispClient, name: string, members: string[]): string {
  const { gid, signed } = createGroup(client.identity, name.trim(), members, Date.now());
  void client.apply(addGroupStates(client.state, gid, [signed], client.identity.address, Date.now()));
  client.post(members, { type: "group", gid, changes: [signed] });
  return gid;
}

export function renameGroup(client: WispClient, gid: string, name: string): void {
  change(client, gid, { kind: "rename", name: name.trim() });
}

export function addMembers(client: WispClient, gid: string, added: string[]): void {
  change(client, gid, { kind: "add", members: added });
}

export function removeMember(client: WispClient, gid: string, member: string): void {
  change(client, gid, { kind: "remove", members: [member] });
}

export function makeAdmin(client: WispClient, gid: string, member: string): void {
  change(client, gid, { kind: "promote", members: [member] });
}

export function leaveGroup(client: WispClient, gid: string): void {
  change(client, gid, { kind: "leave" });
}

/**
 * After states arrived: my changes that lost a fork to another admin's are signed again on top of
 * the winning chain and sent; those that can no longer apply show as not applied (GroupInfo).
 */
export function redoLostEdits(client: WispClient): void {
  const me = client.identity.address;
  let state = client.state;
  const sends: GroupSend[] = [];
  for (const gid of Object.keys(state.groups)) {
    const r = redoLost(state, gid, me, signer(client), Date.now());
    state = r.state;
    sends.push(...r.sends);
  }
  if (state === client.state) return;
  void client.apply(state);
  for (const send of sends) post(client, send);
}

export function dismissNotApplied(client: WispClient, gid: string): void {
  void client.apply(dismissUnapplied(client.state, gid));
}

export function isAdmin(client: WispClient, group: Group): boolean {
  return group.admins.includes(client.identity.address);
}

export function isMember(client: WispClient, group: Group): boolean {
  return group.members.includes(client.identity.address);
}

/** Signs the next state and sends it; what it meant is kept in case it loses a fork. */
function change(client: WispClient, gid: string, edit: GroupEdit): void {
  const made = makeEdit(client.state, gid, client.identity.address, edit, signer(client), Date.now());
  if (!made) return;
  void client.apply(made.state);
  post(client, made.send);
}

/** New members get the whole chain (they must check it from the first state), the others the new state. */
function post(client: WispClient, { gid, signed, chain, fresh, old }: GroupSend): void {
  if (fresh.length > 0)
    for (const part of chunks(chain)) client.post(fresh, { type: "group", gid, changes: part });
  if (old.length > 0) client.post(old, { type: "group", gid, changes: [signed] });
}

function signer(client: WispClient) {
  return (state: GroupState) => signGroupState(client.identity, state);
}

/** Parts of the chain that each fit an envelope (64 KiB) with room to spare. */
export function chunks(chain: SignedGroupState[]): SignedGroupState[][] {
  const out: SignedGroupState[][] = [[]];
  let size = 0;
  for (const s of chain) {
    const cost = s.state.length + s.sig.length + 32;
    if (size + cost > 40_000 && out[out.length - 1].length > 0) {
      out.push([]);
      size = 0;
    }
    out[out.length - 1].push(s);
    size += cost;
  }
  return out;
}
