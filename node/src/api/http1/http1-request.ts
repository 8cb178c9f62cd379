/** The ApiRequest of one HTTP/1.1 request: its parsed head, its buffered body, and an abort signal made on demand. */
import type { ApiRequest } from "../exchange";
import type { RequestHead } from "./request-head";

/** Plain paths (no dots, escapes or query) are their own path; others are normalized as a URL's (RFC 3986 §5.2.4). */
const PLAIN_PATH = /^(\/[A-Za-z0-9_~-]+)+$/;

export class Http1Request implements ApiRequest {
  readonly method: string;
  readonly path: string;
  private aborter: AbortController | null = null;
  private abortedWith: Error | null = null;

  constructor(
    private readonly head: RequestHead,
    readonly body: Uint8Array,
    readonly bodyComplete: boolean,
  ) {
    this.method = head.method;
    this.path = pathOf(head.target);
  }

  header(name: string): string | null {
    return this.head.headers.get(name.toLowerCase()) ?? null;
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

function pathOf(target: string): string {
  // "*" (OPTIONS *) asks about the server as a whole: the routes see it as "/".
  if (!target.startsWith("/")) return "/";
  if (PLAIN_PATH.test(target)) return target;
  // Appended, not resolved against a base: "//x" is a path here, not a host.
  return new URL(`http://localhost${target}`).pathname;
}
