/** My group changes that lost to another admin's and could not be made again, until dismissed. */
import type { WispClient } from "../client";
import { dismissNotApplied } from "../group-actions";
import type { Group } from "../state/groups";

export function NotApplied({ client, group }: { client: WispClient; group: Group }) {
  if (!group.unapplied?.length) return null;
  return (
    <div class="banner not-applied" role="alert">
      {group.unapplied.map((u) => (
        <p key={u.at}>
          Your change ({EDIT_WORDS[u.edit.kind]}) was not applied: {u.reason}.
        </p>
      ))}
      <button type="button" class="link" onClick={() => dismissNotApplied(client, group.gid)}>
        OK
      </button>
    </div>
  );
}

const EDIT_WORDS = {
  rename: "a new name",
  add: "adding members",
  remove: "removing members",
  promote: "a new admin",
  leave: "leaving",
};
