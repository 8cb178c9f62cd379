/**
 * The app's engine: keeps the chat state, persists every change, long-polls the node, opens what
 * arrives, sends receipts and acknowledges only what is safely stored locally.
 */
import {
  decodeBody,
  encodeBody,
  fromB64uExact,
  type Identity,
  MAX_ACKS,
  MAX_WAIT_MS,
  open,
  parseAddress,
  type RetrieveResponse,
  seal,
  signRetrieve,
  toB64u,
} from "@wisp/lib";
import type { NodeApi } from "./api";
import { backoffMs, type ConnectionState, connectionState } from "./connection";
import {
  addOutgoing,
  applyNack,
  applyReceipt,
  type ChatState,
  findMessage,
  hydrate,
  markRead,
  markRejected,
  markStored,
  pendingSends,
  receiveText,
  removeMessage,
  upsertContact,
} from "./state";
import type { Storage } from "./storage";

export interface ClientDeps {
  identity: Identity;
  api: NodeApi;
  storage: Storage;
  now?: () => number;
  online?: () => boolean;
  /** Long-poll wait in ms; tests shorten it. */
  waitMs?: number;
}

export type AddContactResult = { ok: true; address: string } | { ok: false; error: string };

/** Node answers that will not change on retry: the message is reported as not sent. */
const PERMANENT_STORE_ERRORS = new Set(["bad_request", "too_large", "bad_response"]);

export class WispClient {
  state: ChatState;
  connection: ConnectionState = "connecting";
  lastError = "";
  openPeer: string | null = null;
  readonly identity: Identity;

  private api: NodeApi;
  private readonly storage: Storage;
  private readonly now: () => number;
  private readonly online: () => boolean;
  private readonly waitMs: number;
  private readonly listeners = new Set<() => void>();
  private readonly pendingAcks = new Set<string>();
  private readonly pendingReceipts = new Map<string, Set<string>>();
  private readonly inFlight = new Set<string>();
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
    this.waitMs = deps.waitMs ?? MAX_WAIT_MS;
    this.state = state;
  }

  static async load(deps: ClientDeps): Promise<WispClient> {
    const { contacts, messages } = await deps.storage.loadAll();
    return new WispClient(deps, hydrate(contacts, messages));
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

  /** Points the app at another node and starts polling it at once. */
  setApi(api: NodeApi): void {
    this.stop();
    this.api = api;
    this.failures = 0;
    this.everConnected = false;
    this.setConnection();
    this.start();
  }

  /** Cuts a backoff short, e.g. when the browser says it is online again. */
  nudge(): void {
    this.setConnection();
    this.wake?.();
  }

  addContact(addressText: string, name: string): AddContactResult {
    const parsed = parseAddress(addressText);
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
    if (peer) void this.commit(markRead(this.state, peer), [], [peer]);
  }

  async send(peer: string, text: string): Promise<void> {
    const parsed = parseAddress(peer);
    if (!parsed.ok || !text.trim()) return;
    const sentAt = this.now();
    const envelope = seal(this.identity, parsed.publicKey, encodeBody({ type: "text", text, sentAt }));
    await this.commit(
      addOutgoing(this.state, { id: envelope.id, peer, text, sentAt, envelope }),
      [envelope.id],
      [peer],
    );
    await this.storeMessage(envelope.id);
  }

  /** Sends the text of a failed message again, as a new message in its place. */
  async resend(id: string): Promise<void> {
    const m = findMessage(this.state, id);
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
      const r = await this.api.store(m.envelope);
      if (r.ok) return this.commit(markStored(this.state, id), [id], []);
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
    while (!signal.aborted) {
      const ack = [...this.pendingAcks].slice(0, MAX_ACKS);
      const request = signRetrieve(this.identity, this.now(), ack, wait);
      const r = await this.api.retrieve(request, signal);
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

  private async handleBatch(batch: RetrieveResponse): Promise<void> {
    for (const envelope of batch.messages) {
      await this.handleEnvelope(envelope);
      this.acknowledge(envelope.id);
    }
    for (const nack of batch.nacks) {
      if (findMessage(this.state, nack.id)?.out)
        await this.commit(applyNack(this.state, nack.id, nack.to, nack.expiredAt), [nack.id], []);
      this.acknowledge(nack.id);
    }
  }

  /** An id that is not 16 bytes can name no entry, and signRetrieve would refuse it. */
  private acknowledge(id: string): void {
    if (fromB64uExact(id, 16)) this.pendingAcks.add(id);
  }

  private async handleEnvelope(stored: RetrieveResponse["messages"][number]): Promise<void> {
    const opened = open(this.identity, stored);
    if (!opened.ok) return;
    const from = toB64u(opened.senderPublicKey);
    const body = decodeBody(opened.body);
    if (body?.type === "text") {
      const incoming = {
        id: opened.id,
        peer: from,
        text: body.text,
        sentAt: body.sentAt,
        receivedAt: this.now(),
      };
      const { state } = receiveText(this.state, incoming, this.openPeer);
      await this.commit(state, [opened.id], [from]);
      this.queueReceipt(from, opened.id);
      return;
    }
    if (body?.type === "receipt") {
      const ids = body.ids.filter((id) => this.state.index[id] === from);
      await this.commit(applyReceipt(this.state, from, ids), ids, []);
    }
  }

  private queueReceipt(peer: string, id: string): void {
    const ids = this.pendingReceipts.get(peer) ?? new Set<string>();
    ids.add(id);
    this.pendingReceipts.set(peer, ids);
  }

  /** Receipts and messages still waiting for a node; each stays queued until a node takes it. */
  private async flushOutbox(): Promise<void> {
    for (const [peer, ids] of [...this.pendingReceipts]) {
      this.pendingReceipts.delete(peer);
      const parsed = parseAddress(peer);
      if (!parsed.ok) continue;
      const list = [...ids].slice(0, MAX_ACKS);
      const receipt = seal(this.identity, parsed.publicKey, encodeBody({ type: "receipt", ids: list }));
      const r = await this.api.store(receipt);
      if (!r.ok) for (const id of list) this.queueReceipt(peer, id);
    }
    for (const m of pendingSends(this.state)) await this.storeMessage(m.id);
  }

  private async commit(next: ChatState, messageIds: string[], contacts: string[]): Promise<void> {
    if (next === this.state) return;
    this.state = next;
    this.emit();
    for (const id of messageIds) {
      const m = findMessage(next, id);
      if (m) await this.storage.putMessage(m);
    }
    for (const address of contacts) {
      const c = next.contacts[address];
      if (c) await this.storage.putContact(c);
    }
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
