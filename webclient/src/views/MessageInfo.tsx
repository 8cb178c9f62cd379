/** A group message I sent: each member's ticks (sending, stored, delivered, read, not delivered). */
import type { WispClient } from "../client";
import { clockTime, shortAddress } from "../format";
import { contactTitle, type DeliveryStatus, type Message } from "../state";
import { Avatar } from "./Avatar";
import { PanelHeader } from "./PanelHeader";
import { STATUS_LABEL, StatusMark } from "./StatusMark";

const ORDER: DeliveryStatus[] = ["read", "delivered", "stored", "sending", "failed"];

export function MessageInfo({
  client,
  message,
  onClose,
}: {
  client: WispClient;
  message: Message;
  onClose: () => void;
}) {
  const copies = Object.entries(message.copies ?? {});
  const nameOf = (a: string) => {
    const c = client.state.contacts[a];
    return c ? contactTitle(c) : shortAddress(a);
  };
  return (
    <section class="panel message-info" aria-label="Message info">
      <PanelHeader title="Message info" onClose={onClose} />
      <div class="panel-body">
        <div class="row out">
          <div class="bubble">
            <span class="text">{message.deleted ? "This message was deleted" : message.text}</span>
            <span class="meta">{clockTime(message.sentAt)}</span>
          </div>
        </div>
        {ORDER.map((status) => {
          const who = copies.filter(([, c]) => c.status === status);
          if (who.length === 0) return null;
          return (
            <section class="card" key={status} data-status={status}>
              <h3>
                <StatusMark status={status} /> {STATUS_LABEL[status]}
              </h3>
              {status === "failed" && (
                <button type="button" class="resend" onClick={() => void client.resend(message.id)}>
                  Resend to them
                </button>
              )}
              <ul class="member-list">
                {who.map(([member]) => (
                  <li key={member} data-member={member}>
                    <Avatar address={member} title={nameOf(member)} size={32} />
                    <span class="member-name">{nameOf(member)}</span>
                  </li>
                ))}
              </ul>
            </section>
          );
        })}
      </div>
    </section>
  );
}
