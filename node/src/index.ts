/**
 * The composition root as a function: startNode(options) wires TCP transport, Chord, the mailbox
 * store and the HTTP API into one running node, so tests and benchmarks can run many in one process.
 */
import { DEFAULT_API_PORT, DEFAULT_NODE_PORT, DEFAULT_REPLICAS, DEFAULT_TTL_MS, idToHex } from "@wisp/lib";
import type { ApiOptions, HttpTimeouts } from "./api/options";
import { createApi } from "./api/routes";
import { type HttpServerHandle, startHttpServer, type TlsFiles } from "./api/server";
import { ChordNode, type ChordOptions } from "./chord/chord-node";
import { type Clock, systemClock } from "./clock";
import { createNodeCrypto } from "./crypto/node-crypto";
import { ApiDirectory } from "./directory/api-directory";
import { DEFAULT_PUZZLE_BITS } from "./identity/node-id";
import { generateNodeKey, keyFilePath, loadOrCreateNodeKey, type NodeKey } from "./identity/node-key";
import { Metrics, type RefusalSink, Refusals } from "./metrics";
import { RpcReject, RpcRouter } from "./rpc/router";
import { LogEntryStore } from "./store/log-store";
import { MailboxService } from "./store/mailbox-service";
import { MemoryEntryStore } from "./store/memory-store";
import type { MailboxOptions } from "./store/options";
import { TcpTransport } from "./transport/tcp";
import type { RequestHandler } from "./transport/transport";

export interface StartNodeOptions {
  host?: string;
  /** Node-to-node TCP port; 0 picks any free port. */
  port?: number;
  /** HTTP API port; 0 picks any free port. */
  apiPort?: number;
  /** host:port of any node of an existing ring; null or unset starts a new ring. */
  bootstrap?: string | null;
  ttlMs?: number;
  replicas?: number;
  webRoot?: string | null;
  /** Folder of the durable entry log (docs/storage.md); null or unset keeps entries in memory only. */
  dataDir?: string | null;
  /** The client API URL to advertise (WISP_PUBLIC_URL); unset: http(s)://host:apiPort. */
  publicUrl?: string | null;
  /** PEM certificate and key: the client API (and web app) is served over HTTPS. */
  tls?: TlsFiles | null;
  /** The node key's file, created when missing (default: node.key in dataDir, else a fresh key). */
  keyFile?: string | null;
  /** A key to use instead of a key file (tests). */
  key?: NodeKey;
  /**
   * Leading zero bits of the ring's key puzzle (docs/security.md); every node of a ring must use the
   * same. Tests of many nodes may lower it; the default ring never does.
   */
  puzzleBits?: number;
  chord?: Partial<Omit<ChordOptions, "addr" | "key" | "puzzleBits">>;
  mailbox?: Partial<MailboxOptions>;
  api?: Partial<ApiOptions>;
  http?: Partial<HttpTimeouts>;
  clock?: Clock;
  log?: (event: string, fields?: Record<string, unknown>) => void;
  /** Called once both ports are bound, before joining (a join may wait for its bootstrap). */
  onListening?: (info: ListeningInfo) => void;
}

export interface ListeningInfo {
  id: string;
  /** b64u of the node's Ed25519 public key. */
  key: string;
  addr: string;
  port: number;
  apiPort: number;
  /** Where this process serves the client API on its host. */
  apiUrl: string;
  /** The client API URL other nodes hand to clients: publicUrl, else apiUrl. */
  publicUrl: string;
}

export interface NodeHandle extends ListeningInfo {
  chord: ChordNode;
  mailboxes: MailboxService;
  metrics: Metrics;
  /** graceful: hands every entry to the successor and leaves the ring first. Safe to call twice. */
  stop(options?: { graceful?: boolean }): Promise<void>;
}

