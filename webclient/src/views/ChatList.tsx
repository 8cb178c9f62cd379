/** Left pane: who I talk to, newest first, with a search box and the connection state. */
import { parseSharedAddress, toB64u } from "@wisp/lib";
import { useState } from "preact/hooks";
import type { WispClient } from "../client";
import type { ConnectionState } from "../connection";
import { listTime, shortAddress } from "../format";
import { type ChatSummary, chatList } from "../state/list";
import { AddressCard } from "./AddressCard";
import type { Panel } from "./App";
import { Avatar } from "./Avatar";
import { IconButton } from "./IconButton";
import { GroupIcon, NewChatIcon, SearchIcon, SettingsIcon } from "./Icons";
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
  onOpen: (chat: string, focusId?: string) => void;
  /** Starts a new chat with an address pasted into the search box. */
  onNewChat: (address: string) => void;
}

export function ChatList({ client, onPanel, onOpen, onNewChat }: Props) {
  const [query, setQuery] = useState("");
  const chats = chatList(client.state, query);
  const pasted = parseSharedAddress(query);
  const pastedAddress = pasted.ok ? toB64u(pasted.publicKey) : null;
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
          <Avatar
            address={client.identity.address}
            title={client.settings.profile?.name || "Me"}
            size={40}
            picture={client.settings.profile?.avatar}
          />
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
        <IconButton label="New group" onClick={() => onPanel("group")}>
          <GroupIcon />
        </IconButton>
        <IconButton label="New chat" onClick={() => onPanel("new")}>
          <NewChatIcon />
        </IconButton>
        <IconButton label="Settings" onClick={() => onPanel("settings")}>
          <SettingsIcon />
        </IconButton>
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
        {pastedAddress &&
          pastedAddress !== client.identity.address &&
          !client.state.contacts[pastedAddress] && (
            <li>
              <button type="button" class="chat-item new-from-search" onClick={() => onNewChat(query)}>
                <Avatar address={pastedAddress} title="+" />
                <span class="chat-item-body">
                  <span class="chat-title">New chat with this address</span>
                  <span class="preview">{shortAddress(pastedAddress)}</span>
                </span>
              </button>
            </li>
          )}
        {chats.length === 0 && !pastedAddress && (
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
                <span class="phone-only">
                  <AddressCard address={client.identity.address} inputId="my-address-phone" />
                </span>
              </>
            )}
          </li>
        )}
        {chats.map((chat) => (
          <ChatItem
            key={chat.key}
            chat={chat}
            selected={client.openPeer === chat.key}
            now={now}
            onOpen={() => onOpen(chat.key, chat.match?.id)}
          />
        ))}
      </ul>
    </>
  );
}

function ChatItem({
  chat,
  selected,
  now,
  onOpen,
}: {
  chat: ChatSummary;
  selected: boolean;
  now: number;
  onOpen: () => void;
}) {
  const shown = chat.match ?? chat.last;
  const title = chat.group
    ? chat.title
    : chat.contact?.name || chat.contact?.profileName
      ? chat.title
      : shortAddress(chat.key);
  return (
    <li>
      <button
        type="button"
        class={`chat-item${selected ? " selected" : ""}`}
        aria-current={selected ? "true" : undefined}
        data-address={chat.key}
        onClick={onOpen}
      >
        <Avatar address={chat.key} title={chat.title} picture={chat.contact?.avatar} />
        <span class="chat-item-body">
          <span class="chat-item-top">
            <span class="chat-title">{title}</span>
            {shown && <time class={chat.unread ? "unread-time" : ""}>{listTime(shown.at, now)}</time>}
          </span>
          <span class="chat-item-bottom">
            <span class={`preview${chat.match ? " match" : ""}`}>
              {shown?.out && <StatusMark status={shown.status} />}
              {shown
                ? shown.deleted
                  ? "This message was deleted"
                  : shown.text
                : chat.group
                  ? "Group created"
                  : "No messages yet"}
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
}
