/**
 * The API's own request and answer: plain types that the HTTP/1.1 server (http1/) builds and
 * writes directly, and that route tests build by hand, so the routes run without a socket and
 * see exactly what they see behind the server.
 */

export interface ApiRequest {
  readonly method: string;
  /** The target's path, without the query; "*" (OPTIONS *) is "/". */
  readonly path: string;
  /** A request header by its name (any case); null when absent. */
  header(name: string): string | null;
  /** The body as received: empty when there is none. */
  readonly body: Uint8Array;
  /** False when the body was longer than the server buffers: `body` is then only its start. */
  readonly bodyComplete: boolean;
  /** Fires when the client goes away. */
  readonly signal: AbortSignal;
}

export interface ApiAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON or text as a string, a file as bytes, or nothing (204, and the answer to HEAD). */
  readonly body: string | Uint8Array | null;
}
