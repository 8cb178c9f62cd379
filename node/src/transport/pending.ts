/**
 * Our requests on one link that await their answers, by request id: each with its deadline and
 * its caller's abort signal. A late answer (after the deadline or an abort) finds nothing here and
 * is dropped.
 */
import { type RequestOptions, TransportError, type WireMessage } from "./transport";

interface Waiting {
  resolve: (answer: WireMessage) => void;
  reject: (error: TransportError) => void;
  timer: ReturnType<typeof setTimeout>;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | null;
}

export class PendingRequests {
  private readonly waiting = new Map<number, Waiting>();

  constructor(private readonly addr: string) {}

  get size(): number {
    return this.waiting.size;
  }

  has(id: number): boolean {
    return this.waiting.has(id);
  }

  /** The answer to request `id`, which the caller sends; it fails on the deadline or the abort. */
  wait(id: number, options: RequestOptions): Promise<WireMessage> {
    return new Promise<WireMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(
          id,
          new TransportError("timeout", `no answer from ${this.addr} within ${options.timeoutMs} ms`),
        );
      }, options.timeoutMs);
      const waiting: Waiting = { resolve, reject, timer, signal: options.signal, onAbort: null };
      if (options.signal) {
        waiting.onAbort = () => this.settle(id, new TransportError("aborted", "request aborted"));
        options.signal.addEventListener("abort", waiting.onAbort, { once: true });
      }
      this.waiting.set(id, waiting);
    });
  }

  settle(id: number, error: TransportError | null, answer?: WireMessage): void {
    const waiting = this.waiting.get(id);
    if (!waiting) return; // a late answer to a request that already timed out
    this.waiting.delete(id);
    clearTimeout(waiting.timer);
    if (waiting.onAbort) waiting.signal?.removeEventListener("abort", waiting.onAbort);
    if (error) waiting.reject(error);
    else waiting.resolve(answer as WireMessage);
  }

  failAll(error: TransportError): void {
    for (const id of [...this.waiting.keys()]) this.settle(id, error);
  }
}
