/**
 * `wisp group add|remove|rename|leave`, and what `poll` does for them afterwards: each change is
 * kept with what it meant, and one whose state lost a fork to another admin's change is made again
 * on top of the winning chain, or reported as not applied (docs/protocol.md, "Concurrent changes").
 */
import {
  changeRecipients,
  type GroupEdit,
  type GroupState,
  groupChain,
  type Identity,
  redoLost,
  type SignState,
  signEdit,
  signGroupState,
  type VerifiedGroupState,
} from "@wisp/lib";
import { UsageError } from "./args";
import { addStates, type CliState, headOf, updateCliState } from "./cli-state";
import type { CliContext } from "./commands";
import { sendBody } from "./send";

const MAX_OWN_EDITS = 8;

/** Makes `edit` on the group's head; the new head, or the old one when there was nothing to change. */
export async function changeGroup(
  ctx: CliContext,
  identity: Identity,
  state: CliState,
  path: string,
  gid: string,
  edit: GroupEdit,
): Promise<GroupState> {
  const { head } = headOf(state, gid);
  if (!head) throw new UsageError(`no group ${gid} here; see wisp group list`);
  const r = signEdit(head, identity.address, edit, signer(identity), ctx.now());
  if (r.kind === "refused") throw new UsageError(`the group refused this change: ${r.reason}`);
  if (r.kind === "done") return head.state;
  const saved = await updateCliState(path, (current) => {
    addStates(current, gid, [r.state.signed]);
    const group = current.groups[gid];
    group.edits = [...(group.edits ?? []), { edit, hash: r.state.hash, tries: 0 }].slice(-MAX_OWN_EDITS);
  });
  await sendChange(ctx, identity, saved, gid, head.state, r.state);
  return r.state.state;
}

/**
 * After a poll brought states (and wrote them: `saved` is the file then): my changes that lost a
 * fork are signed again on the head and sent; those that can no longer apply are printed.
 */
export async function redoLostEdits(
  ctx: CliContext,
  identity: Identity,
  path: string,
  saved: CliState,
): Promise<void> {
  for (const [gid, { edits }] of Object.entries(saved.groups)) {
    if (!edits?.length) continue;
    const found: { redo?: ReturnType<typeof redoLost> } = {};
    // Kept before it is sent: a crash in between makes it again rather than forgetting it.
    const redone = await updateCliState(path, (current) => {
      const group = current.groups[gid];
      if (!group?.edits?.length) return;
      const { verified } = headOf(current, gid);
      const r = redoLost(gid, verified, group.edits, identity.address, signer(identity), ctx.now());
      if (r.edits.length === group.edits.length && r.made.length === 0) return;
      addStates(
        current,
        gid,
        r.made.map((m) => m.state.signed),
      );
      group.edits = r.edits.slice(-MAX_OWN_EDITS);
      found.redo = r;
    });
    if (!found.redo) continue;
    const { made, notApplied } = found.redo;
    for (const m of made)
      await sendChange(ctx, identity, redone, gid, m.after, m.state).catch((error: Error) =>
        ctx.err(`warning: group change to ${gid} failed: ${error.message}`),
      );
    for (const { edit, reason } of notApplied)
      ctx.out(
        ctx.json
          ? JSON.stringify({ kind: "not-applied", gid, edit, reason })
          : `group ${gid}: your change (${edit.kind}) was not applied: ${reason}`,
      );
  }
}

/** New members get the whole chain (they must check it from the first state), the others the new state. */
async function sendChange(
  ctx: CliContext,
  identity: Identity,
  state: CliState,
  gid: string,
  before: GroupState,
  after: VerifiedGroupState,
): Promise<void> {
  const { fresh, old } = changeRecipients(before, after.state, identity.address);
  const { verified } = headOf(state, gid);
  if (fresh.length > 0)
    await sendBody(ctx, identity, fresh, { type: "group", gid, changes: groupChain(after, verified) });
  await sendBody(ctx, identity, old, { type: "group", gid, changes: [after.signed] });
}

function signer(identity: Identity): SignState {
  return (s) => signGroupState(identity, s);
}
