/** Making and changing groups: each change is a signed state sent, with the chain, to every member. */
import { createGroup, type GroupState, groupChain, type SignedGroupState, signGroupState } from "@wisp/lib";
import type { WispClient } from "./client";
import { addGroupStates, changeRecipients, type Group, nextGroupState } from "./state/groups";

export function newGroup(client: WispClient, name: string, members: string[]): string {
  const { gid, signed } = createGroup(client.identity, name.trim(), members, Date.now());
  void client.apply(addGroupStates(client.state, gid, [signed], client.identity.address, Date.now()));
  client.post(members, { type: "group", gid, changes: [signed] });
  return gid;
}

export function renameGroup(client: WispClient, gid: string, name: string): void {
  change(client, gid, { name: name.trim() });
}

export function addMembers(client: WispClient, gid: string, added: string[]): void {
  const group = client.state.groups[gid];
  if (!group) return;
  change(client, gid, { members: [...group.members, ...added.filter((a) => !group.members.includes(a))] });
}

export function removeMember(client: WispClient, gid: string, member: string): void {
  const group = client.state.groups[gid];
  if (!group) return;
  change(client, gid, { members: group.members.filter((m) => m !== member) });
}

export function makeAdmin(client: WispClient, gid: string, member: string): void {
  const group = client.state.groups[gid];
  if (!group || group.admins.includes(member)) return;
  change(client, gid, { admins: [...group.admins, member] });
}

export function leaveGroup(client: WispClient, gid: string): void {
  const group = client.state.groups[gid];
  if (!group) return;
  change(client, gid, { members: group.members.filter((m) => m !== client.identity.address) });
}

export function isAdmin(client: WispClient, group: Group): boolean {
  return group.admins.includes(client.identity.address);
}

export function isMember(client: WispClient, group: Group): boolean {
  return group.members.includes(client.identity.address);
}

/**
 * Signs the next state and sends it: new members get the whole chain (they must check it from the
 * first state), the others only the new state.
 */
function change(
  client: WispClient,
  gid: string,
  diff: Partial<Pick<GroupState, "name" | "members" | "admins">>,
): void {
  const me = client.identity.address;
  const group = client.state.groups[gid];
  if (!group?.members.includes(me)) return;
  const next = nextGroupState(group, me, diff, Date.now());
  const signed: SignedGroupState = signGroupState(client.identity, next);
  const state = addGroupStates(client.state, gid, [signed], me, Date.now());
  const updated = state.groups[gid];
  if (!updated || updated.head === group.head) return;
  void client.apply(state);
  const headState = updated.log.find((v) => v.hash === updated.head);
  const chain = headState ? groupChain(headState, updated.log) : [signed];
  const recipients = changeRecipients(group, next, me);
  const fresh = recipients.filter((m) => !group.members.includes(m));
  const old = recipients.filter((m) => group.members.includes(m));
  if (fresh.length > 0)
    for (const part of chunks(chain)) client.post(fresh, { type: "group", gid, changes: part });
  if (old.length > 0) client.post(old, { type: "group", gid, changes: [signed] });
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
