/** Make a group: a name and its members, picked from contacts or pasted as addresses. */
import { MAX_GROUP_MEMBERS, parseSharedAddress, toB64u } from "@wisp/lib";
import { useState } from "preact/hooks";
import type { WispClient } from "../client";
import { newGroup } from "../group-actions";
import { contactTitle } from "../state";
import { PanelHeader } from "./PanelHeader";

interface Props {
  client: WispClient;
  onClose: () => void;
  onCreated: (gid: string) => void;
}

export function NewGroup({ client, onClose, onCreated }: Props) {
  const [name, setName] = useState("");
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [pasted, setPasted] = useState("");
  const [error, setError] = useState("");
  const contacts = Object.values(client.state.contacts).filter((c) => c.name || c.profileName);

  const submit = (e: Event) => {
    e.preventDefault();
    if (!name.trim()) return setError("Give the group a name.");
    const members = new Set(picked);
    for (const line of pasted.split(/[\s,]+/).filter(Boolean)) {
      const parsed = parseSharedAddress(line);
      if (!parsed.ok) return setError(`${line.slice(0, 12)}…: ${parsed.error}.`);
      members.add(toB64u(parsed.publicKey));
    }
    members.delete(client.identity.address);
    if (members.size === 0) return setError("Pick at least one member.");
    if (members.size + 1 > MAX_GROUP_MEMBERS)
      return setError(`A group has at most ${MAX_GROUP_MEMBERS} members.`);
    void newGroup(client, name, [...members]).then(onCreated);
  };

  return (
    <section class="panel" aria-label="New group">
      <PanelHeader title="New group" onClose={onClose} />
      <form class="panel-body form" onSubmit={submit} noValidate>
        <label for="group-name">Group name</label>
        <input id="group-name" value={name} maxLength={64} onInput={(e) => setName(e.currentTarget.value)} />
        <fieldset class="pick">
          <legend>Members</legend>
          {contacts.length === 0 && <p class="hint">No contacts yet: paste addresses below.</p>}
          {contacts.map((c) => (
            <label key={c.address} class="pick-item">
              <input
                type="checkbox"
                checked={picked.has(c.address)}
                onChange={(e) => {
                  const next = new Set(picked);
                  if (e.currentTarget.checked) next.add(c.address);
                  else next.delete(c.address);
                  setPicked(next);
                }}
              />
              {contactTitle(c)}
            </label>
          ))}
        </fieldset>
        <label for="group-addresses">Or paste addresses (one per line)</label>
        <textarea
          id="group-addresses"
          rows={3}
          spellcheck={false}
          value={pasted}
          onInput={(e) => setPasted(e.currentTarget.value)}
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary">
          Create group
        </button>
      </form>
    </section>
  );
}
