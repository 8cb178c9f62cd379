/** The message box: Enter sends, Shift+Enter starts a new line. */
import { useEffect, useRef, useState } from "preact/hooks";
import { SendIcon } from "./Icons";

/** Keeps a sealed envelope well under the protocol's 64 KiB, whatever the characters. */
export const MAX_TEXT_CHARS = 12_000;

export function Composer({ onSend }: { onSend: (text: string) => void }) {
  const [text, setText] = useState("");
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => box.current?.focus(), []);

  const send = () => {
    if (!text.trim()) return;
    onSend(text);
    setText("");
    box.current?.focus();
  };

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label class="visually-hidden" for="composer-text">
        Message
      </label>
      <textarea
        id="composer-text"
        ref={box}
        rows={1}
        maxLength={MAX_TEXT_CHARS}
        placeholder="Type a message"
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key !== "Enter" || e.shiftKey || e.isComposing) return;
          e.preventDefault();
          send();
        }}
      />
      <button type="submit" class="icon-button send" aria-label="Send" disabled={!text.trim()}>
        <SendIcon />
      </button>
    </form>
  );
}
