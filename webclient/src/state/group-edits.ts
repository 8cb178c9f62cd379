/**
 * My own group changes (docs/protocol.md, "Concurrent changes"). Each is remembered with what it
 * meant; when states arrive and its state is no longer on the chain to the head (it lost a fork to
 * another admin's change), lib's `redoLost` makes it again on top of the head, or, where it can no
 * longer apply (I was removed, or am no longer an admin), it is kept as not applied for the UI.
 * Pure: the signing function it is given answers signatures made beforehand (group-actions.ts).
 */
import {
  changeRecipients,
  type GroupEdit,
  type GroupState,
  groupChain,
  redoLost,
  type SignedGroupState,
  type SignState,
  signEdit,
  type VerifiedGroupState,
} from "@wisp/lib";
import type { ChatState } from "../state";
import { addGroupStates, type Group } from "./groups";

export const MAX_OWN_EDITS = 8;
export const MAX_UNAPPLIED = 8;

/** A signed change to send: new members get the whole chain, the others only the new state. */
export interface GroupSend {
  gid: string;
  signed: SignedGroupState;
  chain: SignedGroupState[];
  fresh: string[];
  old: string[];
}

/** I change a group: lib's `signEdit` on my head, merged and remembered. Null when it changes nothing. */
export function makeEdit(
  state: ChatState,
  gid: string,
  me: string,
  edit: GroupEdit,
  sign: SignState,
  now: number,
  tries = 0,
): { state: ChatState; send: GroupSend } | null {
  const group = state.groups[gid];
  const head = group && headState(group);
  if (!head) return null;
  const r = signEdit(head, me, edit, sign, now);
  if (r.kind !== "signed") return null;
  const merged = addGroupStates(state, gid, [r.state], me, now);
  const updated = merged.groups[gid];
  if (updated.head !== r.state.hash) return null;
  const edits = [...(updated.edits ?? []), { edit, hash: r.state.hash, tries }].slice(-MAX_OWN_EDITS);
  const send = sendOf(gid, head.state, r.state, updated.log, me);
  return { state: withGroup(merged, { ...updated, edits }), send };
}

/** After states arrived: my edits that lost a fork, made again or moved to `unapplied`. */
export function redoLostEdits(
  state: ChatState,
  gid: string,
  me: string,
  sign: SignState,
  now: number,
): { state: ChatState; sends: GroupSend[] } {
  const group = state.groups[gid];
  if (!group?.edits?.length) return { state, sends: [] };
  const redo = redoLost(gid, group.log, group.edits, me, sign, now);
  if (redo.edits.length === group.edits.length && redo.made.length === 0) return { state, sends: [] };
  const merged = addGroupStates(
    state,
    gid,
    redo.made.map((m) => m.state),
    me,
    now,
  );
  const updated = merged.groups[gid];
  const unapplied = [...(updated.unapplied ?? []), ...redo.notApplied.map((n) => ({ ...n, at: now }))];
  const next = withGroup(merged, {
    ...updated,
    edits: redo.edits.slice(-MAX_OWN_EDITS),
    unapplied: unapplied.slice(-MAX_UNAPPLIED),
  });
  return { state: next, sends: redo.made.map((m) => sendOf(gid, m.after, m.state, updated.log, me)) };
}

/** The user has seen the changes that were not applied. */
export function dismissUnapplied(state: ChatState, gid: string): ChatState {
  const group = state.groups[gid];
  if (!group?.unapplied?.length) return state;
  return withGroup(state, { ...group, unapplied: [] });
}

/** The change from `before` to `after` for everyone in either but me (lib's `changeRecipients`). */
function sendOf(
  gid: string,
  before: GroupState,
  after: VerifiedGroupState,
  log: readonly VerifiedGroupState[],
  me: string,
): GroupSend {
  return {
    gid,
    signed: after.signed,
    chain: groupChain(after, log),
    ...changeRecipients(before, after.state, me),
  };
}

function headState(group: Group): VerifiedGroupState | undefined {
  return group.log.find((v) => v.hash === group.head);
}

function withGroup(state: ChatState, group: Group): ChatState {
  return { ...state, groups: { ...state.groups, [group.gid]: group } };
}
