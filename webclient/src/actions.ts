/** What a user does to messages and chats: react, delete (for me, for everyone), delete a chat. */
import type { WispClient } from "./client";
import { leaveGroup } from "./group-actions";
import { findMessage } from "./state";
import { deleteChat, deleteForMe, setReaction, tombstone } from "./state/bodies";

/** Everyone else in the chat: the contact, or the group's other members. */
export function chatRecipients(client: WispClient, chat: string): string[] {
  const group = client.state.groups[chat];
  if (!group) return [chat];
  return group.members.filter((m) => m !== client.identity.address);
}

/** My reaction ("" takes it back); everyone in the chat is told. */
export function react(client: WispClient, id: string, emoji: string): void {
  const m = findMessage(client.state, id);
  if (!m || m.deleted) return;
  const sentAt = Date.now();
  void client.apply(setReaction(client.state, id, client.identity.address, emoji, sentAt));
  const group = client.state.groups[m.peer] ? { group: m.peer } : {};
  client.post(chatRecipients(client, m.peer), { type: "reaction", id, emoji, sentAt, ...group });
}

/** Only my own messages can be deleted for everyone; recipients check that too. */
export function deleteForEveryone(client: WispClient, id: string): void {
  const m = findMessage(client.state, id);
  if (!m?.out || m.deleted) return;
  void client.apply(tombstone(client.state, id));
  const group = client.state.groups[m.peer] ? { group: m.peer } : {};
  client.post(chatRecipients(client, m.peer), { type: "delete", ids: [id], sentAt: Date.now(), ...group });
}

export function deleteMessageForMe(client: WispClient, id: string): void {
  void client.apply(deleteForMe(client.state, id));
}

/**
 * Deletes a chat from this device; a group I am still in is left first (its leave signed and
 * sent), as WhatsApp asks.
 */
export async function removeChat(client: WispClient, chat: string): Promise<void> {
  if (client.state.groups[chat]?.members.includes(client.identity.address)) await leaveGroup(client, chat);
  if (client.openPeer === chat) client.openChat(null);
  await client.apply(deleteChat(client.state, chat));
}
