/**
 * A stand-in for the fetch Request on the API's common path. undici's Request with a streamed body
 * costs ~300 µs on this machine (ReadableStream, AbortSignal, Headers), several times the rest of a
 * store (docs/performance.md). This one offers exactly what the routes read — method, url,
 * headers.get, body.getReader/cancel, signal — and reads the body only when a route asks for it, so
 * a refused body stays unread in the socket as with the stream. Used for requests without a body
 * and for bodies of a declared Content-Length up to LITE_BODY_MAX; others get the real Request.
 */
import type { IncomingMessage } from "node:http";

export const LITE_BODY_MAX = 65_536;

export interface LiteRequest {
  request: Request;
  /** True once the whole body was read (or there was none). */
  finished(): boolean;
  /** The client went away: aborts the signal, now or when a route first asks for it. */
  abort(reason: Error): void;
}

/** A LiteRequest for req, or null when its body needs the real streamed Request. */
export function liteRequest(req: IncomingMessage, url: string, hasBody: boolean): LiteRequest | null {
  const declared = req.headers["content-length"];
  if (hasBody && (req.headers["transfer-encoding"] !== undefined || declared === undefined)) return null;
  if (hasBody && !(Number(declared) <= LITE_BODY_MAX)) return null;
  const body = hasBody ? new LazyBody(req) : null;
  let aborter: AbortController | null = null;
  let abortedWith: Error | null = null;
  const request = {
    method: req.method ?? "GET",
    url,
    headers: { get: (name: string) => headerValue(req, name) },
    body,
    get signal() {
      aborter ??= new AbortController();
      if (abortedWith) aborter.abort(abortedWith);
      return aborter.signal;
    },
  };
  return {
    // The routes read only the members above; the cast keeps ApiHandler's web-standard signature.
    request: request as unknown as Request,
    finished: () => body === null || body.ended,
    abort(reason) {
      abortedWith = reason;
      aborter?.abort(reason);
    },
  };
}

function headerValue(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name.toLowerCase()];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(", ") : value;
}

/** The body as one chunk, read from the socket on the first read(). */
class LazyBody {
  ended = false;

  constructor(private req: IncomingMessage) {}

  getReader() {
    let given = false;
    return {
      read: async (): Promise<{ done: boolean; value?: Uint8Array }> => {
        if (given) return { done: true };
        given = true;
        return { done: false, value: await this.readAll() };
      },
      cancel: async () => {},
    };
  }

  async cancel(): Promise<void> {}

  private readAll(): Promise<Uint8Array> {
    const { req } = this;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.once("end", () => {
        this.ended = true;
        resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      });
      req.once("error", reject);
      req.once("close", () => {
        if (!this.ended) reject(new Error("the client went away mid-body"));
      });
    });
  }
}
