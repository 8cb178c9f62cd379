/** Right pane: one conversation (a contact or a group), its bubbles by day, and the composer. */
import type { ReplyRef } from "@wisp/lib";
import { useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { deleteForEveryone, deleteMessageForMe, react, removeChat } from "../actions";
import type { WispClient } from "../client";
import { dayLabel, durationText, shortAddress, startOfDay } from "../format";
import { contactTitle, type Message } from "../state";
import { Avatar } from "./Avatar";
import { Bubble, type BubbleActions, scrollToMessage } from "./Bubble";
import { Composer } from "./Composer";
import { GroupInfo } from "./GroupInfo";
import { BackIcon, CloseIcon, EditIcon, LockIcon, TrashIcon } from "./Icons";
import { MessageInfo } from "./MessageInfo";
import { MuteButton } from "./MuteButton";
import { NameForm } from "./NameForm";
import { NotApplied } from "./NotApplied";
import { useMessageWindow } from "./useMessageWindow";

interface Props {
  client: WispClient;
  chat: string;
  /** A message to show first (a search hit). */
  focusId?: string;
  onBack: () => void;
}

const OFFLINE_TEXT = {
  offline: "Offline — messages wait on this device",
  reconnecting: "Reconnecting…",
} as const;

export function Conversation({ client, chat, focusId, onBack }: Props) {
  const [renaming, setRenaming] = useState(false);
  const [view, setView] = useState<"chat" | "info" | Message>("chat");
  const [reply, setReply] = useState<ReplyRef | null>(null);
  const [unseen, setUnseen] = useState(0);
  const group = client.state.groups[chat];
  const contact = client.state.contacts[chat];
  const messages = client.state.messages[chat] ?? [];
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const lastTop = useRef(0);
  const seenLength = useRef(messages.length);
  const last = messages.length > 0 ? messages[messages.length - 1] : null;
  const { first, onScroll: loadEarlier } = useMessageWindow(messages.length, scroller);
  const isGroup = Boolean(group);
  // One object for the chat's lifetime, so a memoised Bubble renders again only when its message changes.
  const actions = useMemo<BubbleActions>(() => {
    const nameOf = (address: string) => {
      if (address === client.identity.address) return "You";
      const c = client.state.contacts[address];
      return c ? contactTitle(c) : shortAddress(address);
    };
    return {
      reply: (m) =>
        setReply({
          id: m.id,
          snippet: `${m.out ? "You" : nameOf(m.author ?? m.peer)}: ${m.text}`.slice(0, 160),
        }),
      react: (m, emoji) => react(client, m.id, emoji),
      deleteForMe: (m) => deleteMessageForMe(client, m.id),
      deleteForEveryone: (m) => deleteForEveryone(client, m.id),
      info: isGroup ? (m) => setView(m) : undefined,
      resend: (m) => void client.resend(m.id),
      nameOf,
      me: client.identity.address,
    };
  }, [client, isGroup]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const added = messages.length - seenLength.current;
    seenLength.current = messages.length;
    const follow = last?.out || added <= 0;
    // At the frame, not in this render: reading scrollHeight here would lay the page out before
    // the seal and the receipt waiting behind this render could leave (docs/webclient.md).
    requestAnimationFrame(() => {
      // Scrolled up to read history: a new message does not move the view; "↓ N" counts it.
      if (atBottom.current || follow) {
        el.scrollTop = el.scrollHeight;
        setUnseen(0);
      } else setUnseen((n) => n + added);
    });
  }, [last?.id]);

  useLayoutEffect(() => {
    // After the scroll to the bottom above, which waits for the frame too.
    if (focusId) requestAnimationFrame(() => scrollToMessage(focusId));
  }, [focusId]);

  useLayoutEffect(() => {
    // A resize (a phone turned, a window narrowed) keeps a reader who was at the bottom there; the
    // scroll events it causes move the view down, so onScroll does not take them for scrolling up.
    const el = scroller.current;
    if (!el) return;
    const keep = new ResizeObserver(() => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
    });
    keep.observe(el);
    return () => keep.disconnect();
  }, [view]);

  if (view === "info" && group)
    return <GroupInfo client={client} group={group} onClose={() => setView("chat")} />;
  if (typeof view === "object" && group)
    return (
      <MessageInfo client={client} message={findLatest(messages, view)} onClose={() => setView("chat")} />
    );

  const nameOf = actions.nameOf;
  const title = group ? group.name : contact ? contactTitle(contact) : chat;
  const member = !group || group.members.includes(client.identity.address);
  const status =
    client.connection === "offline" || client.connection === "reconnecting"
      ? OFFLINE_TEXT[client.connection]
      : "";
  const subtitle = group
    ? group.members.map(nameOf).join(", ")
    : contact?.name
      ? contact.address
      : "Not in your contacts";

  return (
    <section class="conversation" aria-label={`Conversation with ${title}`}>
      <header class="bar conv-bar">
        <button type="button" class="icon-button back" aria-label="Back to chats" onClick={onBack}>
          <BackIcon />
        </button>
        <button
          type="button"
          class="conv-head"
          onClick={() => group && setView("info")}
          disabled={!group}
          aria-label={group ? "Group info" : undefined}
        >
          <Avatar address={chat} title={title} size={40} picture={contact?.avatar} />
          <span class="conv-title">
            <h2 class={group || contact?.name || contact?.profileName ? "" : "address-title"}>{title}</h2>
            <span class={`subtitle${status ? " offline" : ""}`} role={status ? "status" : undefined}>
              {status || subtitle}
            </span>
          </span>
        </button>
        <MuteButton peer={chat} />
        {!group && (
          <button
            type="button"
            class="icon-button"
            aria-label={contact?.name ? "Rename contact" : "Name this contact"}
            title="Rename"
            onClick={() => setRenaming(!renaming)}
          >
            <EditIcon />
          </button>
        )}
        <button
          type="button"
          class="icon-button"
          aria-label="Delete chat"
          title="Delete chat"
          onClick={() =>
            confirm(
              group && member
                ? `Leave "${title}" and delete it from this device?`
                : `Delete the chat with ${title} from this device?`,
            ) && removeChat(client, chat)
          }
        >
          <TrashIcon />
        </button>
        <button
          type="button"
          class="icon-button close-chat"
          aria-label="Close chat"
          title="Close chat"
          onClick={onBack}
        >
          <CloseIcon />
        </button>
      </header>
      {group && <NotApplied client={client} group={group} />}
      {!group && contact && (renaming || !contact.name) && (
        <NameForm
          initial={contact.name || contact.profileName || ""}
          prompt={contact.name ? "Rename this contact" : "Someone new wrote to you. Give them a name:"}
          onSave={(name) => {
            client.rename(chat, name);
            setRenaming(false);
          }}
        />
      )}
      <div
        class="messages"
        ref={scroller}
        role="log"
        aria-label="Messages"
        aria-live="polite"
        onScroll={(e) => {
          const el = e.currentTarget;
          const top = el.scrollTop;
          // Only scrolling up leaves the bottom: content that grew below (a narrower window) does not.
          atBottom.current =
            el.scrollHeight - top - el.clientHeight < 48 || (atBottom.current && top >= lastTop.current);
          lastTop.current = top;
          if (atBottom.current && unseen > 0) setUnseen(0);
          loadEarlier();
        }}
      >
        {first === 0 && (
          <p class="e2e-note">
            <LockIcon size={12} /> Messages are end-to-end encrypted. Nodes keep them for at most{" "}
            {durationText(client.settings.ttlMs)}.
          </p>
        )}
        {renderMessages(messages, first, actions, isGroup, client.settings.ttlMs)}
      </div>
      {unseen > 0 && (
        <button
          type="button"
          class="jump"
          aria-label={`${unseen} new below`}
          onClick={() => {
            const el = scroller.current;
            if (el) el.scrollTop = el.scrollHeight;
            setUnseen(0);
          }}
        >
          ↓ {unseen}
        </button>
      )}
      {member ? (
        <Composer
          reply={reply}
          onCancelReply={() => setReply(null)}
          onSend={(text) => {
            void client.send(chat, text, reply ?? undefined);
            setReply(null);
          }}
        />
      ) : (
        <p class="left-note">You are no longer a member of this group.</p>
      )}
    </section>
  );
}

function findLatest(messages: Message[], m: Message): Message {
  return messages.find((x) => x.id === m.id) ?? m;
}

/** From `first` on (useMessageWindow); each Bubble renders again only when its message object changed. */
function renderMessages(
  messages: Message[],
  first: number,
  actions: BubbleActions,
  inGroup: boolean,
  ttlMs: number,
) {
  const now = Date.now();
  const out = [];
  let day = -1;
  let prevAuthor = "";
  for (let i = first; i < messages.length; i++) {
    const m = messages[i];
    const d = startOfDay(m.at);
    if (d !== day) {
      day = d;
      prevAuthor = "";
      out.push(
        <div class="day" key={`day-${d}`}>
          <span>{dayLabel(m.at, now)}</span>
        </div>,
      );
    }
    const author = m.out ? "" : (m.author ?? "");
    out.push(
      <Bubble
        key={m.id}
        message={m}
        actions={actions}
        author={inGroup && author && author !== prevAuthor ? actions.nameOf(author) : ""}
        ttlMs={ttlMs}
      />,
    );
    prevAuthor = author;
  }
  return out;
}
