/**
 * The app's engine: keeps the chat state, persists every change, long-polls the node, opens what
 * arrives, sends receipts and acknowledges only what is safely stored locally.
 */
import {
  type AsyncWispCrypto,
  type Body,
  decodeBody,
  type Envelope,
  encodeBody,
  fromB64uExact,
  type Identity,
  MAX_ACKS,
  MAX_WAIT_MS,
  type NodeApi,
  nobleAsyncCrypto,
  openAsync,
  parseSharedAddress,
  type ReplyRef,
  type RetrieveResponse,
  sealAsync,
  signRetrieveAsync,
  toB64u,
} from "@wisp/lib";
import { afterRender } from "./after-render";
import { backoffMs, type ConnectionState, connectionState } from "./connection";
import { Conversations, type Core, PERMANENT_STORE_ERRORS, type Settings } from "./conversations";
import { applyBatch, type Opened } from "./inbox";
import { ReceiptQueue } from "./receipts";
import { RecipientCache } from "./recipients";
import {
  addOutgoing,
  attachEnvelope,
  type ChatState,
  findMessage,
  hydrate,
  markRead,
  markRejected,
  markStored,
  pendingSends,
  removeMessage,
  upsertContact,
} from "./state";
import type { Group } from "./state/groups";
import { persistChanges } from "./state/persist";
import type { Storage } from "./storage";
import { noTiming, type Timing } from "./timing";
import { WriteBatch } from "./write-batch";

export interface ClientDeps {
  identity: Identity;
  api: NodeApi;
  storage: Storage;
  now?: () => number;
  online?: () => boolean;
  /** Whether the user can see the page: read receipts go out only then. */
  visible?: () => boolean;
  /** Long-poll wait in ms; tests shorten it. */
  waitMs?: number;
  /** User Timing spans for traces and the bench; none by default. */
  timing?: Timing;
  /** Who signs, verifies and agrees keys: WebCrypto in the browser (main.tsx), noble by default. */
  crypto?: AsyncWispCrypto;
}

export type AddContactResult = { ok: true; address: string } | { ok: false; error: string };

const GROUPS_KEY = "groups";

export class WispClient {
  state: ChatState;
  connection: ConnectionState = "connecting";
  lastError = "";
  openPeer: string | null = null;
  readonly identity: Identity;

  private readonly api: NodeApi;
  private readonly storage: Storage;
  private readonly writes: WriteBatch;
  private readonly now: () => number;
  private readonly online: () => boolean;
  private readonly visible: () => boolean;
  private readonly waitMs: number;
  private readonly timing: Timing;
  private readonly crypto: AsyncWispCrypto;
  private readonly recipients = new RecipientCache();
  private readonly listeners = new Set<() => void>();
  private readonly pendingAcks = new Set<string>();
  private readonly receipts = new ReceiptQueue((peer, ids) => this.sendReceipt(peer, ids));
  private readonly inFlight = new Set<string>();
  private flushing: Promise<void> | null = null;
  private flushAgain = false;
  private talk!: Conversations;
  private failures = 0;
  private everConnected = false;
  private loop: AbortController | null = null;
  private wake: (() => void) | null = null;

  private constructor(deps: ClientDeps, state: ChatState) {
    this.identity = deps.identity;
    this.api = deps.api;
    this.storage = deps.storage;
    this.now = deps.now ?? Date.now;
    this.online = deps.online ?? (() => true);
    this.visible = deps.visible ?? (() => true);
    this.waitMs = deps.waitMs ?? MAX_WAIT_MS;
    this.timing = deps.timing ?? noTiming;
    this.crypto = deps.crypto ?? nobleAsyncCrypto;
    this.state = state;
    this.writes = new WriteBatch(deps.storage, () => this.state);
  }

