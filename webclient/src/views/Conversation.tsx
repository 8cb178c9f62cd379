/** Right pane: one conversation, its bubbles by day, and the composer. */
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import type { WispClient } from "../client";
import { clockTime, dayLabel, startOfDay } from "../format";
import type { Contact, Message } from "../state";
import { Avatar } from "./Avatar";
import { Composer } from "./Composer";
import { BackIcon, EditIcon, LockIcon } from "./Icons";
import { MuteButton } from "./MuteButton";
import { NameForm } from "./NameForm";
import { StatusMark } from "./StatusMark";

interface Props {
  client: WispClient;
  contact: Contact;
  onBack: () => void;
}

export function Conversation({ client, contact, onBack }: Props) {
  const [renaming, setRenaming] = useState(false);
  const messages = client.state.messages[contact.address] ?? [];
  const scroller = useRef<HTMLDivElement>(null);
  const lastId = messages.length > 0 ? messages[messages.length - 1].id : "";

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lastId]);

  const title = contact.name || contact.address;
  return (
    <section class="conversation" aria-label={`Conversation with ${title}`}>
      <header class="bar conv-bar">
        <button type="button" class="icon-button back" aria-label="Back to chats" onClick={onBack}>
          <BackIcon />
        </button>
        <Avatar address={contact.address} title={title} size={40} />
        <div class="conv-title">
          <h2 class={contact.name ? "" : "address-title"}>{title}</h2>
          <span class="subtitle">{contact.name ? contact.address : "Not in your contacts"}</span>
        </div>
        <MuteButton peer={contact.address} />
        <button
          type="button"
          class="icon-button"
          aria-label={contact.name ? "Rename contact" : "Name this contact"}
          title="Rename"
          onClick={() => setRenaming(!renaming)}
        >
          <EditIcon />
        </button>
      </header>
      {(renaming || !contact.name) && (
        <NameForm
          initial={contact.name}
          prompt={contact.name ? "Rename this contact" : "Someone new wrote to you. Give them a name:"}
          onSave={(name) => {
            client.rename(contact.address, name);
            setRenaming(false);
          }}
        />
      )}
      <div class="messages" ref={scroller} role="log" aria-label="Messages" aria-live="polite">
        <p class="e2e-note">
          <LockIcon size={12} /> Messages are end-to-end encrypted. Nodes keep them for at most 24 hours.
        </p>
        {renderMessages(messages, client)}
      </div>
      <Composer onSend={(text) => void client.send(contact.address, text)} />
    </section>
  );
}

function renderMessages(messages: Message[], client: WispClient) {
  const now = Date.now();
  const out = [];
  let day = -1;
  for (const m of messages) {
    const d = startOfDay(m.at);
    if (d !== day) {
      day = d;
      out.push(
        <div class="day" key={`day-${d}`}>
          <span>{dayLabel(m.at, now)}</span>
        </div>,
      );
    }
    out.push(<Bubble key={m.id} message={m} onResend={() => void client.resend(m.id)} />);
  }
  return out;
}

function Bubble({ message: m, onResend }: { message: Message; onResend: () => void }) {
  return (
    <div class={`row ${m.out ? "out" : "in"}`}>
      <div
        class={`bubble${m.status === "failed" ? " failed" : ""}`}
        data-id={m.id}
        data-status={m.status ?? "received"}
      >
        <span class="text">{m.text}</span>
        <span class="meta">
          <time dateTime={new Date(m.sentAt).toISOString()}>{clockTime(m.out ? m.sentAt : m.at)}</time>
          {m.out && <StatusMark status={m.status} />}
        </span>
      </div>
      {m.status === "failed" && (
        <div class="failure" role="alert">
          <span>{m.error ? `not sent — ${m.error}` : "not delivered — expired after 24 h"}</span>
          <button type="button" class="resend" onClick={onResend}>
            Resend
          </button>
        </div>
      )}
    </div>
  );
}
