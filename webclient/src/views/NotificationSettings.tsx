/** Settings' notifications card: turn them on (asks the browser), show the text or not. */
import { useState } from "preact/hooks";
import type { Notifier } from "../notifier";
import "../reach.css";
import { useSource } from "./useSource";

export function NotificationSettings({ notifier }: { notifier: Notifier }) {
  useSource(notifier);
  const [message, setMessage] = useState("");
  const permission = notifier.permission();
  const on = notifier.settings.enabled && permission === "granted";

  const toggle = async () => {
    if (on) return notifier.disable();
    const answer = await notifier.enable();
    setMessage(answer === "granted" ? "" : PERMISSION_TEXT[answer]);
  };

  return (
    <section class="card" aria-labelledby="notify-heading">
      <h3 id="notify-heading">Notifications</h3>
      <p class="hint" data-notify={on ? "on" : "off"}>
        {on
          ? "On: while Wisp is in the background, each new message shows a notification."
          : "Off: new messages only show in the tab's title."}
      </p>
      <button
        type="button"
        class={on ? "secondary" : "primary"}
        onClick={toggle}
        disabled={permission === "unsupported"}
      >
        {on ? "Turn off notifications" : "Turn on notifications"}
      </button>
      <label class="check-row">
        <input
          type="checkbox"
          checked={notifier.settings.showText}
          onChange={(e) => void notifier.setShowText(e.currentTarget.checked)}
        />
        Show the message text in notifications
      </label>
      <p class="hint">Mute a chat with the bell in its header.</p>
      {(message || permission === "denied") && (
        <p class="error" role="alert">
          {message || PERMISSION_TEXT.denied}
        </p>
      )}
    </section>
  );
}

const PERMISSION_TEXT: Record<string, string> = {
  denied: "The browser blocks notifications for this site; allow them in its site settings.",
  default: "Notifications stay off: the browser's question was not answered.",
  unsupported: "This browser cannot show notifications.",
};
