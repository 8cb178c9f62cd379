/** An in-process NodeApi with PROTOCOL.md's mailbox semantics, for engine tests without HTTP. */
import {
  type Envelope,
  fromB64u,
  mailboxAddress,
  type Nack,
  type NodeApi,
  type NodeResult,
  type StoredMessage,
} from "@wisp/lib";

export class FakeNode {
  readonly mailboxes = new Map<string, (StoredMessage | Nack)[]>();
  readonly seen = new Map<string, Envelope>();
  down = false;
  storeCalls = 0;
  retrieveCalls = 0;
  private waiters = new Set<() => void>();

  constructor(private readonly ttlMs = 86_400_000) {}

  api(): NodeApi {
    return {
      store: async (envelope) => this.store(envelope),
      retrieve: async (request, signal) => {
        this.retrieveCalls++;
        // A real fetch always yields to the event loop; without this a full mailbox would spin.
        await new Promise((r) => setTimeout(r, 1));
        if (this.down) return unreachable();
        const mailbox = mailboxAddress(fromB64u(request.pk)!);
        const acked = new Set(request.ack);
        const remaining = (this.mailboxes.get(mailbox) ?? []).filter((e) => !acked.has(e.id));
        this.mailboxes.set(mailbox, remaining);
        await this.waitFor(mailbox, Math.min(request.wait, 200), signal);
        if (this.down) return unreachable();
        const entries = this.mailboxes.get(mailbox) ?? [];
        const messages = entries.filter((e): e is StoredMessage => "ct" in e);
        const nacks = entries.filter((e): e is Nack => !("ct" in e));
        return { ok: true, value: { messages, nacks, more: false } };
      },
    };
  }

  /** Expires one envelope unacknowledged: it leaves the mailbox and a NACK goes to its sender. */
  expire(id: string): boolean {
    const envelope = this.seen.get(id);
    if (!envelope) return false;
    const box = this.mailboxes.get(envelope.to) ?? [];
    if (!box.some((e) => e.id === id)) return false;
    this.mailboxes.set(
      envelope.to,
      box.filter((e) => e.id !== id),
    );
    this.push(envelope.nackTo, { id, to: envelope.to, expiredAt: Date.now() });
    return true;
  }

  /** Puts an envelope back into its mailbox, as if the recipient's acknowledgement had been lost. */
  redeliver(id: string): void {
    const envelope = this.seen.get(id);
    if (envelope) this.push(envelope.to, { ...envelope, expiresAt: Date.now() + this.ttlMs });
  }

  private store(envelope: Envelope): NodeResult<{ id: string; expiresAt: number }> {
    this.storeCalls++;
    if (this.down) return unreachable();
    if (this.seen.has(envelope.id)) return { ok: true, value: { id: envelope.id, expiresAt: 0 } };
    this.seen.set(envelope.id, envelope);
    const expiresAt = Date.now() + this.ttlMs;
    this.push(envelope.to, { ...envelope, expiresAt });
    return { ok: true, value: { id: envelope.id, expiresAt } };
  }

  private push(mailbox: string, entry: StoredMessage | Nack): void {
    this.mailboxes.set(mailbox, [...(this.mailboxes.get(mailbox) ?? []), entry]);
    for (const wake of this.waiters) wake();
  }

  private waitFor(mailbox: string, ms: number, signal?: AbortSignal): Promise<void> {
    if ((this.mailboxes.get(mailbox) ?? []).length > 0 || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const check = () => {
        if ((this.mailboxes.get(mailbox) ?? []).length > 0) done();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(check);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}

function unreachable(): { ok: false; error: { code: string; status: number; message: string } } {
  return { ok: false, error: { code: "network", status: 0, message: "cannot reach the node" } };
}

/** Polls `check` every 10 ms until it holds; fails after `ms`. */
export async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
