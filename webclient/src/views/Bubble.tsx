/** One message: its quote, text with links, reactions, time and ticks, and its menu. */
import { useState } from "preact/hooks";
import { clockTime, durationText } from "../format";
import type { Message } from "../state";
import { ChevronIcon } from "./Icons";
import { memo } from "./memo";
import { RichText } from "./RichText";
import { StatusMark } from "./StatusMark";

export const QUICK_REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🙏"];

export interface BubbleActions {
  reply(m: Message): void;
  react(m: Message, emoji: string): void;
  deleteForMe(m: Message): void;
  deleteForEveryone(m: Message): void;
  info?(m: Message): void;
  resend(m: Message): void;
  /** The name to show for an address (group senders, reactors). */
  nameOf(address: string): string;
  me: string;
}

interface BubbleProps {
  message: Message;
  actions: BubbleActions;
  /** The author's name above a group message ("" for none): a prop, so a name that arrives later renders. */
  author: string;
  /** The node's TTL, for the text of an expired message. */
  ttlMs: number;
}

/** Memoised: a long chat renders one row per changed message, not all of them (felt-speed's memo). */
export const Bubble = memo(function Bubble({ message: m, actions, author, ttlMs }: BubbleProps) {
  const [menu, setMenu] = useState(false);
  const mine = m.reactions?.[actions.me]?.emoji ?? "";
  const close = () => setMenu(false);
  return (
    <div class={`row ${m.out ? "out" : "in"}`} data-mid={m.id}>
      <div
        class={`bubble${m.status === "failed" ? " failed" : ""}${m.deleted ? " deleted" : ""}`}
        data-id={m.id}
        data-status={m.status ?? "received"}
      >
        {author && <span class="author">{author}</span>}
        {m.reply && (
          <button type="button" class="quote" onClick={() => scrollToMessage(m.reply!.id)}>
            {m.reply.snippet}
          </button>
        )}
        <span class="text">{m.deleted ? <em>This message was deleted</em> : <RichText text={m.text} />}</span>
        <span class="meta">
          <time dateTime={new Date(m.sentAt).toISOString()}>{clockTime(m.out ? m.sentAt : m.at)}</time>
          {m.out && !m.deleted && <StatusMark status={m.status} />}
        </span>
        {!m.deleted && (
          <button
            type="button"
            class="menu-button"
            aria-label="Message menu"
            aria-expanded={menu}
            onClick={() => setMenu(!menu)}
          >
            <ChevronIcon size={18} />
          </button>
        )}
      </div>
      {m.reactions && Object.keys(m.reactions).length > 0 && (
        <Reactions message={m} nameOf={actions.nameOf} />
      )}
      {menu && (
        <div class="message-menu" role="menu" aria-label="Message actions">
          <div class="quick-reactions">
            {QUICK_REACTIONS.map((emoji) => (
              <button
                type="button"
                role="menuitem"
                key={emoji}
                class={mine === emoji ? "chosen" : ""}
                aria-label={`React ${emoji}`}
                onClick={() => {
                  actions.react(m, mine === emoji ? "" : emoji);
                  close();
                }}
              >
                {emoji}
              </button>
            ))}
          </div>
          <MenuItem label="Reply" onClick={() => actions.reply(m)} close={close} />
          {actions.info && m.out && m.copies && (
            <MenuItem label="Info" onClick={() => actions.info?.(m)} close={close} />
          )}
          <MenuItem label="Delete for me" onClick={() => actions.deleteForMe(m)} close={close} />
          {m.out && (
            <MenuItem
              label="Delete for everyone"
              onClick={() => actions.deleteForEveryone(m)}
              close={close}
            />
          )}
        </div>
      )}
      {m.status === "failed" && (
        <div class="failure" role="alert">
          <span>{failureText(m, ttlMs)}</span>
          <button type="button" class="resend" onClick={() => actions.resend(m)}>
            Resend
          </button>
        </div>
      )}
    </div>
  );
});

function MenuItem({ label, onClick, close }: { label: string; onClick: () => void; close: () => void }) {
  return (
    <button
      type="button"
      role="menuitem"
      class="menu-item"
      onClick={() => {
        onClick();
        close();
      }}
    >
      {label}
    </button>
  );
}

function Reactions({ message, nameOf }: { message: Message; nameOf: (a: string) => string }) {
  const counts = new Map<string, string[]>();
  for (const [who, r] of Object.entries(message.reactions ?? {}))
    counts.set(r.emoji, [...(counts.get(r.emoji) ?? []), nameOf(who)]);
  return (
    <p class="reactions" title="Reactions">
      {[...counts].map(([emoji, who]) => (
        <span key={emoji} class="reaction" title={who.join(", ")}>
          {emoji}
          {who.length > 1 ? ` ${who.length}` : ""}
        </span>
      ))}
    </p>
  );
}

/** "Not delivered — expired after 5 s": the node's own TTL, from its store answer. */
export function failureText(m: Message, ttlMs: number): string {
  if (m.error) return `Not sent — ${m.error}`;
  const ttl = m.expiresAt ? Math.round((m.expiresAt - m.sentAt) / 1000) * 1000 : ttlMs;
  return `Not delivered — expired after ${durationText(ttl)}`;
}

export function scrollToMessage(id: string): void {
  const el = document.querySelector(`[data-mid="${CSS.escape(id)}"]`);
  if (!el) return;
  el.scrollIntoView({ block: "center" });
  el.classList.add("flash");
  setTimeout(() => el.classList.remove("flash"), 1500);
}
