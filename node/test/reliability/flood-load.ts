/**
 * The flood test's hostile load: slow connections (idle, headers trickled, bodies never finished)
 * held open and re-opened when the node closes them, and a flooder in a worker thread that sends
 * stores and retrieves as fast as the node answers. Both are bounded by a stop call.
 */
import { connect, type Socket } from "node:net";
import { Worker } from "node:worker_threads";

/** A closed slow connection is opened again after this: held open, without becoming a connect flood. */
const RECONNECT_MS = 1_000;

export type SlowKind = "idle" | "headers" | "body";

export interface SlowStats {
  opened: number;
  /** Closed by the node (its header, request or socket timeouts), per kind. */
  closedByNode: Record<SlowKind, number>;
  errors: number;
}

export class SlowConnections {
  readonly stats: SlowStats = { opened: 0, closedByNode: { idle: 0, headers: 0, body: 0 }, errors: 0 };
  private sockets = new Map<Socket, SlowKind>();
  private stopped = false;
  private trickle: NodeJS.Timeout | null = null;

  /** addressOf picks each connection's source address (127.0.0.0/8): its rate-limit bucket. */
  constructor(
    private host: string,
    private port: number,
    private addressOf: (kind: SlowKind, index: number) => string,
  ) {}

  get open(): number {
    return this.sockets.size;
  }

  /** Opens count connections, a third of each kind, and trickles a byte line to each every tickMs. */
  async start(count: number, tickMs: number): Promise<void> {
    const kinds: SlowKind[] = ["idle", "headers", "body"];
    for (let i = 0; i < count; i += 50)
      await Promise.all(
        Array.from({ length: Math.min(50, count - i) }, (_, j) => this.open1(kinds[(i + j) % 3], i + j)),
      );
    this.trickle = setInterval(() => this.tick(), tickMs);
  }

  /** Destroys every connection; no reconnects after this. */
  stop(): void {
    this.stopped = true;
    if (this.trickle) clearInterval(this.trickle);
    for (const socket of this.sockets.keys()) socket.destroy();
    this.sockets.clear();
  }

  private open1(kind: SlowKind, index: number): Promise<void> {
    return new Promise((resolve) => {
      const localAddress = this.addressOf(kind, index);
      const socket = connect({ host: this.host, port: this.port, localAddress });
      socket.on("connect", () => {
        this.stats.opened++;
        this.sockets.set(socket, kind);
        if (kind === "headers") socket.write("POST /v1/store HTTP/1.1\r\nHost: wisp\r\n");
        if (kind === "body")
          socket.write(
            "POST /v1/store HTTP/1.1\r\nHost: wisp\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{",
          );
        resolve();
      });
      socket.on("data", () => {}); // a 408 or 400 answer; the close follows
      socket.on("error", () => {
        this.stats.errors++;
        resolve();
      });
      socket.on("close", () => {
        const known = this.sockets.delete(socket);
        if (this.stopped) return;
        if (known) this.stats.closedByNode[kind]++;
        setTimeout(() => void this.open1(kind, index), RECONNECT_MS);
      });
      socket.setNoDelay(true);
    });
  }

  private tick(): void {
    for (const [socket, kind] of this.sockets) {
      if (kind === "headers") socket.write(`X-Slow-${Math.floor(Math.random() * 1e6)}: 1\r\n`);
      if (kind === "body") socket.write(" ");
    }
  }
}

export interface FloodStats {
  requests: number;
  byStatus: Record<string, number>;
  failures: number;
}

/** Stores (with fresh random ids) and replays of signed retrieves, concurrency at a time, until stopped. */
export function startFlooder(options: {
  url: string;
  localAddress: string;
  /** The client a trusted proxy at localAddress names in X-Forwarded-For (loopback has no per-IP limit). */
  forwardedFor: string;
  envelope: object;
  retrieve: object;
  concurrency: number;
}): { stop(): Promise<FloodStats> } {
  const worker = new Worker(FLOODER_SOURCE, { eval: true, workerData: options });
  return {
    stop: () =>
      new Promise<FloodStats>((resolve, reject) => {
        worker.once("message", (stats: FloodStats) => {
          void worker.terminate();
          resolve(stats);
        });
        worker.once("error", reject);
        worker.postMessage("stop");
      }),
  };
}

const FLOODER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const http = require("node:http");
const { randomBytes } = require("node:crypto");
const { url, localAddress, forwardedFor, envelope, retrieve, concurrency } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, localAddress });
const stats = { requests: 0, byStatus: {}, failures: 0 };
let stopped = false;
parentPort.on("message", () => { stopped = true; });
function post(path, body) {
  return new Promise((resolve) => {
    const data = JSON.stringify(body);
    const req = http.request(url + path, { method: "POST", agent, timeout: 10000,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(data),
        "x-forwarded-for": forwardedFor } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
      res.on("error", () => resolve(0));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
    req.end(data);
  });
}
async function lane(n) {
  for (let i = 0; !stopped; i++) {
    const store = (i + n) % 2 === 0;
    const body = store ? { ...envelope, id: randomBytes(16).toString("base64url") } : retrieve;
    const status = await post(store ? "/v1/store" : "/v1/retrieve", body);
    stats.requests++;
    if (status === 0) stats.failures++;
    else stats.byStatus[status] = (stats.byStatus[status] || 0) + 1;
  }
}
Promise.all(Array.from({ length: concurrency }, (_, n) => lane(n))).then(() => {
  agent.destroy();
  parentPort.postMessage(stats);
});
`;
