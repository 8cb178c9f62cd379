/**
 * What the engine does beyond texts and delivery receipts (issue 14): my settings and profile,
 * read receipts, group messages (one envelope per member, each with its own ticks) and an outbox
 * of bodies — profiles, reactions, deletes, read receipts, group changes — kept until a node takes
 * them. It works through the few things WispClient lends it (`Core`).
 */
import {
  type Body,
  DEFAULT_TTL_MS,
  type Envelope,
  encodeBody,
  type Identity,
  MAX_ACKS,
  type NodeResult,
  type ReplyRef,
  type StoreResponse,
  toB64u,
} from "@wisp/lib";
import { chunks } from "./group-actions";
import { type ChatState, findMessage, type MemberCopy } from "./state";
import { advanceCopy, markProfileSent, pendingCopies, replaceCopy, takeReadReceipts } from "./state/bodies";
import { catchUp } from "./state/groups";
import { addOutgoing } from "./state/outgoing";
import type { Storage } from "./storage";

export interface Profile {
  name: string;
  avatar?: string;
  updatedAt: number;
}

/** The user's own choices, kept in the key-value store. */
export interface Settings {
  readReceipts: boolean;
  profile: Profile | null;
  /** The node's real TTL, learned from its store answers (expiresAt − now). */
  ttlMs: number;
}

/** A body waiting for a node, sealed when it goes out. */
interface OutboxItem {
  to: string;
  body: string;
}

/** What the engine lends: its identity, its state and how to change it, and its node. */
export interface Core {
  readonly identity: Identity;
  readonly state: ChatState;
  apply(next: ChatState): Promise<void>;
  store(envelope: Envelope): Promise<NodeResult<StoreResponse>>;
  /** Seals a body to an address with the engine's crypto; null for an address nothing can be sealed to. */
  seal(address: string, body: Uint8Array): Promise<Envelope | null>;
  now(): number;
  emit(): void;
  /** A passing failure, shown as the connection's last error. */
  noteError(message: string): void;
}

/** Node answers that will not change on retry: the message is reported as not sent. */
export const PERMANENT_STORE_ERRORS = new Set(["bad_request", "too_large", "bad_response"]);

const SETTINGS_KEY = "settings";
const MAX_ANSWERED = 1_000;
/** Within a node's per-address burst (60) with room for the poll and receipts. */
const STORES_AT_ONCE = 6;
const OUTBOX_KEY = "outbox";

export class Conversations {
  settings: Settings;
  private outbox: OutboxItem[];
  private readonly inFlight = new Set<string>();
  private readonly answered = new Set<string>();
  private rounds: Promise<void> = Promise.resolve();

  private constructor(
    private readonly core: Core,
    private readonly storage: Storage,
    saved: { settings: Settings; outbox: OutboxItem[] },
  ) {
    this.settings = saved.settings;
    this.outbox = saved.outbox;
  }

  static async load(core: Core, storage: Storage): Promise<Conversations> {
    const saved = (await storage.get(SETTINGS_KEY)) as Partial<Settings> | undefined;
    const settings: Settings = { readReceipts: true, profile: null, ttlMs: DEFAULT_TTL_MS, ...saved };
    const outbox = ((await storage.get(OUTBOX_KEY)) as OutboxItem[] | undefined) ?? [];
    return new Conversations(core, storage, { settings, outbox });
  }

  /** Queues a body for each address; it is sealed and stored when a node takes it, retried until then. */
  post(to: readonly string[], body: Body): void {
    const text = new TextDecoder().decode(encodeBody(body));
    for (const address of to)
      if (address !== this.core.identity.address) this.outbox.push({ to: address, body: text });
    void this.storage.set(OUTBOX_KEY, this.outbox);
    void this.flush().catch(() => {});
  }

  /**
   * The outbox, then group copies still waiting; a passing failure stops the round (retried next
   * poll). One round at a time, in order: a round asked for during another runs after it, where
   * beside it both would seal and store the same bodies (every read receipt went out twice).
   */
  flush(): Promise<void> {
    const next = this.rounds.then(() => this.flushRound());
    this.rounds = next.catch(() => {});
    return next;
  }

  private async flushRound(): Promise<void> {
    for (const item of [...this.outbox]) {
      const envelope = await this.core.seal(item.to, new TextEncoder().encode(item.body));
      const r = envelope ? await this.core.store(envelope) : null;
      if (r && !r.ok && !PERMANENT_STORE_ERRORS.has(r.error.code)) break;
      this.outbox = this.outbox.filter((x) => x !== item);
      await this.storage.set(OUTBOX_KEY, this.outbox);
    }
    await this.storeCopies();
  }

  async saveSettings(change: Partial<Settings>): Promise<void> {
    this.settings = { ...this.settings, ...change };
    this.core.emit();
    await this.storage.set(SETTINGS_KEY, this.settings);
  }

  /** Sets my display name (and picture) and sends it to everyone I talk to. */
  async setProfile(name: string, avatar?: string): Promise<void> {
    const profile: Profile = { name: name.trim(), updatedAt: this.core.now(), ...(avatar ? { avatar } : {}) };
    await this.saveSettings({ profile });
    const everyone = new Set(Object.keys(this.core.state.contacts));
    for (const g of Object.values(this.core.state.groups)) for (const m of g.members) everyone.add(m);
    this.sendProfileTo([...everyone]);
  }

  /** My profile to whoever does not have its current version yet. */
  sendProfileTo(addresses: readonly string[]): void {
    const profile = this.settings.profile;
    if (!profile) return;
    const due = addresses.filter(
      (a) => (this.core.state.contacts[a]?.profileSentAt ?? -1) < profile.updatedAt,
    );
    if (due.length === 0) return;
    this.post(due, { type: "profile", ...profile });
    let next = this.core.state;
    for (const a of due) next = markProfileSent(next, a, profile.updatedAt);
    void this.core.apply(next);
  }

