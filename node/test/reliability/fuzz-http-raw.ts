/** Raw HTTP/1.1 over a socket for the HTTP fuzzer (fuzz-http.test.ts): requests, exchanges, answers read back. */
import net from "node:net";
import { utf8 } from "@wisp/lib";
import type { HttpCase } from "./fuzz-http-cases";

/** Sends raw bytes, half-closes, and collects everything until the node closes the connection. */
export function rawExchange(
  port: number,
  bytes: Uint8Array | string,
  { chunks, halfCloseAfterMs, timeoutMs }: { chunks: number; halfCloseAfterMs: number; timeoutMs: number },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const data = typeof bytes === "string" ? utf8(bytes) : bytes;
    const socket = net.connect(port, "127.0.0.1");
    const received: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the node neither answered nor closed within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(received).toString("latin1"));
    });
    socket.once("connect", () => {
      const size = Math.ceil(data.length / chunks) || 1;
      for (let at = 0; at < data.length; at += size) socket.write(data.subarray(at, at + size));
      // node:http takes a half-close as the client going away and drops a pending answer, so a
      // complete request is given time to be answered (Connection: close) before EOF ends a broken one.
      if (halfCloseAfterMs === 0) return void socket.end();
      const endLater = setTimeout(() => socket.end(), halfCloseAfterMs);
      socket.once("data", () => clearTimeout(endLater));
      socket.once("close", () => clearTimeout(endLater));
    });
  });
}

export function rawRequest(c: HttpCase, chunked: boolean): Uint8Array {
  const body = c.body === null ? new Uint8Array(0) : typeof c.body === "string" ? utf8(c.body) : c.body;
  const lines = [`${c.method} ${c.path} HTTP/1.1`, "Host: node", "Connection: close"];
  if (c.contentType !== null) lines.push(`Content-Type: ${c.contentType}`);
  if (c.method === "GET" || c.method === "HEAD") return utf8(`${lines.join("\r\n")}\r\n\r\n`);
  if (!chunked)
    return Buffer.concat([utf8(`${lines.join("\r\n")}\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
  const parts: Uint8Array[] = [utf8(`${lines.join("\r\n")}\r\nTransfer-Encoding: chunked\r\n\r\n`)];
  for (let at = 0; at < body.length; at += 4_096) {
    const piece = body.subarray(at, at + 4_096);
    parts.push(utf8(`${piece.length.toString(16)}\r\n`), piece, utf8("\r\n"));
  }
  parts.push(utf8("0\r\n\r\n"));
  return Buffer.concat(parts);
}

/** Status and body of the first answer in a raw HTTP/1.1 reply (null when the node only closed). */
export function firstAnswer(reply: string): { status: number; body: string } | null {
  const match = /^HTTP\/1\.1 (\d{3})/.exec(reply);
  if (!match) return null;
  const end = reply.indexOf("\r\n\r\n");
  if (end < 0) return { status: Number(match[1]), body: "" };
  const head = reply.slice(0, end).toLowerCase();
  const rest = reply.slice(end + 4);
  const length = /\r\ncontent-length: *(\d+)/.exec(head);
  if (length) return { status: Number(match[1]), body: rest.slice(0, Number(length[1])) };
  if (!head.includes("transfer-encoding: chunked")) return { status: Number(match[1]), body: rest };
  let body = "";
  let at = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const line = rest.indexOf("\r\n", at);
    const size = Number.parseInt(rest.slice(at, line), 16);
    if (!(size > 0)) break;
    body += rest.slice(line + 2, line + 2 + size);
    at = line + 2 + size + 2;
  }
  return { status: Number(match[1]), body };
}

export function statuses(reply: string): number[] {
  return [...reply.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}
