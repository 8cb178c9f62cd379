/**
 * A keep-alive HTTP/1.1 load generator on raw sockets, one request in flight per connection (as
 * autocannon does by default), so the generator spends little CPU of its own. Reads its job as JSON
 * from argv[2]; prints one JSON line of results. Store jobs get a fresh envelope id per request.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";

export interface LoadJob {
  host: string;
  port: number;
  path: string;
  connections: number;
  /** Stop after this long, or after `total` requests, whichever comes first. */
  durationMs: number;
  total?: number;
  /** Request bodies, used round robin. For "store", each is an envelope whose id is replaced. */
  bodies: string[];
  mode: "store" | "retrieve";
}

export interface LoadResult {
  completed: number;
  elapsedMs: number;
  perSecond: number;
  statuses: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
}

const job = JSON.parse(readFileSync(process.argv[2], "utf8")) as LoadJob;
const ID_MARK = '"id":"';
const ID_TEXT_LENGTH = 22;
/**
 * Every request's bytes are built once; a store request gets its fresh id written into a copy at a
 * known offset. The generator shares the machine's two cores with the node, so what it spends per
 * request is taken from the node being measured.
 */
const templates = job.bodies.map((body) => {
  const head = `POST ${job.path} HTTP/1.1\r\nHost: ${job.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  const bytes = Buffer.from(head + body);
  const idAt = body.indexOf(ID_MARK);
  const idOffset =
    idAt < 0 ? -1 : Buffer.byteLength(head) + Buffer.byteLength(body.slice(0, idAt)) + ID_MARK.length;
  return { bytes, idOffset };
});
let ids = randomBytes(16 * 4096);
let idOffset = ids.length;

function writeFreshId(target: Buffer, at: number): void {
  if (idOffset >= ids.length) {
    ids = randomBytes(ids.length);
    idOffset = 0;
  }
  idOffset += 16;
  target.write(ids.subarray(idOffset - 16, idOffset).toString("base64url"), at, ID_TEXT_LENGTH, "latin1");
}

function requestBytes(n: number): Buffer {
  const template = templates[n % templates.length];
  if (job.mode !== "store" || template.idOffset < 0) return template.bytes;
  const bytes = Buffer.allocUnsafe(template.bytes.length);
  template.bytes.copy(bytes);
  writeFreshId(bytes, template.idOffset);
  return bytes;
}

const statuses: Record<string, number> = {};
const latencies: number[] = [];
let issued = 0;
let completed = 0;
let open = 0;
const started = performance.now();
const deadline = started + job.durationMs;
const total = job.total ?? Number.POSITIVE_INFINITY;
const sockets: Socket[] = [];
let finished = false;

function finish(): void {
  if (finished) return;
  finished = true;
  const elapsedMs = performance.now() - started;
  for (const socket of sockets) socket.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil(p * latencies.length) - 1))] ?? 0;
  const result: LoadResult = {
    completed,
    elapsedMs,
    perSecond: (completed * 1000) / elapsedMs,
    statuses,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

function runConnection(): void {
  const socket = connect({ host: job.host, port: job.port, noDelay: true });
  sockets.push(socket);
  open++;
  let buffer: Buffer = Buffer.alloc(0);
  let sentAt = 0;
  const next = () => {
    if (performance.now() >= deadline || issued >= total) {
      socket.destroy();
      return;
    }
    sentAt = performance.now();
    socket.write(requestBytes(issued++));
  };
  socket.on("connect", next);
  socket.on("data", (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    for (;;) {
      const used = responseLength(buffer);
      if (used === 0) return;
      const status = buffer.toString("latin1", 9, 12);
      statuses[status] = (statuses[status] ?? 0) + 1;
      buffer = buffer.subarray(used);
      completed++;
      latencies.push(performance.now() - sentAt);
      next();
    }
  });
  const closed = () => {
    open--;
    if (open === 0) finish();
  };
  socket.once("close", closed);
  socket.on("error", () => {});
}

const CONTENT_LENGTH = /\r\ncontent-length: *(\d+)/i;

/** Bytes of the first complete response in buffer (Content-Length or chunked), or 0 if incomplete. */
function responseLength(buffer: Buffer): number {
  const headerEnd = buffer.indexOf("\r\n\r\n");
  if (headerEnd < 0) return 0;
  const bodyStart = headerEnd + 4;
  const length = CONTENT_LENGTH.exec(buffer.toString("latin1", 0, headerEnd));
  if (length) {
    const end = bodyStart + Number(length[1]);
    return buffer.length >= end ? end : 0;
  }
  const last = buffer.indexOf("\r\n0\r\n\r\n", bodyStart - 2);
  return last < 0 ? 0 : last + 7;
}

for (let i = 0; i < job.connections; i++) runConnection();
setTimeout(finish, job.durationMs + 10_000).unref();
