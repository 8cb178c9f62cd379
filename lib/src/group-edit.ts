/**
 * What a group change meant, kept by the client that signed it so the change survives a fork it
 * loses (docs/protocol.md, "Concurrent changes"): two admins who change a group at once sign two
 * successors of the same state, and the lower hash wins (`groupHead`). The losing admin's client
 * applies the same edit again on top of the winning chain, or says it no longer can.
 */
import {
  type GroupChange,
  type GroupState,
  groupHead,
  MAX_GROUP_MEMBERS,
  nextGroupState,
  ownGroupState,
  type SignedGroupState,
  transitionProblem,
  type VerifiedGroupState,
} from "./group";

export type GroupEdit =
  | { kind: "rename"; name: string }
  | { kind: "add"; members: string[] }
  | { kind: "remove"; members: string[] }
  | { kind: "promote"; members: string[] }
  | { kind: "leave" };

/** What `edit` by `me` does on top of `head`: a change to sign, nothing (already so), or refused. */
export type EditOutcome =
  | { kind: "change"; change: GroupChange }
  | { kind: "done" }
  | { kind: "refused"; reason: string };

const DONE: EditOutcome = { kind: "done" };

export function editOnto(head: GroupState, me: string, edit: GroupEdit): EditOutcome {
  if (edit.kind === "leave")
    return head.members.includes(me) ? change({ members: head.members.filter((m) => m !== me) }) : DONE;
  if (!head.members.includes(me)) return refused("you are not a member");
  if (!head.admins.includes(me)) return refused("you are not an admin");
  switch (edit.kind) {
    case "rename":
      return head.name === edit.name ? DONE : change({ name: edit.name });
    case "add": {
      const fresh = [...new Set(edit.members)].filter((m) => !head.members.includes(m));
      if (fresh.length === 0) return DONE;
      if (head.members.length + fresh.length > MAX_GROUP_MEMBERS)
        return refused(`the group would have more than ${MAX_GROUP_MEMBERS} members`);
      return change({ members: [...head.members, ...fresh] });
    }
    case "remove": {
      if (!edit.members.some((m) => head.members.includes(m))) return DONE;
      return change({ members: head.members.filter((m) => !edit.members.includes(m)) });
    }
    case "promote": {
      if (!edit.members.every((m) => head.members.includes(m))) return refused("they are not a member");
      const fresh = edit.members.filter((m) => !head.admins.includes(m));
      return fresh.length === 0 ? DONE : change({ admins: [...head.admins, ...fresh] });
    }
  }
}

/** Whether the state `hash` is on the chain from the first state to `head`. */
export function onChain(
  head: VerifiedGroupState,
  known: readonly VerifiedGroupState[],
  hash: string,
): boolean {
  const byHash = new Map(known.map((v) => [v.hash, v]));
  let at: VerifiedGroupState | undefined = head;
  for (let i = 0; at && i <= byHash.size; i++) {
    if (at.hash === hash) return true;
    at = byHash.get(at.state.prev);
  }
  return false;
}

/** Who gets a change from `before` to `after`: members who were not in `before` need the whole chain. */
export function changeRecipients(
  before: GroupState,
  after: GroupState,
  me: string,
): { fresh: string[]; old: string[] } {
  const everyone = [...new Set([...before.members, ...after.members])].filter((m) => m !== me);
  return {
    fresh: everyone.filter((m) => !before.members.includes(m)),
    old: everyone.filter((m) => before.members.includes(m)),
  };
}

/** A change I signed, with what it meant, so it can be made again if its state loses a fork. */
export interface OwnEdit {
  edit: GroupEdit;
  hash: string;
  /** How many times it was made again already. */
  tries: number;
}

/** A change that keeps losing forks (admins racing) gives up and says so. */
export const MAX_EDIT_TRIES = 8;

/**
 * My signature on a state. Its answer is taken as verified (`ownGroupState`: I signed it), so the
 * web app, whose Ed25519 is asynchronous, can hand in signatures made beforehand (group-actions.ts).
 */
export type SignState = (state: GroupState) => SignedGroupState;

/** `me` makes `edit` on `head`: the signed next state, or why not. */
export function signEdit(
  head: VerifiedGroupState,
  me: string,
  edit: GroupEdit,
  sign: SignState,
  at: number,
): { kind: "signed"; state: VerifiedGroupState } | { kind: "done" } | { kind: "refused"; reason: string } {
  const outcome = editOnto(head.state, me, edit);
  if (outcome.kind !== "change") return outcome;
  const state = ownGroupState(sign(nextGroupState(head, me, outcome.change, at)));
  if (!state || transitionProblem(head, state.state))
    return { kind: "refused", reason: "the group refused it" };
  return { kind: "signed", state };
}

export interface Redo {
  /** States made again, oldest first, each with the state it follows. */
  made: { state: VerifiedGroupState; after: GroupState }[];
  /** My edits to keep watching: those still on the chain, and those just made again. */
  edits: OwnEdit[];
  notApplied: { edit: GroupEdit; reason: string }[];
}

/**
 * My edits whose state is off the chain to the head (it lost a fork): each made again on top of
 * the head, dropped when the head already says what it wanted, or not applied, with the reason.
 */
export function redoLost(
  gid: string,
  known: readonly VerifiedGroupState[],
  edits: readonly OwnEdit[],
  me: string,
  sign: SignState,
  at: number,
): Redo {
  let head = groupHead(gid, known);
  const lost = head ? edits.filter((e) => !onChain(head as VerifiedGroupState, known, e.hash)) : [];
  const redo: Redo = { made: [], edits: edits.filter((e) => !lost.includes(e)), notApplied: [] };
  for (const own of lost) {
    if (!head) break;
    const r = signEdit(head, me, own.edit, sign, at);
    if (r.kind === "done") continue;
    if (r.kind === "refused" || own.tries >= MAX_EDIT_TRIES) {
      const reason = r.kind === "refused" ? r.reason : "other admins' changes kept winning";
      redo.notApplied.push({ edit: own.edit, reason });
      continue;
    }
    redo.made.push({ state: r.state, after: head.state });
    redo.edits.push({ edit: own.edit, hash: r.state.hash, tries: own.tries + 1 });
    head = r.state;
  }
  return redo;
}

function change(c: GroupChange): EditOutcome {
  return { kind: "change", change: c };
}

function refused(reason: string): EditOutcome {
  return { kind: "refused", reason };
}