export async function startNode(options: StartNodeOptions = {}): Promise<NodeHandle> {
  const host = options.host ?? "127.0.0.1";
  const clock = options.clock ?? systemClock;
  const log = options.log ?? (() => {});
  const metrics = new Metrics();
  const refusals = new Refusals(metrics, log);
  const router = new RpcRouter();
  const store = options.dataDir ? LogEntryStore.open(options.dataDir) : new MemoryEntryStore();
  if (store instanceof LogEntryStore) log("store_opened", { path: store.path, ...store.stats });
  const closeStore = () => store instanceof LogEntryStore && store.close();
  const puzzleBits = options.puzzleBits ?? DEFAULT_PUZZLE_BITS;
  const keyFile = keyFilePath(options.keyFile, options.dataDir);
  let key: NodeKey;
  try {
    key = options.key ?? (keyFile ? loadOrCreateNodeKey(keyFile, puzzleBits) : generateNodeKey(puzzleBits));
  } catch (error) {
    closeStore();
    throw error;
  }
  const transport = new TcpTransport({
    host,
    port: options.port ?? DEFAULT_NODE_PORT,
    key,
    puzzleBits,
    onRefusal: refusals.refuse,
  });
  const addr = await transport.listen(refusingRequests(router, refusals.refuse)).catch((error: unknown) => {
    closeStore();
    throw error;
  });
  const chord = new ChordNode(
    { transport, clock, router, metrics },
    { ...options.chord, addr, key: key.key, puzzleBits },
  );
  const mailboxes = new MailboxService(
    { ring: chord, transport, router, clock, store, metrics, refuse: refusals.refuse },
    {
      ...options.mailbox,
      replicas: options.replicas ?? DEFAULT_REPLICAS,
      ttlMs: options.ttlMs ?? DEFAULT_TTL_MS,
    },
  );
  // What the node refused because it could not verify it (docs/security.md).
  metrics.gauge(
    "wisp_link_handshake_failures",
    "Node-port handshakes that failed, either side",
    () => transport.limitCounts().handshakeFailures,
  );
  metrics.gauge(
    "wisp_link_refused_connections",
    "Node-port connections refused by the caps",
    () => transport.limitCounts().refusedConnections,
  );
  metrics.gauge(
    "wisp_link_partial_frame_bytes",
    "Bytes of partial frames held for all links",
    () => transport.limitCounts().partialBytes,
  );
  metrics.gauge(
    "wisp_link_connections",
    "Open node-port connections: inbound (peers dialled us) and outbound (we dialled)",
    () => {
      const { inbound, outbound } = transport.connectionCounts();
      return inbound + outbound;
    },
  );
  metrics.gauge(
    "wisp_link_requests_over_inbound",
    "Requests this node sent over links peers opened to it, saving a connection and a handshake",
    () => transport.requestsOverInbound,
  );
  metrics.gauge(
    "wisp_store_proofs_rejected",
    "Fetches and tombstones whose owner-signed retrieve did not verify",
    () => mailboxes.proofs.rejected,
  );
  // The advertised URL is known once the API port is bound (port 0 picks one): see advertise() below.
  const directory = new ApiDirectory({ ring: chord, transport, router, clock }, { selfApi: "" });
  const api = createApi(
    {
      directory,
      ring: chord,
      mailboxes,
      clock,
      metrics,
      crypto: createNodeCrypto(),
      log: (message) => log("error", { message }),
      refuse: refusals.refuse,
    },
    { ...options.api, webRoot: options.webRoot ?? options.api?.webRoot ?? null },
  );

  let http: HttpServerHandle | null = null;
  let stopping: Promise<void> | null = null;
  const stop = (how: { graceful?: boolean } = {}) => {
    stopping ??= shutdown(how.graceful === true);
    return stopping;
  };
  async function shutdown(graceful: boolean): Promise<void> {
    await http?.close();
    if (graceful && chord.isJoined()) {
      await mailboxes.handOff().catch((error: Error) => log("handoff_failed", { message: error.message }));
      await chord.leave();
    }
    mailboxes.stop();
    chord.stop();
    await transport.close();
    closeStore();
  }

  try {
    http = await startHttpServer(api, {
      host,
      port: options.apiPort ?? DEFAULT_API_PORT,
      timeouts: options.http,
      tls: options.tls,
      onRefusal: refusals.refuse,
    });
    const scheme = options.tls ? "https" : "http";
    const apiUrl = `${scheme}://${host.includes(":") ? `[${host}]` : host}:${http.port}`;
    directory.advertise(options.publicUrl || apiUrl);
    const info: ListeningInfo = {
      id: idToHex(chord.self.id),
      key: key.key,
      addr,
      port: Number(addr.slice(addr.lastIndexOf(":") + 1)),
      apiPort: http.port,
      apiUrl,
      publicUrl: directory.selfApi,
    };
    options.onListening?.(info);
    if (options.bootstrap) await chord.join(options.bootstrap);
    else chord.create();
    chord.start();
    return { ...info, chord, mailboxes, metrics, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The router's handler, telling refuse of every request it rejects (RpcReject: malformed or unverifiable). */
function refusingRequests(router: RpcRouter, refuse: RefusalSink): RequestHandler {
  return async (message, peer) => {
    try {
      return await router.handle(message, peer);
    } catch (error) {
      if (error instanceof RpcReject) refuse("request", peer.addr ?? `key ${peer.key}`, error.message);
      throw error;
    }
  };
}
