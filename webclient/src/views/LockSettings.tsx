/** Settings' app lock card: set, change or remove the passphrase that seals the stored key. */
import { useState } from "preact/hooks";
import type { AppLock } from "../lock";
import { TextField } from "./TextField";
import { useSource } from "./useSource";

export function LockSettings({ lock }: { lock: AppLock }) {
  useSource(lock);
  const [passphrase, setPassphrase] = useState("");
  const [repeat, setRepeat] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  const save = async (e: Event) => {
    e.preventDefault();
    if (passphrase !== repeat) return setMessage({ error: true, text: "The two passphrases differ." });
    setBusy(true);
    const error = await lock.set(passphrase);
    setBusy(false);
    if (error) return setMessage({ error: true, text: error });
    setPassphrase("");
    setRepeat("");
    setMessage({ error: false, text: "Locked: Wisp asks for this passphrase when it opens." });
  };

  const remove = async () => {
    await lock.remove();
    setMessage({ error: false, text: "The lock is off: Wisp opens without a passphrase." });
  };

  return (
    <section class="card" aria-labelledby="lock-heading">
      <h3 id="lock-heading">App lock</h3>
      <p class="hint" data-lock={lock.locked() ? "on" : "off"}>
        {lock.locked()
          ? "On: your secret key is stored encrypted under your passphrase."
          : "Off: anyone who can open this browser can open Wisp."}
      </p>
      <form class="form" onSubmit={save}>
        <TextField
          id="lock-pass"
          label={lock.locked() ? "New passphrase" : "Passphrase"}
          secret
          autocomplete="new-password"
          value={passphrase}
          onValue={setPassphrase}
        />
        <TextField
          id="lock-repeat"
          label="Repeat it"
          secret
          autocomplete="new-password"
          value={repeat}
          onValue={setRepeat}
        />
        <p class="hint">Forget it and only your exported identity file gets your chats back.</p>
        <div class="button-row">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Encrypting…" : lock.locked() ? "Change passphrase" : "Lock with passphrase"}
          </button>
          {lock.locked() && (
            <button type="button" class="secondary" onClick={remove}>
              Remove lock
            </button>
          )}
        </div>
      </form>
      {message && (
        <p class={message.error ? "error" : "hint"} role={message.error ? "alert" : "status"}>
          {message.text}
        </p>
      )}
    </section>
  );
}
