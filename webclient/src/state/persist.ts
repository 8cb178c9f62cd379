/** Writes what changed between two states: states are immutable, so a changed record is a new object. */
import type { ChatState, Message } from "../state";
import type { Storage } from "../storage";

export async function persistChanges(
  storage: Storage,
  prev: ChatState,
  next: ChatState,
  groupsKey: string,
): Promise<void> {
  for (const [address, contact] of Object.entries(next.contacts))
    if (prev.contacts[address] !== contact) await storage.putContact(contact);
  for (const address of Object.keys(prev.contacts))
    if (!(address in next.contacts)) await storage.deleteContact(address);
  for (const chat of new Set([...Object.keys(prev.messages), ...Object.keys(next.messages)])) {
    const before = prev.messages[chat] ?? [];
    const after = next.messages[chat] ?? [];
    if (before === after) continue;
    const old = new Map<string, Message>(before.map((m) => [m.id, m]));
    for (const m of after) {
      if (old.get(m.id) !== m) await storage.putMessage(m);
      old.delete(m.id);
    }
    for (const id of old.keys()) await storage.deleteMessage(id);
  }
  if (prev.groups !== next.groups) await storage.set(groupsKey, Object.values(next.groups));
}
