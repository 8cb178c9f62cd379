/** The two-pane shell: chats (or a side panel) on the left, the open conversation on the right. */
import { useEffect, useState } from "preact/hooks";
import type { WispClient } from "../client";
import type { AppNodes } from "../nodes";
import { ChatList } from "./ChatList";
import { Conversation } from "./Conversation";
import { NewChat } from "./NewChat";
import { NewGroup } from "./NewGroup";
import { ProposedNode } from "./ProposedNode";
import { Settings, type SettingsActions } from "./Settings";
import { useClient } from "./useClient";
import { Welcome } from "./Welcome";

export type Panel = "chats" | "new" | "group" | "settings";

export interface AppProps {
  client: WispClient;
  nodes: AppNodes;
  firstStart: boolean;
  actions: SettingsActions;
  /** An address from a `#add=` link the app was opened with. */
  addFromLink?: string;
}

export function App({ client, nodes, firstStart, actions, addFromLink }: AppProps) {
  useClient(client);
  const [panel, setPanel] = useState<Panel>(addFromLink ? "new" : "chats");
  const [newAddress, setNewAddress] = useState(addFromLink ?? "");
  const [focusId, setFocusId] = useState<string | undefined>();
  const [proposed, setProposed] = useState(nodes.proposed);
  const settleProposal = (use: boolean) => {
    if (use && proposed) void actions.setNodeUrl(proposed);
    setProposed(null);
    history.replaceState(null, "", location.pathname);
  };
  const peer = client.openPeer;
  const open = peer && (client.state.contacts[peer] || client.state.groups[peer]) ? peer : null;
  const unread =
    Object.values(client.state.contacts).reduce((n, c) => n + c.unread, 0) +
    Object.values(client.state.groups).reduce((n, g) => n + g.unread, 0);
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Wisp` : "Wisp";
  }, [unread]);

  const openChat = (chat: string, focus?: string) => {
    setPanel("chats");
    setFocusId(focus);
    client.openChat(chat);
  };
  const startChat = (address: string) => {
    setNewAddress(address);
    setPanel("new");
  };
  const closePanel = () => {
    setNewAddress("");
    setPanel("chats");
  };

  return (
    <div class={`app ${open ? "has-chat" : "no-chat"}`}>
      {proposed && (
        <ProposedNode
          url={proposed}
          onUse={() => settleProposal(true)}
          onIgnore={() => settleProposal(false)}
        />
      )}
      <aside class="side" aria-label="Chats">
        {panel === "chats" && (
          <ChatList client={client} onPanel={setPanel} onOpen={openChat} onNewChat={startChat} />
        )}
        {panel === "new" && (
          <NewChat
            client={client}
            initialAddress={newAddress}
            onClose={closePanel}
            onAdded={(a) => {
              closePanel();
              openChat(a);
            }}
          />
        )}
        {panel === "group" && (
          <NewGroup client={client} onClose={closePanel} onCreated={(gid) => openChat(gid)} />
        )}
        {panel === "settings" && (
          <Settings client={client} pool={nodes.pool} actions={actions} onClose={() => setPanel("chats")} />
        )}
      </aside>
      <main class="main">
        {open ? (
          <Conversation
            key={open}
            client={client}
            chat={open}
            focusId={focusId}
            onBack={() => client.openChat(null)}
          />
        ) : (
          <Welcome
            address={client.identity.address}
            firstStart={firstStart}
            onNewChat={() => setPanel("new")}
          />
        )}
      </main>
    </div>
  );
}
