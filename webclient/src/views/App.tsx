/** The two-pane shell: chats (or a side panel) on the left, the open conversation on the right. */
import { useEffect, useState } from "preact/hooks";
import type { WispClient } from "../client";
import type { AppNodes } from "../nodes";
import { ChatList } from "./ChatList";
import { Conversation } from "./Conversation";
import { NewChat } from "./NewChat";
import { ProposedNode } from "./ProposedNode";
import { Settings, type SettingsActions } from "./Settings";
import { useClient } from "./useClient";
import { Welcome } from "./Welcome";

export type Panel = "chats" | "new" | "settings";

export interface AppProps {
  client: WispClient;
  nodes: AppNodes;
  firstStart: boolean;
  actions: SettingsActions;
}

export function App({ client, nodes, firstStart, actions }: AppProps) {
  useClient(client);
  const [panel, setPanel] = useState<Panel>("chats");
  const [proposed, setProposed] = useState(nodes.proposed);
  const settleProposal = (use: boolean) => {
    if (use && proposed) void actions.setNodeUrl(proposed);
    setProposed(null);
    history.replaceState(null, "", location.pathname);
  };
  const peer = client.openPeer;
  const contact = peer ? client.state.contacts[peer] : undefined;
  const unread = Object.values(client.state.contacts).reduce((n, c) => n + c.unread, 0);
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Wisp` : "Wisp";
  }, [unread]);

  const openChat = (address: string) => {
    setPanel("chats");
    client.openChat(address);
  };

  return (
    <div class={`app ${contact ? "has-chat" : "no-chat"}`}>
      {proposed && (
        <ProposedNode
          url={proposed}
          onUse={() => settleProposal(true)}
          onIgnore={() => settleProposal(false)}
        />
      )}
      <aside class="side" aria-label="Chats">
        {panel === "chats" && <ChatList client={client} onPanel={setPanel} onOpen={openChat} />}
        {panel === "new" && <NewChat client={client} onClose={() => setPanel("chats")} onAdded={openChat} />}
        {panel === "settings" && (
          <Settings client={client} pool={nodes.pool} actions={actions} onClose={() => setPanel("chats")} />
        )}
      </aside>
      <main class="main">
        {contact ? (
          <Conversation
            key={contact.address}
            client={client}
            contact={contact}
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
