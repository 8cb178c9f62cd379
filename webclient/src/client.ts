/**
 * The app's engine: keeps the chat state (chat-store.ts), long-polls the node (poller.ts), opens
 * what arrives (arrivals.ts), sends texts and receipts (outbound.ts) and acknowledges only what is
 * safely stored locally. The views hold one WispClient and talk only to it.
 */
import {
  type AsyncWispCrypto,
  type Body,
  type Identity,
  MAX_WAIT_MS,
  type NodeApi,
  parseSharedAddress,
  type ReplyRef,
  sealAsync,
  toB64u,
} from "@wisp/lib";
import { type ArrivalDeps, takeBatch } from "./arrivals";
import { ChatStore } from "./chat-store";
import type { ConnectionState } from "./connection";
import { Conversations, type Core, type Settings } from "./conversations";
import type { EngineParts } from "./engine-parts";
import { redoLostEdits } from "./group-actions";
import { Outbound } from "./outbound";
import { MailboxPoller } from "./poller";
import { RecipientCache } from "./recipients";
import { type ChatState, markRead, upsertContact } from "./state";
import type { Storage } from "./storage";
import { noTiming, type Timing } from "./timing";

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
  /**
   * Who signs, verifies and agrees keys: WebCrypto in the browser (main.tsx), noble's in tests.
   * No default, so that the app does not carry noble's X25519 (docs/webclient.md, "Size").
   */
  crypto: AsyncWispCrypto;
}

export type AddContactResult = { ok: true; address: string } | { ok: false; error: string };

export class WispClient {
  lastError = "";
  openPeer: string | null = null;
  readonly identity: Identity;

  private readonly api: NodeApi;
  private readonly now: () => number;
  private readonly visible: () => boolean;
  private readonly timing: Timing;
  readonly crypto: AsyncWispCrypto;
  private readonly recipients = new RecipientCache();
  private readonly poller: MailboxPoller;
  private talk!: Conversations;
  private out!: Outbound;
  private arrivals!: ArrivalDeps;
  private seenGroups: ChatState["groups"] | null = null;
  private readonly noteError = (message: string): void => {
    this.lastError = message;
  };

  private constructor(
    deps: ClientDeps,
    private readonly chat: ChatStore,
  ) {
    this.identity = deps.identity;
    this.api = deps.api;
    this.now = deps.now ?? Date.now;
    this.visible = deps.visible ?? (() => true);
    this.timing = deps.timing ?? noTiming;
    this.crypto = deps.crypto;
    this.poller = new MailboxPoller({
      ...this.parts(),
      online: deps.online ?? (() => true),
      waitMs: deps.waitMs ?? MAX_WAIT_MS,
      handle: (batch) => takeBatch(this.arrivals, batch),
      answered: () => void this.out.flush().catch(() => {}),
      noteError: this.noteError,
      changed: () => this.chat.emit(),
    });
  }

  static async load(deps: ClientDeps): Promise<WispClient> {
    const client = new WispClient(deps, await ChatStore.load(deps.storage, deps.timing ?? noTiming));
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
      emit: () => client.chat.emit(),
      noteError: client.noteError,
    };
    client.talk = await Conversations.load(core, deps.storage);
    client.out = new Outbound({
      ...client.parts(),
      storage: deps.storage,
      recipients: client.recipients,
      chat: client.chat,
      talk: client.talk,
      now: client.now,
      running: () => client.poller.running,
      noteError: client.noteError,
    });
    client.chat.subscribe(() => client.groupsChanged());
    client.arrivals = {
      ...client.parts(),
      chat: client.chat,
      out: client.out,
      talk: client.talk,
      openPeer: () => client.openPeer,
      readingChat: () => client.readingChat(),
      reportRead: () => client.reportRead(),
    };
    return client;
  }

  get state(): ChatState {
    return this.chat.state;
  }

  get connection(): ConnectionState {
    return this.poller.connection;
  }

  subscribe(listener: () => void): () => void {
    return this.chat.subscribe(listener);
  }

  start(): void {
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
  }

  /**
   * A node may answer again (the browser is online, a node came back): cuts a backoff short and
   * sends what waits at once, without waiting for a long-poll that may be parked for 25 s.
   */
  nudge(): void {
    this.poller.nudge();
    if (this.poller.running) void this.out.flush().catch(() => {});
  }

  addContact(addressText: string, name: string): AddContactResult {
    const parsed = parseSharedAddress(addressText);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    const address = toB64u(parsed.publicKey);
    if (address === this.identity.address) return { ok: false, error: "that is your own address" };
    void this.chat.commit(upsertContact(this.state, address, name, this.now()), [], [address]);
    return { ok: true, address };
  }

  rename(address: string, name: string): void {
    if (!this.state.contacts[address]) return;
    void this.chat.commit(upsertContact(this.state, address, name, this.now()), [], [address]);
  }

  openChat(peer: string | null): void {
    this.openPeer = peer;
    this.chat.emit();
    if (!peer) return;
    void this.apply(markRead(this.state, peer));
    this.reportRead();
  }

  /** Commits a new state, persisting whatever changed in it (state/persist.ts). */
  apply(next: ChatState): Promise<void> {
    return this.chat.apply(next);
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

  /** The open chat while the page is visible and read receipts are on: what arrives there is read. */
  readingChat(): string | null {
    return this.openPeer && this.visible() && this.talk.settings.readReceipts ? this.openPeer : null;
  }

  /** Read receipts for the open chat, while the page is visible. */
  reportRead(): void {
    if (this.openPeer && this.visible()) this.talk.reportRead(this.openPeer);
  }

  /** A text to a person or a group (outbound.ts). */
  send(peer: string, text: string, reply?: ReplyRef): Promise<void> {
    return this.out.send(peer, text, reply);
  }

  /** Sends the text of a failed message again, as a new message in its place. */
  resend(id: string): Promise<void> {
    return this.out.resend(id);
  }

  /** States arrived or I made one: my group changes that lost a fork are made again. */
  private groupsChanged(): void {
    if (this.state.groups === this.seenGroups) return;
    this.seenGroups = this.state.groups;
    void redoLostEdits(this);
  }

  /** What the poller and the sender share with the engine. */
  private parts(): EngineParts {
    return {
      identity: this.identity,
      api: this.api,
      crypto: this.crypto,
      timing: this.timing,
      now: this.now,
    };
  }
}
