/**
 * The long-poll of my mailbox: one signed retrieve after another, each carrying the acks of what
 * the last answers delivered once they are safely stored, with a backoff while the node fails and
 * the connection state the app shows.
 */
import { fromB64uExact, MAX_ACKS, type RetrieveResponse, signRetrieveAsync } from "@wisp/lib";
import { backoffMs, type ConnectionState, connectionState } from "./connection";
import type { EngineParts } from "./engine-parts";

export interface PollerDeps extends EngineParts {
  online: () => boolean;
  /** Long-poll wait in ms. */
  waitMs: number;
  /** Takes one answer; when it throws, the answer's ids stay unacknowledged and the node sends them again. */
  handle(batch: RetrieveResponse): Promise<void>;
  /** After each answer: a chance to send what waits. */
  answered(): void;
  noteError(message: string): void;
  /** The connection state changed. */
  changed(): void;
}

export class MailboxPoller {
  connection: ConnectionState = "connecting";

  private readonly pendingAcks = new Set<string>();
  private failures = 0;
  private everConnected = false;
  private loop: AbortController | null = null;
  private wake: (() => void) | null = null;
  /** A nudge while a request was out: the backoff after that request, should it fail, is skipped. */
  private nudged = false;

  constructor(private readonly d: PollerDeps) {}

  get running(): boolean {
    return this.loop !== null;
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

  /** A node may answer again: the connection state is looked at again and a backoff cut short. */
  nudge(): void {
    this.setConnection();
    if (this.wake) this.wake();
    else this.nudged = true;
  }

  private async pollLoop(signal: AbortSignal): Promise<void> {
    const { identity, api, crypto, timing } = this.d;
    let wait = 0;
    let answered = timing.now();
    while (!signal.aborted) {
      const ack = [...this.pendingAcks].slice(0, MAX_ACKS);
      const request = await signRetrieveAsync(identity, this.d.now(), ack, wait, crypto);
      timing.span("wisp:rearm", answered, { acks: ack.length });
      const asking = timing.now();
      const r = await api.retrieve(request, signal);
      answered = timing.now();
      if (r.ok) timing.span("wisp:poll", asking, { ids: r.value.messages.map((m) => m.id) });
      if (signal.aborted) return;
      if (!r.ok) {
        this.failures++;
        this.d.noteError(r.error.message);
        this.setConnection();
        await this.sleep(backoffMs(this.failures), signal);
        wait = 0;
        continue;
      }
      for (const id of ack) this.pendingAcks.delete(id);
      this.failures = 0;
      this.nudged = false;
      this.everConnected = true;
      this.setConnection();
      try {
        await this.d.handle(r.value);
        for (const envelope of r.value.messages) this.acknowledge(envelope.id);
        for (const nack of r.value.nacks) this.acknowledge(nack.id);
      } catch (err) {
        // Storage failed: what was not stored stays unacknowledged, so the node sends it again.
        this.d.noteError(err instanceof Error ? err.message : String(err));
        await this.sleep(backoffMs(1), signal);
      }
      this.d.answered();
      wait = r.value.more || this.pendingAcks.size > MAX_ACKS ? 0 : this.d.waitMs;
    }
  }

  /** An id that is not 16 bytes can name no entry, and signRetrieve would refuse it. */
  private acknowledge(id: string): void {
    if (fromB64uExact(id, 16)) this.pendingAcks.add(id);
  }

  private setConnection(): void {
    const state = connectionState(this.failures, this.everConnected, this.d.online());
    if (state === this.connection) return;
    this.connection = state;
    this.d.changed();
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (this.nudged) {
      this.nudged = false;
      return Promise.resolve();
    }
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
