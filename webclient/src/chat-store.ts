/**
 * The chat state the app shows, who is told when it changes, and how each change reaches storage:
 * whole diffs (state/persist.ts) or the named messages and contacts in one write (write-batch.ts).
 */
import { type ChatState, hydrate } from "./state";
import type { Group } from "./state/groups";
import { persistChanges } from "./state/persist";
import type { Storage } from "./storage";
import type { Timing } from "./timing";
import { WriteBatch } from "./write-batch";

const GROUPS_KEY = "groups";

export class ChatStore {
  state: ChatState;
  private readonly listeners = new Set<() => void>();
  private readonly writes: WriteBatch;

  private constructor(
    private readonly storage: Storage,
    private readonly timing: Timing,
    state: ChatState,
  ) {
    this.state = state;
    this.writes = new WriteBatch(storage, () => this.state);
  }

  static async load(storage: Storage, timing: Timing): Promise<ChatStore> {
    const { contacts, messages } = await storage.loadAll();
    const groups = ((await storage.get(GROUPS_KEY)) as Group[] | undefined) ?? [];
    return new ChatStore(storage, timing, hydrate(contacts, messages, groups));
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(): void {
    for (const listener of this.listeners) listener();
  }

  /** Commits a new state, persisting whatever changed in it (state/persist.ts). */
  async apply(next: ChatState): Promise<void> {
    const prev = this.state;
    if (next === prev) return;
    this.state = next;
    this.emit();
    await persistChanges(this.storage, prev, next, GROUPS_KEY);
  }

  /** Commits a new state, writing the messages and contacts it names. */
  async commit(next: ChatState, messageIds: string[], contacts: string[]): Promise<void> {
    if (next === this.state) return;
    this.state = next;
    this.emit();
    await this.persist(messageIds, contacts);
  }

  async persist(messageIds: string[], contacts: string[]): Promise<void> {
    const writing = this.timing.now();
    await this.writes.write(messageIds, contacts);
    this.timing.span("wisp:idb", writing, { ids: messageIds });
  }

  writeGroups(): Promise<void> {
    return this.storage.set(GROUPS_KEY, Object.values(this.state.groups));
  }
}
