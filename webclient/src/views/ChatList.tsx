/** Left pane: who I talk to, newest first, with a search box and the connection state. */
import { useState } from "preact/hooks";
import type { WispClient } from "../client";
import type { ConnectionState } from "../connection";
import { listTime, shortAddress } from "../format";
import { chatList } from "../state";
import type { Panel } from "./App";
import { Avatar } from "./Avatar";
import { NewChatIcon, SearchIcon, SettingsIcon } from "./Icons";
import { ReconnectButton } from "./ReconnectButton";
import { StatusMark } from "./StatusMark";

const CONNECTION_TEXT: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

interface Props {
  client: WispClient;
  onPanel: (panel: Panel) => void;
  onOpen: (address: string) => void;
}

export function ChatList({ client, onPanel, onOpen }: Props) {
  const [query, setQuery] = useState("");
  const chats = chatList(client.state, query);
  const now = Date.now();
  return (
    <>
      <header class="bar side-bar">
        <button
          type="button"
          class="icon-button me"
          aria-label="Your profile and settings"
          onClick={() => onPanel("settings")}
        >
          <Avatar address={client.identity.address} title="Me" size={40} />
        </button>
        <span
          class={`conn conn-${client.connection}`}
          data-state={client.connection}
          role="status"
          title={client.connection === "connected" ? "" : client.lastError}
        >
          <span class="dot" aria-hidden="true" />
          {CONNECTION_TEXT[client.connection]}
        </span>
        <button
          type="button"
          class="icon-button"
          aria-label="New chat"
          title="New chat"
          onClick={() => onPanel("new")}
        >
          <NewChatIcon />
        </button>
        <button
          type="button"
          class="icon-button"
          aria-label="Settings"
          title="Settings"
          onClick={() => onPanel("settings")}
        >
          <SettingsIcon />
        </button>
      </header>
      {client.connection === "offline" && (
        <div class="banner" role="alert">
          <strong>No node answers.</strong> Messages wait here and go out as soon as one does.
          <ReconnectButton />
        </div>
      )}
      <div class="search">
        <label class="search-box">
          <SearchIcon size={18} />
          <span class="visually-hidden">Search chats</span>
          <input
            type="search"
            placeholder="Search or start a new chat"
            value={query}
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
        </label>
      </div>
      <ul class="chat-list" aria-label="Chat list">
        {chats.length === 0 && (
          <li class="empty-list">
            {query ? (
              "No chats match your search."
            ) : (
              <>
                No chats yet.{" "}
                <button type="button" class="link" onClick={() => onPanel("new")}>
                  Add a contact
                </button>{" "}
                by pasting their address, or share{" "}
                <button type="button" class="link" onClick={() => onPanel("settings")}>
                  your address
                </button>
                .
              </>
            )}
          </li>
        )}
        {chats.map((chat) => {
          const selected = client.openPeer === chat.contact.address;
          const last = chat.last;
          return (
            <li key={chat.contact.address}>
              <button
                type="button"
                class={`chat-item${selected ? " selected" : ""}`}
                aria-current={selected ? "true" : undefined}
                data-address={chat.contact.address}
                onClick={() => onOpen(chat.contact.address)}
              >
                <Avatar address={chat.contact.address} title={chat.title} />
                <span class="chat-item-body">
                  <span class="chat-item-top">
                    <span class="chat-title">{chat.contact.name || shortAddress(chat.contact.address)}</span>
                    {last && <time class={chat.unread ? "unread-time" : ""}>{listTime(last.at, now)}</time>}
                  </span>
                  <span class="chat-item-bottom">
                    <span class="preview">
                      {last?.out && <StatusMark status={last.status} />}
                      {last ? last.text : "No messages yet"}
                    </span>
                    {chat.unread > 0 && (
                      <span class="badge">
                        {chat.unread}
                        <span class="visually-hidden"> unread</span>
                      </span>
                    )}
                  </span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </>
  );
}
