/** A group's info: its name, members and admins; admins rename, add and remove; anyone leaves. */
import { parseSharedAddress, toB64u } from "@wisp/lib";
import { useState } from "preact/hooks";
import type { WispClient } from "../client";
import { shortAddress } from "../format";
import {
  addMembers,
  isAdmin,
  isMember,
  leaveGroup,
  makeAdmin,
  removeMember,
  renameGroup,
} from "../group-actions";
import { contactTitle } from "../state";
import type { Group } from "../state/groups";
import { Avatar } from "./Avatar";
import { NameForm } from "./NameForm";
import { NotApplied } from "./NotApplied";
import { PanelHeader } from "./PanelHeader";

export function GroupInfo({
  client,
  group,
  onClose,
}: {
  client: WispClient;
  group: Group;
  onClose: () => void;
}) {
  const [adding, setAdding] = useState("");
  const [error, setError] = useState("");
  const admin = isAdmin(client, group);
  const me = client.identity.address;
  const nameOf = (a: string) => {
    if (a === me) return "You";
    const c = client.state.contacts[a];
    return c ? contactTitle(c) : shortAddress(a);
  };
  const candidates = Object.values(client.state.contacts).filter(
    (c) => c.name && !group.members.includes(c.address),
  );

  const add = (text: string) => {
    const parsed = parseSharedAddress(text);
    if (!parsed.ok) return setError(parsed.error);
    addMembers(client, group.gid, [toB64u(parsed.publicKey)]);
    setAdding("");
    setError("");
  };

  return (
    <section class="panel group-info" aria-label="Group info">
      <PanelHeader title="Group info" onClose={onClose} />
      <div class="panel-body">
        <NotApplied client={client} group={group} />
        <section class="card group-card">
          <Avatar address={group.gid} title={group.name} size={72} />
          <h3>{group.name}</h3>
          <p class="hint">
            Group · {group.members.length} members · version {group.version}
          </p>
          {admin && (
            <NameForm
              initial={group.name}
              prompt="Group name"
              onSave={(name) => renameGroup(client, group.gid, name)}
            />
          )}
        </section>
        <section class="card" aria-labelledby="members-heading">
          <h3 id="members-heading">{group.members.length} members</h3>
          <ul class="member-list">
            {group.members.map((m) => (
              <li key={m} data-member={m}>
                <Avatar address={m} title={nameOf(m)} size={36} picture={client.state.contacts[m]?.avatar} />
                <span class="member-name">{nameOf(m)}</span>
                {group.admins.includes(m) && <span class="admin-badge">Admin</span>}
                {admin && m !== me && !group.admins.includes(m) && (
                  <button type="button" class="link" onClick={() => makeAdmin(client, group.gid, m)}>
                    Make admin
                  </button>
                )}
                {admin && m !== me && (
                  <button
                    type="button"
                    class="link danger"
                    aria-label={`Remove ${nameOf(m)}`}
                    onClick={() => removeMember(client, group.gid, m)}
                  >
                    Remove
                  </button>
                )}
              </li>
            ))}
          </ul>
          {admin && (
            <form
              class="form"
              onSubmit={(e) => {
                e.preventDefault();
                add(adding);
              }}
            >
              <label for="add-member">Add a member</label>
              <input
                id="add-member"
                list="add-member-contacts"
                value={adding}
                placeholder="Address or link"
                spellcheck={false}
                onInput={(e) => {
                  setAdding(e.currentTarget.value);
                  setError("");
                }}
              />
              <datalist id="add-member-contacts">
                {candidates.map((c) => (
                  <option key={c.address} value={c.address}>
                    {c.name}
                  </option>
                ))}
              </datalist>
              {error && (
                <p class="error" role="alert">
                  {error}
                </p>
              )}
              <button type="submit" class="secondary">
                Add
              </button>
            </form>
          )}
        </section>
        {isMember(client, group) ? (
          <button
            type="button"
            class="secondary danger"
            onClick={() => confirm(`Leave "${group.name}"?`) && leaveGroup(client, group.gid)}
          >
            Leave group
          </button>
        ) : (
          <p class="hint">You are no longer a member of this group.</p>
        )}
      </div>
    </section>
  );
}
