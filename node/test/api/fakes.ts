/** Trivial fakes of the ring and the mailbox service, enough to drive the routes without a node. */
import type { Envelope, RetrieveResponse, StoredMessage } from "@wisp/lib";
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
    for (const id of ack) this.stored.delete(id);
    const messages = [...this.stored.values()].filter((m) => m.to === mailbox);
    if (messages.length === 0 && options.waitMs > 0) await abortable(options.waitMs, options.signal);
    return { messages, nacks: [], more: false };
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
