/** A one-line form to name (or rename) a contact. */
import { useState } from "preact/hooks";
import { TextField } from "./TextField";

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
      <TextField
        id="contact-name"
        label={prompt}
        value={name}
        maxLength={64}
        placeholder="Name"
        onValue={setName}
      />
      <button type="submit" class="primary" disabled={!name.trim()}>
        Save
      </button>
    </form>
  );
}