  /** Read receipts for a chat's unread messages: sent when the setting is on, consumed either way. */
  reportRead(chat: string): void {
    const { state, receipts } = takeReadReceipts(this.core.state, chat);
    if (state === this.core.state) return;
    void this.core.apply(state);
    if (!this.settings.readReceipts) return;
    for (const [to, ids] of receipts)
      for (let i = 0; i < ids.length; i += MAX_ACKS)
        this.post([to], { type: "read", ids: ids.slice(i, i + MAX_ACKS) });
  }

  /** A group message: one envelope per member, each with its own ticks; the same `mid` in all. */
  async sendGroup(gid: string, text: string, reply?: ReplyRef): Promise<void> {
    const me = this.core.identity.address;
    const group = this.core.state.groups[gid];
    if (!group?.members.includes(me)) return;
    const others = group.members.filter((m) => m !== me);
    this.sendProfileTo(others);
    const sentAt = this.core.now();
    const mid = toB64u(crypto.getRandomValues(new Uint8Array(16)));
    const head = group.head;
    const body = encodeBody({
      type: "text",
      text,
      sentAt,
      group: gid,
      mid,
      head,
      ...(reply ? { reply } : {}),
    });
    const copies: Record<string, MemberCopy> = {};
    const sealed = await Promise.all(others.map((member) => this.core.seal(member, body)));
    others.forEach((member, i) => {
      const envelope = sealed[i];
      if (envelope) copies[member] = { env: envelope.id, status: "sending", envelope };
    });
    await this.core.apply(addOutgoing(this.core.state, { id: mid, peer: gid, text, sentAt, reply, copies }));
    await this.storeCopies();
  }

  /**
   * A group text came with an older head than mine: its sender missed changes (offline longer
   * than the TTL, say), so they get the states after theirs. Once per sender and head.
   */
  answerStaleHead(from: string, body: Body): void {
    if (body.type !== "text" || !body.group || !body.head) return;
    const key = `${from} ${body.head}`;
    if (this.answered.has(key)) return;
    const missing = catchUp(this.core.state, body.group, body.head);
    if (!missing || missing.length === 0) return;
    if (this.answered.size >= MAX_ANSWERED) this.answered.clear();
    this.answered.add(key);
    for (const part of chunks(missing)) this.post([from], { type: "group", gid: body.group, changes: part });
  }

  /** Seals the failed copies of my group message again, for those members only, and stores them. */
  async resendCopies(mid: string): Promise<void> {
    const m = findMessage(this.core.state, mid);
    if (!m?.out || !m.copies || !m.peer) return;
    const group = this.core.state.groups[m.peer];
    const body = encodeBody({
      type: "text",
      text: m.text,
      sentAt: m.sentAt,
      group: m.peer,
      mid,
      ...(group ? { head: group.head } : {}),
      ...(m.reply ? { reply: m.reply } : {}),
    });
    const failed = Object.entries(m.copies)
      .filter(([, copy]) => copy.status === "failed")
      .map(([member]) => member);
    const sealed = await Promise.all(failed.map((member) => this.core.seal(member, body)));
    // Applied on the state as it is after sealing: other changes may have come meanwhile.
    let next = this.core.state;
    failed.forEach((member, i) => {
      const envelope = sealed[i];
      if (envelope) next = replaceCopy(next, mid, member, { env: envelope.id, status: "sending", envelope });
    });
    await this.core.apply(next);
    await this.storeCopies();
  }

  /** The node's TTL as the figure people are shown (a store takes a moment: rounded). */
  learnTtl(expiresAt: number): void {
    const ttl = expiresAt - this.core.now();
    if (!Number.isFinite(ttl) || ttl <= 0) return;
    const unit = ttl >= 120_000 ? 60_000 : 1_000;
    const rounded = Math.max(unit, Math.round(ttl / unit) * unit);
    if (rounded !== this.settings.ttlMs) void this.saveSettings({ ttlMs: rounded });
  }

  /** Copies go out a few at a time: a group of 32 is 31 stores, each a round trip. */
  private async storeCopies(): Promise<void> {
    const waiting = pendingCopies(this.core.state).filter(
      ({ copy }) => copy.envelope && !this.inFlight.has(copy.env),
    );
    let failedForNow = false;
    const next = async (): Promise<void> => {
      for (let item = waiting.shift(); item && !failedForNow; item = waiting.shift()) {
        if (!(await this.storeCopy(item.copy))) failedForNow = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(STORES_AT_ONCE, waiting.length) }, next));
  }

  /** False on a passing failure (the node is away): the rest waits for the next round. */
  private async storeCopy(copy: MemberCopy): Promise<boolean> {
    if (!copy.envelope || this.inFlight.has(copy.env)) return true;
    this.inFlight.add(copy.env);
    try {
      const r = await this.core.store(copy.envelope);
      if (r.ok) {
        this.learnTtl(r.value.expiresAt);
        await this.core.apply(
          advanceCopy(this.core.state, copy.env, null, "stored", { expiresAt: r.value.expiresAt }),
        );
        return true;
      }
      if (PERMANENT_STORE_ERRORS.has(r.error.code)) {
        await this.core.apply(advanceCopy(this.core.state, copy.env, null, "failed"));
        return true;
      }
      this.core.noteError(r.error.message);
      return false;
    } finally {
      this.inFlight.delete(copy.env);
    }
  }
}
