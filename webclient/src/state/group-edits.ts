/**
 * My own group changes (docs/protocol.md, "Concurrent changes"). Each is remembered with what it
 * meant; when states arrive and its state is no longer on the chain to the head (it lost a fork to
 * another admin's change), it is made again on top of the head, or, where it can no longer apply
 * (I was removed, or am no longer an admin), kept as not applied for the UI. Pure but for the
 * signing function it is given.
 */
import {
  editOnto,
  type GroupEdit,
  type GroupState,
  groupChain,
  onChain,
  type SignedGroupState,
  type VerifiedGroupState,
} from "@wisp/lib";
import type { ChatState } from "../state";
import {
  addGroupStates,
  changeRecipients,
  type Group,
  nextGroupState,
  type OwnEdit,
  type UnappliedEdit,
} from "./groups";

export const MAX_OWN_EDITS = 8;
/** A change that keeps losing forks (admins racing) gives up and says so. */
export const MAX_EDIT_TRIES = 8;
export const MAX_UNAPPLIED = 8;

export type Sign = (state: GroupState) => SignedGroupState;

/** A signed change to send: new members get the whole chain, the others only the new state. */
export interface GroupSend {
  gid: string;
  signed: SignedGroupState;
  chain: SignedGroupState[];
  fresh: string[];
  old: string[];
}

/**
 * I change a group: lib's `editOnto` on my head, signed, merged, and remembered. Null when it
 * changes nothing, or I may not make it.
 */
export function makeEdit(
  state: ChatState,
  gid: string,
  me: string,
  edit: GroupEdit,
  sign: Sign,
  now: number,
  tries = 0,
): { state: ChatState; send: GroupSend } | null {
  const group = state.groups[gid];
  const head = group && headState(group);
  if (!head) return null;
  const outcome = editOnto(head.state, me, edit);
  if (outcome.kind !== "change") return null;
  const next = nextGroupState(group, me, outcome.change, now);
  const signed = sign(next);
  const merged = addGroupStates(state, gid, [signed], me, now);
  const updated = merged.groups[gid];
  const newHead = updated && headState(updated);
  if (!newHead || newHead.hash === head.hash) return null;
  const edits = [...(updated.edits ?? []), { edit, hash: newHead.hash, tries }].slice(-MAX_OWN_EDITS);
  const recipients = changeRecipients(group, next, me);
  const send: GroupSend = {
    gid,
    signed,
    chain: groupChain(newHead, updated.log),
    fresh: recipients.filter((m) => !group.members.includes(m)),
    old: recipients.filter((m) => group.members.includes(m)),
  };
  return { state: withGroup(merged, { ...updated, edits }), send };
}

/**
 * After states arrived: each of my edits whose state lost a fork is made again on top of the head
 * (the same edit, a new state), dropped when the head already says what it wanted, or moved to
 * `unapplied` with the reason when it can no longer apply.
 */
export function redoLostEdits(
  state: ChatState,
  gid: string,
  me: string,
  sign: Sign,
  now: number,
): { state: ChatState; sends: GroupSend[] } {
  const group = state.groups[gid];
  const head = group && headState(group);
  if (!head || !group.edits?.length) return { state, sends: [] };
  const lost = group.edits.filter((e) => !onChain(head, group.log, e.hash));
  if (lost.length === 0) return { state, sends: [] };
  let next = withGroup(state, { ...group, edits: group.edits.filter((e) => !lost.includes(e)) });
  const sends: GroupSend[] = [];
  for (const own of lost) {
    const current = next.groups[gid];
    const outcome = editOnto(headState(current)?.state ?? head.state, me, own.edit);
    if (outcome.kind === "done") continue;
    if (outcome.kind === "refused") {
      next = markUnapplied(next, gid, own, outcome.reason, now);
      continue;
    }
    const made =
      own.tries < MAX_EDIT_TRIES ? makeEdit(next, gid, me, own.edit, sign, now, own.tries + 1) : null;
    if (!made) {
      next = markUnapplied(next, gid, own, "other admins' changes kept winning over it", now);
      continue;
    }
    next = made.state;
    sends.push(made.send);
  }
  return { state: next, sends };
}

/** The user has seen the changes that were not applied. */
export function dismissUnapplied(state: ChatState, gid: string): ChatState {
  const group = state.groups[gid];
  if (!group?.unapplied?.length) return state;
  return withGroup(state, { ...group, unapplied: [] });
}

function markUnapplied(state: ChatState, gid: string, own: OwnEdit, reason: string, at: number): ChatState {
  const group = state.groups[gid];
  const entry: UnappliedEdit = { edit: own.edit, reason, at };
  return withGroup(state, { ...group, unapplied: [...(group.unapplied ?? []), entry].slice(-MAX_UNAPPLIED) });
}

function headState(group: Group): VerifiedGroupState | undefined {
  return group.log.find((v) => v.hash === group.head);
}

function withGroup(state: ChatState, group: Group): ChatState {
  return { ...state, groups: { ...state.groups, [group.gid]: group } };
}
