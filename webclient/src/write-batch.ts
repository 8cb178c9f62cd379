/**
 * The engine's writes, batched: every message and contact changed within one turn of the event
 * loop goes to storage in one transaction (IndexedDB commits one transaction in about the time of
 * one put). Records are read from the state when the batch is written, so the newest version of
 * each wins; every caller learns when what it asked for is durable, which is when the poll loop
 * may acknowledge it.
 */
import { type ChatState, type Contact, findMessage, type Message } from "./state";
import type { Storage } from "./storage";

export class WriteBatch {
  private readonly messageIds = new Set<string>();
  private readonly addresses = new Set<string>();
  private scheduled: Promise<void> | null = null;

  constructor(
    private readonly storage: Storage,
    private readonly state: () => ChatState,
  ) {}

  /** Resolves once these records, as the state holds them at the end of this turn, are stored. */
  write(messageIds: readonly string[], addresses: readonly string[]): Promise<void> {
    if (messageIds.length === 0 && addresses.length === 0) return Promise.resolve();
    for (const id of messageIds) this.messageIds.add(id);
    for (const address of addresses) this.addresses.add(address);
    this.scheduled ??= Promise.resolve().then(() => this.flush());
    return this.scheduled;
  }

  private flush(): Promise<void> {
    this.scheduled = null;
    const state = this.state();
    const messages: Message[] = [];
    const contacts: Contact[] = [];
    for (const id of this.messageIds) {
      const m = findMessage(state, id);
      if (m) messages.push(m);
    }
    for (const address of this.addresses) {
      const c = state.contacts[address];
      if (c) contacts.push(c);
    }
    this.messageIds.clear();
    this.addresses.clear();
    // IndexedDB runs read-write transactions on the same stores in the order they were created,
    // so a later batch never lands before an earlier one.
    return this.storage.putMany(messages, contacts);
  }
}
