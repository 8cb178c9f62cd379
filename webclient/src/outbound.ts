/**
 * What the engine sends itself: a text to one person (shown at once, sealed after that render,
 * written and stored side by side), its retries, and delivery receipts. One flush at a time sends
 * all that waits, the outbox of conversations.ts included.
 */
import { type Envelope, encodeBody, fromB64uExact, type ReplyRef, sealAsync, toB64u } from "@wisp/lib";
import { afterRender } from "./after-render";
import type { ChatStore } from "./chat-store";
import { type Conversations, PERMANENT_STORE_ERRORS } from "./conversations";
import type { EngineParts } from "./engine-parts";
import { ReceiptQueue } from "./receipts";
import type { RecipientCache } from "./recipients";
import { findMessage, removeMessage } from "./state";
import { addOutgoing, attachEnvelope, markRejected, markStored, pendingSends } from "./state/outgoing";
import type { Storage } from "./storage";

export interface OutboundDeps extends EngineParts {
  storage: Storage;
  recipients: RecipientCache;
  chat: ChatStore;
  talk: Conversations;
  /** Whether the engine runs: a flush asked for during a flush runs after it only then. */
  running: () => boolean;
  noteError(message: string): void;
}

export class Outbound {
  readonly receipts = new ReceiptQueue((peer, ids) => this.sendReceipt(peer, ids, "receipt"));
  /** Read receipts for texts read as they arrived: a read receipt says delivered too. */
  readonly reads = new ReceiptQueue((peer, ids) => this.sendReceipt(peer, ids, "read"));
  private readonly inFlight = new Set<string>();
  private flushing: Promise<void> | null = null;
  private flushAgain = false;

  constructor(private readonly d: OutboundDeps) {}

  /**
   * Shows the bubble at once (the same frame as the Enter), then seals after that render, then
   * writes it and asks the node to store it side by side: IndexedDB queues the write before any
   * later status write of the same message, and the node answers a repeated id with 200.
   */
  async send(peer: string, text: string, reply?: ReplyRef): Promise<void> {
    const { chat, timing } = this.d;
    if (!text.trim()) return;
    if (chat.state.groups[peer]) return this.d.talk.sendGroup(peer, text, reply);
    if (!fromB64uExact(peer, 32)) return;
    const sentAt = this.d.now();
    const rawId = crypto.getRandomValues(new Uint8Array(16));
    const id = toB64u(rawId);
    chat.state = addOutgoing(chat.state, { id, peer, text, sentAt, reply });
    chat.emit();
    await afterRender();
    const recipient = this.d.recipients.get(peer);
    if (!recipient) {
      await chat.commit(markRejected(chat.state, id, "not a valid address"), [id], [peer]);
      return;
    }
    const sealing = timing.now();
    const body = encodeBody({ type: "text", text, sentAt, ...(reply ? { reply } : {}) });
    let envelope: Envelope;
    try {
      envelope = await sealAsync(this.d.identity, recipient, body, this.d.crypto, { id: rawId });
    } catch (err) {
      await chat.commit(
        markRejected(chat.state, id, err instanceof Error ? err.message : String(err)),
        [id],
        [peer],
      );
      return;
    }
    timing.span("wisp:seal", sealing, { id });
    chat.state = attachEnvelope(chat.state, id, envelope);
    await Promise.all([chat.persist([id], [peer]), this.storeMessage(id)]);
    // After the text: a recipient takes a name only from someone it has a chat with.
    this.d.talk.sendProfileTo([peer]);
  }

  /** Sends the text of a failed message again, as a new message in its place. */
  async resend(id: string): Promise<void> {
    const { chat } = this.d;
    const m = findMessage(chat.state, id);
    if (m?.copies) return this.d.talk.resendCopies(id);
    if (!m?.out || m.status !== "failed") return;
    chat.state = removeMessage(chat.state, id);
    await this.d.storage.deleteMessage(id);
    await this.send(m.peer, m.text);
  }

  /**
   * Receipts, bodies and messages still waiting for a node; each stays queued until a node takes
   * it. One flush at a time: a nudge during a flush runs one more after it, instead of sealing the
   * outbox's bodies a second time beside it.
   */
  flush(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      try {
        do {
          this.flushAgain = false;
          await this.flushReceipts();
          await this.d.talk.flush();
          for (const m of pendingSends(this.d.chat.state)) await this.storeMessage(m.id);
        } while (this.flushAgain && this.d.running());
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }

  /** Both receipt queues, side by side: delivery receipts and the read receipts sent on arrival. */
  flushReceipts(): Promise<void> {
    return Promise.all([this.receipts.flush(), this.reads.flush()]).then(() => {});
  }

  private async storeMessage(id: string): Promise<void> {
    const { chat, timing } = this.d;
    const m = findMessage(chat.state, id);
    if (!m?.envelope || this.inFlight.has(id)) return;
    this.inFlight.add(id);
    try {
      const storing = timing.now();
      const r = await this.d.api.store(m.envelope);
      timing.span("wisp:store", storing, { id });
      if (r.ok) {
        this.d.talk.learnTtl(r.value.expiresAt);
        return chat.commit(markStored(chat.state, id, r.value.expiresAt), [id], []);
      }
      if (PERMANENT_STORE_ERRORS.has(r.error.code))
        return chat.commit(markRejected(chat.state, id, r.error.message), [id], []);
      // A passing outage: the clock stays and the poll loop retries once the node answers again.
      this.d.noteError(r.error.message);
    } finally {
      this.inFlight.delete(id);
    }
  }

  private async sendReceipt(peer: string, ids: string[], kind: "receipt" | "read"): Promise<boolean> {
    const recipient = this.d.recipients.get(peer);
    // Nothing can be sealed to that address, so nobody waits for this receipt.
    if (!recipient) return true;
    const sending = this.d.timing.now();
    const body = encodeBody({ type: kind, ids });
    const sealed = await sealAsync(this.d.identity, recipient, body, this.d.crypto);
    // Until it leaves for the node: what the sender waits for after that is the node's and the network's.
    this.d.timing.span("wisp:receipt", sending, { ids });
    return (await this.d.api.store(sealed)).ok;
  }
}
