/**
 * What a group change meant, kept by the client that signed it so the change survives a fork it
 * loses (docs/protocol.md, "Concurrent changes"): two admins who change a group at once sign two
 * successors of the same state, and the lower hash wins (`groupHead`). The losing admin's client
 * applies the same edit again on top of the winning chain, or says it no longer can.
 */
import { type GroupChange, type GroupState, MAX_GROUP_MEMBERS, type VerifiedGroupState } from "./group";

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
  if (!head.members.includes(me)) return refused("you are no longer a member");
  if (!head.admins.includes(me)) return refused("you are no longer an admin");
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
      if (!edit.members.every((m) => head.members.includes(m))) return refused("they are no longer a member");
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

function change(c: GroupChange): EditOutcome {
  return { kind: "change", change: c };
}

function refused(reason: string): EditOutcome {
  return { kind: "refused", reason };
}