  static async load(deps: ClientDeps): Promise<WispClient> {
    const { contacts, messages } = await deps.storage.loadAll();
    const groups = ((await deps.storage.get(GROUPS_KEY)) as Group[] | undefined) ?? [];
    const client = new WispClient(deps, hydrate(contacts, messages, groups));
    const core: Core = {
      identity: client.identity,
      get state() {
        return client.state;
      },
      apply: (next) => client.apply(next),
      store: (envelope) => client.api.store(envelope),
      seal: async (address, body) => {
        const recipient = client.recipients.get(address);
        return recipient ? sealAsync(client.identity, recipient, body, client.crypto) : null;
      },
      now: () => client.now(),
      emit: () => client.emit(),
      noteError: (message) => {
        client.lastError = message;
      },
    };
    client.talk = await Conversations.load(core, deps.storage);
    return client;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.loop) return;
    const controller = new AbortController();
    this.loop = controller;
    void this.pollLoop(controller.signal);
  }

  stop(): void {
    this.loop?.abort();
    this.loop = null;
    this.wake?.();
  }

  /**
   * A node may answer again (the browser is online, a node came back): cuts a backoff short and
   * sends what waits at once, without waiting for a long-poll that may be parked for 25 s.
   */
  nudge(): void {
    this.setConnection();
    this.wake?.();
    if (this.loop) void this.flushOutbox().catch(() => {});
  }

  addContact(addressText: string, name: string): AddContactResult {
    const parsed = parseSharedAddress(addressText);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    const address = toB64u(parsed.publicKey);
    if (address === this.identity.address) return { ok: false, error: "that is your own address" };
    void this.commit(upsertContact(this.state, address, name, this.now()), [], [address]);
    return { ok: true, address };
  }

  rename(address: string, name: string): void {
    if (!this.state.contacts[address]) return;
    void this.commit(upsertContact(this.state, address, name, this.now()), [], [address]);
  }

  openChat(peer: string | null): void {
    this.openPeer = peer;
    this.emit();
    if (!peer) return;
    void this.apply(markRead(this.state, peer));
    this.reportRead();
  }

  /** Commits a new state, persisting whatever changed in it (state/persist.ts). */
  async apply(next: ChatState): Promise<void> {
    const prev = this.state;
    if (next === prev) return;
    this.state = next;
    this.emit();
    await persistChanges(this.storage, prev, next, GROUPS_KEY);
  }

  get settings(): Settings {
    return this.talk.settings;
  }

  saveSettings(change: Partial<Settings>): Promise<void> {
    return this.talk.saveSettings(change);
  }

  setProfile(name: string, avatar?: string): Promise<void> {
    return this.talk.setProfile(name, avatar);
  }

  /** Queues a body for each address until a node takes it (conversations.ts). */
  post(to: readonly string[], body: Body): void {
    this.talk.post(to, body);
  }

  /** Read receipts for the open chat, while the page is visible. */
  reportRead(): void {
    if (this.openPeer && this.visible()) this.talk.reportRead(this.openPeer);
  }

  /**
   * Shows the bubble at once (the same frame as the Enter), then seals after that render, then
   * writes it and asks the node to store it side by side: IndexedDB queues the write before any
   * later status write of the same message, and the node answers a repeated id with 200.
   */
  async send(peer: string, text: string, reply?: ReplyRef): Promise<void> {
    if (!text.trim()) return;
    if (this.state.groups[peer]) return this.talk.sendGroup(peer, text, reply);
    if (!fromB64uExact(peer, 32)) return;
    const sentAt = this.now();
    const rawId = crypto.getRandomValues(new Uint8Array(16));
    const id = toB64u(rawId);
    this.state = addOutgoing(this.state, { id, peer, text, sentAt, reply });
    this.emit();
    await afterRender();
    const recipient = this.recipients.get(peer);
    if (!recipient) {
      await this.commit(markRejected(this.state, id, "not a valid address"), [id], [peer]);
      return;
    }
    const sealing = this.timing.now();
    const body = encodeBody({ type: "text", text, sentAt, ...(reply ? { reply } : {}) });
    let envelope: Envelope;
    try {
      envelope = await sealAsync(this.identity, recipient, body, this.crypto, { id: rawId });
    } catch (err) {
      await this.commit(
        markRejected(this.state, id, err instanceof Error ? err.message : String(err)),
        [id],
        [peer],
      );
      return;
    }
    this.timing.span("wisp:seal", sealing, { id });
    this.state = attachEnvelope(this.state, id, envelope);
    await Promise.all([this.persist([id], [peer]), this.storeMessage(id)]);
    // After the text: a recipient takes a name only from someone it has a chat with.
    this.talk.sendProfileTo([peer]);
  }

  /** Sends the text of a failed message again, as a new message in its place. */
  async resend(id: string): Promise<void> {
    const m = findMessage(this.state, id);
    if (m?.copies) return this.talk.resendCopies(id);
    if (!m?.out || m.status !== "failed") return;
    this.state = removeMessage(this.state, id);
    await this.storage.deleteMessage(id);
    await this.send(m.peer, m.text);
  }

  private async storeMessage(id: string): Promise<void> {
    const m = findMessage(this.state, id);
    if (!m?.envelope || this.inFlight.has(id)) return;
    this.inFlight.add(id);
    try {
      const storing = this.timing.now();
      const r = await this.api.store(m.envelope);
      this.timing.span("wisp:store", storing, { id });
      if (r.ok) {
        this.talk.learnTtl(r.value.expiresAt);
        return this.commit(markStored(this.state, id, r.value.expiresAt), [id], []);
      }
      if (PERMANENT_STORE_ERRORS.has(r.error.code))
        return this.commit(markRejected(this.state, id, r.error.message), [id], []);
      // A passing outage: the clock stays and the poll loop retries once the node answers again.
      this.lastError = r.error.message;
    } finally {
      this.inFlight.delete(id);
    }
  }

  private async pollLoop(signal: AbortSignal): Promise<void> {
    let wait = 0;
    let answered = this.timing.now();
    while (!signal.aborted) {
      const ack = [...this.pendingAcks].slice(0, MAX_ACKS);
      const request = await signRetrieveAsync(this.identity, this.now(), ack, wait, this.crypto);
      this.timing.span("wisp:rearm", answered, { acks: ack.length });
      const asking = this.timing.now();
      const r = await this.api.retrieve(request, signal);
      answered = this.timing.now();
      if (r.ok) this.timing.span("wisp:poll", asking, { ids: r.value.messages.map((m) => m.id) });
      if (signal.aborted) return;
      if (!r.ok) {
        this.failures++;
        this.lastError = r.error.message;
        this.setConnection();
        await this.sleep(backoffMs(this.failures), signal);
        wait = 0;
        continue;
      }
      for (const id of ack) this.pendingAcks.delete(id);
      this.failures = 0;
      this.everConnected = true;
      this.setConnection();
      try {
        await this.handleBatch(r.value);
      } catch (err) {
        // Storage failed: what was not stored stays unacknowledged, so the node sends it again.
        this.lastError = err instanceof Error ? err.message : String(err);
        await this.sleep(backoffMs(1), signal);
      }
      void this.flushOutbox().catch(() => {});
      wait = r.value.more || this.pendingAcks.size > MAX_ACKS ? 0 : this.waitMs;
    }
  }

  /**
   * Opens the whole answer and shows it in one render, sends the receipts at once, then writes
   * everything in one transaction; only then are the ids acknowledged, so a crash before the write
   * means the node delivers them again (and dedup absorbs what did arrive).
   */
  private async handleBatch(batch: RetrieveResponse): Promise<void> {
    const opened = await Promise.all(batch.messages.map((envelope) => this.openTimed(envelope)));
    const before = this.state;
    const effect = applyBatch(
      this.state,
      opened,
      batch.nacks,
      this.openPeer,
      this.now(),
      this.identity.address,
    );
    if (effect.state !== this.state) {
      this.state = effect.state;
      this.emit();
    }
    for (const { peer, id } of effect.receipts) this.receipts.add(peer, id);
    // The bubbles render before the receipts are sealed; the receipts go before the write.
    void afterRender()
      .then(() => this.receipts.flush())
      .catch(() => {});
    await this.persist(effect.messageIds, effect.contacts);
    if (effect.state.groups !== before.groups)
      await this.storage.set(GROUPS_KEY, Object.values(this.state.groups));
    for (const { opened: o, body } of opened)
      if (o.ok && body) this.talk.answerStaleHead(toB64u(o.senderPublicKey), body);
    if (opened.some((o) => o.body?.type === "text")) this.reportRead();
    for (const envelope of batch.messages) this.acknowledge(envelope.id);
    for (const nack of batch.nacks) this.acknowledge(nack.id);
  }

  /** An id that is not 16 bytes can name no entry, and signRetrieve would refuse it. */
  private acknowledge(id: string): void {
    if (fromB64uExact(id, 16)) this.pendingAcks.add(id);
  }

  private async openTimed(stored: RetrieveResponse["messages"][number]): Promise<Opened> {
    const opening = this.timing.now();
    const opened = await openAsync(this.identity, stored, this.crypto);
    const body = opened.ok ? decodeBody(opened.body) : null;
    this.timing.span("wisp:open", opening, {
      id: stored.id,
      for: body?.type === "receipt" ? body.ids : undefined,
    });
    return { opened, body };
  }

  /**
   * Receipts, bodies and messages still waiting for a node; each stays queued until a node takes
   * it. One flush at a time: a nudge during a flush runs one more after it, instead of sealing the
   * outbox's bodies a second time beside it.
   */
  private flushOutbox(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      try {
        do {
          this.flushAgain = false;
          await this.receipts.flush();
          await this.talk.flush();
          for (const m of pendingSends(this.state)) await this.storeMessage(m.id);
        } while (this.flushAgain && this.loop);
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }

  private async sendReceipt(peer: string, ids: string[]): Promise<boolean> {
    const recipient = this.recipients.get(peer);
    // Nothing can be sealed to that address, so nobody waits for this receipt.
    if (!recipient) return true;
    const sending = this.timing.now();
    const body = encodeBody({ type: "receipt", ids });
    const r = await this.api.store(await sealAsync(this.identity, recipient, body, this.crypto));
    this.timing.span("wisp:receipt", sending, { ids });
    return r.ok;
  }

  private async commit(next: ChatState, messageIds: string[], contacts: string[]): Promise<void> {
    if (next === this.state) return;
    this.state = next;
    this.emit();
    await this.persist(messageIds, contacts);
  }

  private async persist(messageIds: string[], contacts: string[]): Promise<void> {
    const writing = this.timing.now();
    await this.writes.write(messageIds, contacts);
    this.timing.span("wisp:idb", writing, { ids: messageIds });
  }

  private setConnection(): void {
    const state = connectionState(this.failures, this.everConnected, this.online());
    if (state === this.connection) return;
    this.connection = state;
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
      this.wake = done;
    });
  }
}
