/**
 * Groups in the chat model: each group's signed states (lib/src/group.ts decides the head), its
 * messages under the group id, and texts from people who are not members yet kept aside until a
 * state makes them members. Pure functions, like state.ts.
 */
import {
  type GroupEdit,
  groupHead,
  type OwnEdit,
  type SignedGroupState,
  statesAfter,
  type TextBody,
  type VerifiedGroupState,
} from "@wisp/lib";
import { type ChatState, hasMessage, insertMessage, type Message, sortTime } from "../state";

export interface PendingGroupText {
  from: string;
  envelopeId: string;
  body: TextBody;
  receivedAt: number;
}

export interface Group {
  gid: string;
  name: string;
  members: string[];
  admins: string[];
  version: number;
  /** Hash of the head state; "" while no valid first state is known (texts only, kept aside). */
  head: string;
  /** A head has named me a member: the group is shown (also after I leave or am removed). */
  joined: boolean;
  log: VerifiedGroupState[];
  createdAt: number;
  unread: number;
  pending: PendingGroupText[];
  /** My own changes not yet known to be safe on the winning chain (state/group-edits.ts). */
  edits?: OwnEdit[];
  /** My changes that lost a fork and could not be made again: shown until dismissed. */
  unapplied?: UnappliedEdit[];
}

export interface UnappliedEdit {
  edit: GroupEdit;
  reason: string;
  at: number;
}

/** Caps on what a stranger can make us hold. */
export const MAX_LOG_STATES = 256;
export const MAX_PENDING_TEXTS = 32;
export const MAX_UNKNOWN_GROUPS = 8;

export function isGroup(state: ChatState, chat: string): boolean {
  return chat in state.groups;
}

/** The groups I am shown: a head named me a member once. */
export function knownGroups(state: ChatState): Group[] {
  return Object.values(state.groups).filter((g) => g.joined);
}

/**
 * States arrived, their signatures checked (arrivals.ts, on WebCrypto), or I made one: merged into
 * the log without duplicates, the head recomputed, and waiting texts of new members shown. A group
 * I am not a member of is not created from states alone.
 */
export function addGroupStates(
  state: ChatState,
  gid: string,
  verified: readonly VerifiedGroupState[],
  me: string,
  now: number,
  openChat: string | null = null,
): ChatState {
  const existing = state.groups[gid];
  const known = new Set(existing?.log.map((v) => v.hash));
  const added: VerifiedGroupState[] = [];
  for (const v of verified) {
    if (known.has(v.hash)) continue;
    known.add(v.hash);
    added.push(v);
  }
  if (added.length === 0) return state;
  const log = [...(existing?.log ?? []), ...added].slice(0, MAX_LOG_STATES);
  const head = groupHead(gid, log);
  const named = head?.state.members.includes(me) ?? false;
  // A chain too long for one envelope comes in parts: the first parts may not name me yet.
  if (!existing && !named && unknownGroups(state) >= MAX_UNKNOWN_GROUPS) return state;
  const base: Group = existing ?? emptyGroup(gid, now);
  const joined = base.joined || named;
  const group: Group = head ? { ...base, log, joined, ...fromHead(head) } : { ...base, log };
  return releasePending({ ...state, groups: { ...state.groups, [gid]: group } }, gid, openChat);
}

/**
 * A group text. From a member of the head: a message under the group id (once per `mid`). From
 * anyone else, or for a group not known yet: kept aside, capped, until a state makes them a member.
 */
export function receiveGroupText(
  state: ChatState,
  from: string,
  body: TextBody,
  envelopeId: string,
  receivedAt: number,
  openChat: string | null,
): { state: ChatState; isNew: boolean } {
  const gid = body.group;
  const mid = body.mid;
  if (!gid || !mid || hasMessage(state, mid)) return { state, isNew: false };
  const group = state.groups[gid];
  if (group?.members.includes(from)) {
    const message: Message = {
      id: mid,
      peer: gid,
      out: false,
      author: from,
      envelopeId,
      text: body.text,
      sentAt: body.sentAt,
      at: sortTime(body.sentAt, receivedAt),
      ...(body.reply ? { reply: body.reply } : {}),
    };
    let next = insertMessage(state, message);
    if (openChat !== gid) {
      const g = next.groups[gid];
      next = { ...next, groups: { ...next.groups, [gid]: { ...g, unread: g.unread + 1 } } };
    }
    return { state: next, isNew: true };
  }
  if (!group && unknownGroups(state) >= MAX_UNKNOWN_GROUPS) return { state, isNew: false };
  const base = group ?? emptyGroup(gid, receivedAt);
  if (base.pending.some((p) => p.body.mid === mid)) return { state, isNew: false };
  const pending = [...base.pending, { from, envelopeId, body, receivedAt }].slice(-MAX_PENDING_TEXTS);
  return { state: { ...state, groups: { ...state.groups, [gid]: { ...base, pending } } }, isNew: false };
}

/** The states someone whose head is `theirs` lacks (they sent a text with it); null if I cannot tell. */
export function catchUp(state: ChatState, gid: string, theirs: string): SignedGroupState[] | null {
  const group = state.groups[gid];
  const head = group?.log.find((v) => v.hash === group.head);
  return head ? statesAfter(head, group.log, theirs) : null;
}

function releasePending(state: ChatState, gid: string, openChat: string | null): ChatState {
  const group = state.groups[gid];
  if (!group || group.pending.length === 0 || !group.joined) return state;
  const ready = group.pending.filter((p) => group.members.includes(p.from));
  if (ready.length === 0) return state;
  const pending = group.pending.filter((p) => !group.members.includes(p.from));
  let next: ChatState = { ...state, groups: { ...state.groups, [gid]: { ...group, pending } } };
  for (const p of ready)
    next = receiveGroupText(next, p.from, p.body, p.envelopeId, p.receivedAt, openChat).state;
  return next;
}

function unknownGroups(state: ChatState): number {
  return Object.values(state.groups).filter((g) => !g.joined).length;
}

function fromHead(head: VerifiedGroupState) {
  const { name, members, admins, v } = head.state;
  return { name, members, admins, version: v, head: head.hash };
}

function emptyGroup(gid: string, now: number): Group {
  return {
    gid,
    name: "",
    members: [],
    admins: [],
    version: 0,
    head: "",
    joined: false,
    log: [],
    createdAt: now,
    unread: 0,
    pending: [],
  };
}
