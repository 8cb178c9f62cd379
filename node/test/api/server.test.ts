import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateIdentity, nobleCrypto, signRetrieve } from "@wisp/lib";
import { afterEach, describe, expect, it } from "vitest";
import type { ApiOptions, HttpTimeouts } from "../../src/api/options";
import { createApi } from "../../src/api/routes";
import { type HttpServerHandle, startHttpServer } from "../../src/api/server";
import { systemClock } from "../../src/clock";
import { Metrics } from "../../src/metrics";
import { FakeMailboxes, fakeRing } from "./fakes";

let server: HttpServerHandle | null = null;
let webRoot: string | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
  if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  webRoot = null;
});

async function start(options: Partial<ApiOptions> = {}, timeouts: Partial<HttpTimeouts> = {}) {
  const mailboxes = new FakeMailboxes();
  const api = createApi(
    { ring: fakeRing(), mailboxes, clock: systemClock, metrics: new Metrics(), crypto: nobleCrypto },
    options,
  );
  server = await startHttpServer(api, { host: "127.0.0.1", port: 0, timeouts });
  return { mailboxes, base: `http://127.0.0.1:${server.port}` };
}

/** Sends raw bytes and collects everything the server answers until it closes the socket. */
function raw(
  port: number,
  data: string,
  writeMore?: (socket: ReturnType<typeof connect>) => void,
): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk.toString()));
    socket.on("error", () => {});
    socket.on("close", () => resolve(answer));
    socket.write(data);
    writeMore?.(socket);
  });
}

describe("HTTP server", () => {
  it("serves the API over HTTP with CORS headers", async () => {
    const { base } = await start();
    const response = await fetch(`${base}/v1/node`);
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(((await response.json()) as { addr: string }).addr).toBe("127.0.0.1:7400");
  });

  it("sends JSON answers with a Content-Length, not chunked, and the same body", async () => {
    const { base } = await start();
    const port = Number(new URL(base).port);
    const answer = await raw(port, "GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const [head, body] = answer.split("\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(head.toLowerCase()).not.toContain("transfer-encoding");
    expect(head.toLowerCase()).toContain(`content-length: ${Buffer.byteLength(body)}`);
    expect(JSON.parse(body)).toEqual({ status: "ok" });
  });

  it("routes paths that URL normalizes as their normal form", async () => {
    const { base } = await start();
    const port = Number(new URL(base).port);
    const request = "GET /v1/x/../health?probe=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    const answer = await raw(port, request);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(JSON.parse(answer.split("\r\n\r\n")[1])).toEqual({ status: "ok" });
  });

  it("aborts a long-poll when its client disconnects", async () => {
    const { base, mailboxes } = await start();
    const bob = generateIdentity();
    const body = JSON.stringify(signRetrieve(bob, Date.now(), [], 20_000));
    const req = httpRequest(`${base}/v1/retrieve`, {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    req.on("error", () => {});
    req.end(body);
    for (let i = 0; i < 200 && mailboxes.retrieves.length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    const signal = mailboxes.retrieves[0].options.signal!;
    expect(signal.aborted).toBe(false);
    req.destroy();
    for (let i = 0; i < 200 && !signal.aborted; i++) await new Promise((r) => setTimeout(r, 10));
    expect(signal.aborted).toBe(true);
  });

  it("answers 413 to an endless chunked body and closes the connection", async () => {
    await start();
    const head =
      "POST /v1/store HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n";
    const answer = await raw(server!.port, head, (socket) => {
      const chunk = `2000\r\n${" ".repeat(0x2000)}\r\n`;
      let sent = 0;
      const pump = () => {
        while (sent < 64 && socket.writable && socket.write(chunk)) sent++;
        if (sent < 64 && socket.writable) socket.once("drain", pump);
      };
      pump();
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(answer.toLowerCase()).toContain("connection: close");
    expect(answer).toContain('"too_large"');
  });

  it("closes a connection that never finishes its headers", async () => {
    await start({}, { headersTimeoutMs: 300, requestTimeoutMs: 300 });
    const answer = await raw(server!.port, "GET /v1/node HTTP/1.1\r\nHost: x\r\n");
    expect(answer === "" || answer.startsWith("HTTP/1.1 408")).toBe(true);
  });

  it("lets a long-poll outlive the request timeout, which only bounds receiving the request", async () => {
    const { base } = await start({}, { headersTimeoutMs: 300, requestTimeoutMs: 300 });
    const body = JSON.stringify(signRetrieve(generateIdentity(), Date.now(), [], 1_000));
    const response = await fetch(`${base}/v1/retrieve`, { method: "POST", body });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ messages: [], nacks: [], more: false });
  });

  it("serves the web root with content types, falls back to index.html, and refuses traversal", async () => {
    webRoot = mkdtempSync(join(tmpdir(), "wisp-web-"));
    mkdirSync(join(webRoot, "assets"));
    writeFileSync(join(webRoot, "index.html"), "<!doctype html><title>wisp</title>");
    writeFileSync(join(webRoot, "assets", "app.js"), "console.log(1)");
    writeFileSync(join(webRoot, "..", "wisp-secret.txt"), "secret");
    const { base } = await start({ webRoot });
    const index = await fetch(`${base}/`);
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await index.text()).toContain("<title>wisp</title>");
    const script = await fetch(`${base}/assets/app.js`);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await fetch(`${base}/chat/someone`)).status).toBe(200);
    expect((await fetch(`${base}/missing.png`)).status).toBe(404);
    for (const path of [
      "/../wisp-secret.txt",
      "/%2e%2e/wisp-secret.txt",
      "/assets/..%2f..%2fwisp-secret.txt",
    ]) {
      const answer = await raw(server!.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(answer).not.toContain("secret\n");
      expect(answer.endsWith("secret")).toBe(false);
    }
    rmSync(join(webRoot, "..", "wisp-secret.txt"), { force: true });
    expect((await fetch(`${base}/v1/nothing`)).status).toBe(404);
  });

  it("refuses a symlink inside the web root that leads outside it, and serves one that stays inside", async () => {
    webRoot = mkdtempSync(join(tmpdir(), "wisp-web-"));
    const outside = mkdtempSync(join(tmpdir(), "wisp-outside-"));
    try {
      writeFileSync(join(webRoot, "index.html"), "<!doctype html><title>wisp</title>");
      writeFileSync(join(outside, "secret.txt"), "secret");
      symlinkSync(join(outside, "secret.txt"), join(webRoot, "leak.txt"));
      symlinkSync(outside, join(webRoot, "dir"));
      symlinkSync(join(webRoot, "index.html"), join(webRoot, "alias.html"));
      const { base } = await start({ webRoot });
      expect((await fetch(`${base}/leak.txt`)).status).toBe(404);
      expect((await fetch(`${base}/dir/secret.txt`)).status).toBe(404);
      expect(await (await fetch(`${base}/alias.html`)).text()).toContain("<title>wisp</title>");
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("serves the web app with a strict CSP, nosniff and frame-ancestors 'none'", async () => {
    webRoot = mkdtempSync(join(tmpdir(), "wisp-web-"));
    writeFileSync(join(webRoot, "index.html"), "<!doctype html><title>wisp</title>");
    const { base } = await start({ webRoot });
    const index = await fetch(`${base}/`);
    const csp = index.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(index.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
