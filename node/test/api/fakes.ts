/** Trivial fakes of the ring and the mailbox service, enough to drive the routes without a node. */
import type { Envelope, Nack, RetrieveResponse, StoredMessage } from "@wisp/lib";
import type { NodeRef, Ring } from "../../src/chord/ring";
import type { Mailboxes, RetrieveOptions, ServiceError, StoreOutcome } from "../../src/store/mailboxes";
import type { AckProof } from "../../src/store/proof";
import { testRef } from "../fixtures/node-refs";

export function fakeRing(joined = true): Ring {
  const ref = (addr: string): NodeRef => testRef(addr);
  return {
    self: ref("127.0.0.1:7400"),
    isJoined: () => joined,
    lookup: async () => ({ node: ref("127.0.0.1:7400"), hops: 0 }),
    successors: () => [ref("127.0.0.1:7402"), ref("127.0.0.1:7404")],
    predecessor: () => ref("127.0.0.1:7406"),
    owns: () => true,
    reportFailure: () => {},
    onChange: () => () => {},
    onJoining: () => () => {},
    joiningVia: () => null,
  };
}

export class FakeMailboxes implements Mailboxes {
  readonly stored = new Map<string, StoredMessage>();
  /** NACKs by id, each with the mailbox it waits in (the expired envelope's `nackTo`). */
  readonly nacks = new Map<string, Nack & { mailbox: string }>();
  readonly retrieves: { mailbox: string; ack: string[]; options: RetrieveOptions }[] = [];
  failWith: ServiceError | Error | null = null;

  constructor(private ttlMs = 1000) {}

  async store(envelope: Envelope): Promise<StoreOutcome> {
    if (this.failWith) throw this.failWith;
    const before = this.stored.get(envelope.id);
    if (before) return { created: false, expiresAt: before.expiresAt };
    const expiresAt = 1_000_000 + this.ttlMs;
    this.stored.set(envelope.id, { ...envelope, expiresAt });
    return { created: true, expiresAt };
  }

  async retrieve(mailbox: string, proof: AckProof, options: RetrieveOptions): Promise<RetrieveResponse> {
    if (this.failWith) throw this.failWith;
    const ack = proof.ack;
    this.retrieves.push({ mailbox, ack, options });
    // An ack deletes only in the mailbox of the retrieve, as a node does.
    for (const id of ack) {
      if (this.stored.get(id)?.to === mailbox) this.stored.delete(id);
      if (this.nacks.get(id)?.mailbox === mailbox) this.nacks.delete(id);
    }
    const messages = [...this.stored.values()].filter((m) => m.to === mailbox);
    const nacks = [...this.nacks.values()]
      .filter((n) => n.mailbox === mailbox)
      .map(({ id, to, expiredAt }) => ({ id, to, expiredAt }));
    if (messages.length + nacks.length === 0 && options.waitMs > 0)
      await abortable(options.waitMs, options.signal);
    return { messages, nacks, more: false };
  }

  /** What a node does when envelope `id` expires unread: it is gone, and its sender gets a NACK. */
  expire(id: string, expiredAt = 2_000_000): void {
    const message = this.stored.get(id);
    if (!message) throw new Error(`no stored envelope ${id}`);
    this.stored.delete(id);
    this.nacks.set(id, { id, to: message.to, expiredAt, mailbox: message.nackTo });
  }

  entryCount(): number {
    return this.stored.size;
  }
}

function abortable(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
