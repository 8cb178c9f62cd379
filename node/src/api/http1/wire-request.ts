/**
 * The request the routes see: the members of a fetch Request they read (method, url,
 * headers.get, body.getReader/cancel, signal) over a parsed head and a body already buffered,
 * without undici's streams, Headers and AbortSignal on every request (docs/performance.md).
 */
import type { RequestHead } from "./request-head";

/** Whether the body was buffered whole, not read at all (a declared length above the buffer), or cut off past it (chunked). */
export type BodyState = "complete" | "unread" | "overflow";

export class WireRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  readonly body: BufferedBody | null;
  private aborter: AbortController | null = null;
  private abortedWith: Error | null = null;

  constructor(head: RequestHead, body: BufferedBody | null) {
    this.method = head.method;
    // "*" (OPTIONS *) asks about the server as a whole: the routes see it as "/".
    this.url = `http://node${head.target.startsWith("/") ? head.target : "/"}`;
    const fields = head.headers;
    this.headers = { get: (name) => fields.get(name.toLowerCase()) ?? null };
    this.body = body;
  }

  /** Made when a route first asks: only long-polls need one. */
  get signal(): AbortSignal {
    this.aborter ??= new AbortController();
    if (this.abortedWith && !this.aborter.signal.aborted) this.aborter.abort(this.abortedWith);
    return this.aborter.signal;
  }

  /** True once a route asked for the signal, so an abort may have changed its answer. */
  get watched(): boolean {
    return this.aborter !== null;
  }

  abort(reason: Error): void {
    this.abortedWith = reason;
    this.aborter?.abort(reason);
  }
}

/** The body as the chunks received; a body that was not buffered whole ends in an error. */
export class BufferedBody {
  constructor(
    private readonly chunks: Buffer[],
    readonly state: BodyState,
  ) {}

  getReader() {
    let next = 0;
    const { chunks, state } = this;
    return {
      read: async (): Promise<{ done: boolean; value?: Uint8Array }> => {
        if (next < chunks.length) return { done: false, value: chunks[next++] };
        if (state === "complete") return { done: true };
        throw new Error(state === "unread" ? "the body is too long to read" : "the body is too long");
      },
      cancel: async () => {},
    };
  }

  async cancel(): Promise<void> {}
}
