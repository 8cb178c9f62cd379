/**
 * The HTTP/1.1 server of the client API, on node:net: connections (http1/connection.ts) parse
 * requests and hand them to the ApiHandler; one sweep enforces the timeouts of every connection.
 * node:http's own work dominated a store's CPU (docs/performance.md); this serves the
 * same protocol subset — keep-alive, pipelining, Content-Length and chunked bodies, Expect:
 * 100-continue, HEAD — with the strict framing checks of RFC 9112. With a certificate it speaks
 * the same over TLS (node:tls), and every answer carries HSTS (RFC 6797).
 */
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { ConnectionCaps } from "../identity/connection-caps";
import type { RefusalSink } from "../metrics";
import type { ApiHandler } from "./context";
import { AnswerWriter } from "./http1/answer";
import { Http1Connection } from "./http1/connection";
import { DEFAULT_HTTP_TIMEOUTS, type HttpTimeouts } from "./options";

export interface HttpServerOptions {
  host: string;
  port: number;
  timeouts?: Partial<HttpTimeouts>;
  log?: (message: string) => void;
  /** PEM certificate chain and key: serve HTTPS instead of HTTP. */
  tls?: TlsFiles | null;
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  /** Told of every connection the caps refuse, and every failed TLS handshake. */
  onRefusal?: RefusalSink;
}

export interface TlsFiles {
  cert: string | Uint8Array;
  key: string | Uint8Array;
}

/** Browsers keep to https for a year once they have seen this over TLS. */
export const HSTS_FIELD = "strict-transport-security: max-age=31536000\r\n";

export interface HttpServerHandle {
  port: number;
  /** Closes the listener and every open connection (long-polls are aborted). Safe to call twice. */
  close(): Promise<void>;
}

/** node:http's default; a head longer than this is answered 431. */
const MAX_HEAD_BYTES = 16_384;
/** Bodies up to this are read before the route runs; every route's own limit is below it. */
const MAX_BUFFERED_BODY_BYTES = 131_072;

/** Client connections held at once, and per source IP (/64 for IPv6; loopback has no share). */
export const MAX_CONNECTIONS = 8_192;
export const MAX_CONNECTIONS_PER_IP = 256;

export async function startHttpServer(
  handler: ApiHandler,
  options: HttpServerOptions,
): Promise<HttpServerHandle> {
  const timeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts };
  const log = options.log ?? (() => {});
  const limits = { maxHeadBytes: MAX_HEAD_BYTES, maxBodyBytes: MAX_BUFFERED_BODY_BYTES };
  const connections = new Set<Http1Connection>();
  const writer = new AnswerWriter(options.tls ? HSTS_FIELD : "");
  const caps = new ConnectionCaps({
    total: options.maxConnections ?? MAX_CONNECTIONS,
    perIp: options.maxConnectionsPerIp ?? MAX_CONNECTIONS_PER_IP,
  });
  const accept = (socket: Socket) => {
    if (socket.destroyed) return;
    const connection = new Http1Connection(socket, handler, limits, writer, log);
    connections.add(connection);
    socket.once("close", () => connections.delete(connection));
  };
  // node:tls is loaded only for HTTPS: ~0.3 MiB of an idle node's RSS.
  const server = options.tls
    ? (await import("node:tls")).createServer(
        {
          cert: toPem(options.tls.cert),
          key: toPem(options.tls.key),
          allowHalfOpen: true,
          noDelay: true,
          // A handshake is part of sending the headers: a client that stalls in it is dropped as one that stalls in those.
          handshakeTimeout: timeouts.headersTimeoutMs,
        },
        accept,
      )
    : createServer({ allowHalfOpen: true, noDelay: true }, accept);
  // The caps count TCP connections, before any TLS handshake: registered first, so they run first.
  server.prependListener("connection", (socket: Socket) => {
    const release = caps.admit(socket.remoteAddress);
    if (!release) {
      options.onRefusal?.("connection_cap", socket.remoteAddress ?? "?");
      socket.destroy();
      return;
    }
    socket.once("close", release);
  });
  // A failed handshake (a plain-http client, a bad certificate) only ends that connection.
  server.on("tlsClientError", (_error, socket) => {
    options.onRefusal?.("handshake", socket.remoteAddress ?? "?");
    socket.destroy();
  });
  await listen(server, options.port, options.host);
  const sweepMs = Math.max(
    25,
    Math.min(1_000, timeouts.headersTimeoutMs / 2, timeouts.keepAliveTimeoutMs / 2),
  );
  const sweep = setInterval(() => enforceTimeouts(connections, timeouts), sweepMs);
  sweep.unref();
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(sweep);
        server.close(() => resolve());
        for (const connection of connections) connection.destroy();
      });
      return closing;
    },
  };
}

function enforceTimeouts(connections: Set<Http1Connection>, timeouts: HttpTimeouts): void {
  const now = Date.now();
  for (const connection of connections) {
    if (now - connection.since > limitOf(connection, timeouts)) connection.timedOut();
  }
}

function limitOf(connection: Http1Connection, timeouts: HttpTimeouts): number {
  if (connection.phase === "busy") return timeouts.socketTimeoutMs;
  if (connection.phase === "idle")
    return connection.served ? timeouts.keepAliveTimeoutMs : timeouts.headersTimeoutMs;
  if (connection.headParsed) return timeouts.requestTimeoutMs;
  return Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs);
}

function toPem(value: string | Uint8Array): string | Buffer {
  return typeof value === "string" ? value : Buffer.from(value);
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
