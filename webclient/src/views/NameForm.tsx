/** A one-line form to name (or rename) a contact. */
import { useState } from "preact/hooks";

export function NameForm({
  initial,
  prompt,
  onSave,
}: {
  initial: string;
  prompt: string;
  onSave: (name: string) => void;
}) {
  const [name, setName] = useState(initial);
  return (
    <form
      class="name-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (name.trim()) onSave(name.trim());
      }}
    >
      <label for="contact-name">{prompt}</label>
      <input
        id="contact-name"
        value={name}
        maxLength={64}
        placeholder="Name"
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <button type="submit" class="primary" disabled={!name.trim()}>
        Save
      </button>
    </form>
  );
}
