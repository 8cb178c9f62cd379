/** Add a contact by pasting their address and naming them. */
import { useEffect, useRef, useState } from "preact/hooks";
import type { WispClient } from "../client";
import { PanelHeader } from "./PanelHeader";

interface Props {
  client: WispClient;
  onClose: () => void;
  onAdded: (address: string) => void;
  /** An address (or #add= link) to start with: pasted into search, or opened as a link. */
  initialAddress?: string;
}

export function NewChat({ client, onClose, onAdded, initialAddress = "" }: Props) {
  const [address, setAddress] = useState(initialAddress);
  const [name, setName] = useState("");
  const [error, setError] = useState("");
  const addressBox = useRef<HTMLTextAreaElement>(null);
  const nameBox = useRef<HTMLInputElement>(null);
  useEffect(() => (initialAddress ? nameBox.current : addressBox.current)?.focus(), []);

  const submit = (e: Event) => {
    e.preventDefault();
    if (!name.trim()) return setError("give the contact a name");
    const r = client.addContact(address, name);
    if (!r.ok) return setError(r.error);
    onAdded(r.address);
  };

  return (
    <section class="panel" aria-label="New chat">
      <PanelHeader title="New chat" onClose={onClose} />
      <form class="panel-body form" onSubmit={submit} noValidate>
        <p class="hint">
          Ask your contact for their Wisp address or link (Settings → Your address) and paste it here. A link
          carries a checksum, so a mistyped character is caught.
        </p>
        <label for="new-address">Address</label>
        <textarea
          id="new-address"
          rows={2}
          spellcheck={false}
          ref={addressBox}
          value={address}
          placeholder="43 characters, e.g. 3pXk…"
          aria-invalid={error ? "true" : undefined}
          aria-describedby={error ? "new-error" : undefined}
          onInput={(e) => {
            setAddress(e.currentTarget.value);
            setError("");
          }}
        />
        <label for="new-name">Name</label>
        <input
          id="new-name"
          ref={nameBox}
          value={name}
          maxLength={64}
          placeholder="How you call them"
          onInput={(e) => {
            setName(e.currentTarget.value);
            setError("");
          }}
        />
        {error && (
          <p id="new-error" class="error" role="alert">
            {capitalize(error)}.
          </p>
        )}
        <button type="submit" class="primary">
          Add contact
        </button>
      </form>
    </section>
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
