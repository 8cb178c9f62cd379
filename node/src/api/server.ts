/** The node:http adapter: IncomingMessage → Request, Response → ServerResponse. Nothing else lives here. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ApiHandler } from "./context";
import { type LiteRequest, liteRequest } from "./lite-request";
import { DEFAULT_HTTP_TIMEOUTS, type HttpTimeouts } from "./options";
import { JsonResponse } from "./respond";

export interface HttpServerOptions {
  host: string;
  port: number;
  timeouts?: Partial<HttpTimeouts>;
  log?: (message: string) => void;
}

export interface HttpServerHandle {
  port: number;
  /** Closes the listener and every open connection (long-polls are aborted). Safe to call twice. */
  close(): Promise<void>;
}

/** After answering a request whose body we refused to read, the socket lingers this long at most. */
const LINGER_MS = 2_000;

export async function startHttpServer(
  handler: ApiHandler,
  options: HttpServerOptions,
): Promise<HttpServerHandle> {
  const timeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts };
  const log = options.log ?? (() => {});
  const server = createServer({
    headersTimeout: timeouts.headersTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, timeouts.headersTimeoutMs),
  });
  server.timeout = timeouts.socketTimeoutMs;
  server.on("request", (req, res) => {
    serve(handler, req, res).catch((error) => {
      log(`http adapter failed: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "internal", message: "the node failed to answer" } }));
    });
  });
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    socket.end(clientErrorAnswer(error.code === "ERR_HTTP_REQUEST_TIMEOUT"));
  });
  await listen(server, options.port, options.host);
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** What node:http's parser refuses (bad syntax, header overflow, timeouts) still gets a PROTOCOL.md error body. */
function clientErrorAnswer(timedOut: boolean): string {
  const status = timedOut ? "408 Request Timeout" : "400 Bad Request";
  const message = timedOut ? "the request did not arrive in time" : "malformed HTTP request";
  const body = JSON.stringify({ error: { code: "bad_request", message } });
  const headers = [
    `HTTP/1.1 ${status}`,
    "Connection: close",
    "Content-Type: application/json",
    "Access-Control-Allow-Origin: *",
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  return `${headers.join("\r\n")}\r\n\r\n${body}`;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

async function serve(handler: ApiHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = `http://node${safePath(req.url)}`;
  const { request, finished, abort } = liteRequest(req, url, hasBody(req)) ?? streamedRequest(req, url);
  res.on("close", () => {
    if (!res.writableFinished) abort(new Error("the client went away"));
  });
  const response: Response | JsonResponse = await handler(request, {
    clientAddr: req.socket.remoteAddress ?? "unknown",
  });
  if (res.destroyed) return;
  const abandoned = !finished();
  const { headers, bytes } =
    response instanceof JsonResponse ? jsonAnswerOf(response) : await answerOf(response);
  if (abandoned) headers.connection = "close";
  res.writeHead(response.status, headers);
  res.end(bytes ?? undefined);
  if (abandoned) {
    // Refused bodies are not drained: close our side and drop the socket soon after.
    res.on("finish", () => {
      req.socket.end();
      setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
    });
  }
}

/**
 * Headers with a Content-Length wherever the body is known, so node:http sends head and body as
 * one string instead of chunked encoding (a chunk header, the body and the last chunk).
 */
function jsonAnswerOf(response: JsonResponse) {
  const headers: Record<string, string> = { ...response.rawHeaders };
  headers["content-length"] = String(Buffer.byteLength(response.payload));
  return { headers, bytes: response.payload };
}

async function answerOf(response: Response) {
  const bytes = response.body ? new Uint8Array(await response.arrayBuffer()) : null;
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (bytes) headers["content-length"] = String(bytes.byteLength);
  return { headers, bytes };
}

/** The fetch Request with a pull-based body stream, for chunked and large bodies. */
function streamedRequest(req: IncomingMessage, url: string): LiteRequest {
  const aborter = new AbortController();
  const body = hasBody(req) ? bodyStream(req) : null;
  const request = new Request(url, {
    method: req.method,
    headers: headersOf(req),
    body: body?.stream,
    signal: aborter.signal,
    // @ts-expect-error: Node's fetch needs `duplex` for streamed bodies; lib.dom does not know it yet.
    duplex: "half",
  });
  return {
    request,
    finished: () => body === null || body.finished(),
    abort: (reason) => aborter.abort(reason),
  };
}

function hasBody(req: IncomingMessage): boolean {
  return req.method !== "GET" && req.method !== "HEAD" && req.method !== "OPTIONS";
}

/** A path of unreserved characters only is valid as it is; anything else is checked by URL. */
const PLAIN_PATH = /^\/[A-Za-z0-9/._~-]*$/;

function safePath(url: string | undefined): string {
  if (!url?.startsWith("/")) return "/";
  if (PLAIN_PATH.test(url)) return url;
  try {
    new URL(`http://node${url}`);
    return url;
  } catch {
    return "/";
  }
}

function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    try {
      headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    } catch {
      // A header the fetch Headers class refuses is ignored; no route depends on odd headers.
    }
  }
  return headers;
}

/** A pull-based stream over the request, so a refused body stays unread in the socket. */
function bodyStream(req: IncomingMessage) {
  let ended = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.pause();
        req.on("data", (chunk: Buffer) => {
          req.pause();
          safely(() => controller.enqueue(new Uint8Array(chunk)));
        });
        req.on("end", () => {
          ended = true;
          safely(() => controller.close());
        });
        req.on("error", (error) => safely(() => controller.error(error)));
        req.on("close", () => {
          if (!ended) safely(() => controller.error(new Error("the client went away mid-body")));
        });
      },
      pull() {
        req.resume();
      },
      cancel() {
        req.pause();
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, finished: () => ended };
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // The stream was already closed or cancelled; nothing more to deliver.
  }
}
