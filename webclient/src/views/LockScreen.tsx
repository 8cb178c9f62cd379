/** Shown instead of the app while the stored key is locked: asks for the passphrase. */
import { useState } from "preact/hooks";
import "../reach.css";
import { LockIcon } from "./Icons";

interface Props {
  /** Answers whether the passphrase opened the key. */
  onUnlock: (passphrase: string) => Promise<boolean>;
}

export function LockScreen({ onUnlock }: Props) {
  const [passphrase, setPassphrase] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    const opened = await onUnlock(passphrase);
    setBusy(false);
    if (!opened) setError("That passphrase does not open this Wisp.");
  };

  return (
    <main class="lock-screen">
      <form class="lock-card form" onSubmit={submit} aria-labelledby="lock-title">
        <span class="lock-badge" aria-hidden="true">
          <LockIcon size={28} />
        </span>
        <h1 id="lock-title">Wisp is locked</h1>
        <p class="hint">Enter your passphrase to open your chats.</p>
        <label for="unlock-pass" class="visually-hidden">
          Passphrase
        </label>
        <input
          id="unlock-pass"
          type="password"
          autocomplete="current-password"
          placeholder="Passphrase"
          value={passphrase}
          onInput={(e) => setPassphrase(e.currentTarget.value)}
          aria-invalid={error ? "true" : "false"}
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy || !passphrase}>
          {busy ? "Unlocking…" : "Unlock"}
        </button>
      </form>
    </main>
  );
}
