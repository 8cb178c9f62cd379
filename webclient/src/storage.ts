/** What the app keeps across reloads. IndexedDB in the browser (db.ts), a Map in tests. */
import type { Contact, Message } from "./state";

export interface Storage {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  loadAll(): Promise<{ contacts: Contact[]; messages: Message[] }>;
  putContact(contact: Contact): Promise<void>;
  deleteContact(address: string): Promise<void>;
  putMessage(message: Message): Promise<void>;
  /** Writes all of them in one transaction: either every record is durable or none is. */
  putMany(messages: readonly Message[], contacts: readonly Contact[]): Promise<void>;
  deleteMessage(id: string): Promise<void>;
  /** Forgets contacts and messages (an imported identity starts with its own history). */
  clearHistory(): Promise<void>;
}

export function memoryStorage(): Storage {
  const kv = new Map<string, unknown>();
  const contacts = new Map<string, Contact>();
  const messages = new Map<string, Message>();
  return {
    async get(key) {
      return structuredClone(kv.get(key));
    },
    async set(key, value) {
      kv.set(key, structuredClone(value));
    },
    async loadAll() {
      return {
        contacts: structuredClone([...contacts.values()]),
        messages: structuredClone([...messages.values()]),
      };
    },
    async putContact(contact) {
      contacts.set(contact.address, structuredClone(contact));
    },
    async deleteContact(address) {
      contacts.delete(address);
    },
    async putMessage(message) {
      messages.set(message.id, structuredClone(message));
    },
    async putMany(list, people) {
      for (const m of list) messages.set(m.id, structuredClone(m));
      for (const c of people) contacts.set(c.address, structuredClone(c));
    },
    async deleteMessage(id) {
      messages.delete(id);
    },
    async clearHistory() {
      contacts.clear();
      messages.clear();
    },
  };
}
