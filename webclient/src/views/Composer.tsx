/** The message box: Enter sends, Shift+Enter starts a new line; a reply shows its quote above. */
import type { ReplyRef } from "@wisp/lib";
import { useEffect, useRef, useState } from "preact/hooks";
import { CloseIcon, SendIcon } from "./Icons";

/** Keeps a sealed envelope well under the protocol's 64 KiB, whatever the characters. */
export const MAX_TEXT_CHARS = 12_000;
/** From here on the box shows how many characters are left. */
const COUNTER_FROM = MAX_TEXT_CHARS - 1_000;

interface Props {
  onSend: (text: string) => void;
  reply?: ReplyRef | null;
  onCancelReply?: () => void;
}

export function Composer({ onSend, reply, onCancelReply }: Props) {
  const [text, setText] = useState("");
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => box.current?.focus(), [reply?.id]);
  const over = text.length - MAX_TEXT_CHARS;
  const canSend = text.trim() !== "" && over <= 0;

  const send = () => {
    if (!canSend) return;
    onSend(text);
    setText("");
    box.current?.focus();
  };

  return (
    <div class="composer-wrap">
      {reply && (
        <div class="reply-bar">
          <span class="quote">{reply.snippet}</span>
          <button type="button" class="icon-button" aria-label="Cancel reply" onClick={onCancelReply}>
            <CloseIcon size={20} />
          </button>
        </div>
      )}
      {text.length > COUNTER_FROM && (
        <p class={`counter${over > 0 ? " over" : ""}`} role={over > 0 ? "alert" : "status"}>
          {over > 0
            ? `Too long by ${over.toLocaleString()} characters (the limit is ${MAX_TEXT_CHARS.toLocaleString()}).`
            : `${(MAX_TEXT_CHARS - text.length).toLocaleString()} characters left`}
        </p>
      )}
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
          placeholder="Type a message"
          value={text}
          aria-invalid={over > 0 ? "true" : undefined}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape" && reply) onCancelReply?.();
            if (e.key !== "Enter" || e.shiftKey || e.isComposing) return;
            e.preventDefault();
            send();
          }}
        />
        <button type="submit" class="icon-button send" aria-label="Send" disabled={!canSend}>
          <SendIcon />
        </button>
      </form>
    </div>
  );
}
