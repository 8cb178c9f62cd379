import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { ApiHandler } from "../../../src/api/context";
import type { HttpTimeouts } from "../../../src/api/options";
import { json } from "../../../src/api/respond";
import { type HttpServerHandle, startHttpServer } from "../../../src/api/server";

let server: HttpServerHandle | null = null;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close();
  server = null;
});

/** Answers every request with its method, path and body, as JSON. */
const echo: ApiHandler = async (request) =>
  json({ method: request.method, url: request.path, body: Buffer.from(request.body).toString() }, 200);

async function start(handler: ApiHandler = echo, timeouts: Partial<HttpTimeouts> = {}) {
  server = await startHttpServer(handler, { host: "127.0.0.1", port: 0, timeouts });
  return server.port;
}

/** A client socket that collects what the server sends; `closed` resolves with all of it. */
function client(port: number) {
  const socket = connect(port, "127.0.0.1");
  sockets.push(socket);
  let received = "";
  const waiters: (() => void)[] = [];
  socket.on("data", (chunk) => {
    received += chunk.toString("latin1");
    for (const wake of waiters.splice(0)) wake();
  });
  socket.on("error", () => {});
  const closed = new Promise<string>((resolve) => socket.on("close", () => resolve(received)));
  return {
    socket,
    closed,
    /** Waits until `count` answers (status lines) arrived, at most ~3 s. */
    async answers(count: number): Promise<string> {
      for (let i = 0; i < 300 && (received.match(/HTTP\/1\.1 \d{3}/g)?.length ?? 0) < count; i++)
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 10);
        });
      return received;
    },
  };
}

const bodies = (text: string) =>
  text
    .split(/HTTP\/1\.1 \d{3}[^\r]*\r\n/)
    .slice(1)
    .map((answer) => JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4).replace(/HTTP.*$/s, "")));

describe("HTTP/1.1 connection", () => {
  it("answers several requests on one keep-alive connection, and pipelined ones in order", async () => {
    const c = client(await start());
    c.socket.write("GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(await c.answers(1)).toContain("connection: keep-alive");
    c.socket.write(
      "POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /three HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    const text = await c.answers(3);
    expect(bodies(text).map((b) => b.url)).toEqual(["/one", "/two", "/three"]);
    expect(bodies(text)[1].body).toBe("abc");
  });

  it("parses a request trickled one byte per read", async () => {
    const c = client(await start());
    const request = "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
    for (const byte of request) {
      c.socket.write(byte);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(bodies(await c.answers(1))[0]).toMatchObject({ url: "/slow", body: "hello" });
  });

  it("decodes a chunked body", async () => {
    const c = client(await start());
    c.socket.write(
      "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
    );
    expect(bodies(await c.answers(1))[0].body).toBe("abcde");
  });

  it("sends 100 Continue to a client that waits for it, then reads the body", async () => {
    const c = client(await start());
    c.socket.write("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
    expect(await c.answers(1)).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
    c.socket.write("ok");
    const text = await c.answers(2);
    expect(bodies(text.slice(text.indexOf("\r\n\r\n") + 4))[0].body).toBe("ok");
  });

  it("closes after answering Connection: close and HTTP/1.0 requests", async () => {
    const port = await start();
    const close = client(port);
    close.socket.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(await close.closed).toContain("connection: close");
    const old = client(port);
    old.socket.write("GET / HTTP/1.0\r\n\r\n");
    expect(await old.closed).toMatch(/^HTTP\/1\.1 200 /);
  });

  it("answers HEAD with the headers of GET and no body", async () => {
    const c = client(await start());
    c.socket.write("HEAD /h HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const text = await c.closed;
    expect(text).toMatch(/content-length: \d+\r\n/);
    expect(text.endsWith("\r\n\r\n")).toBe(true);
  });

  it("answers 400 and closes when the client ends in the middle of a body", async () => {
    const c = client(await start());
    c.socket.end("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
    const text = await c.closed;
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text).toContain('"code":"bad_request"');
  });

  it("answers a complete request whose client half-closed at once", async () => {
    const c = client(await start());
    c.socket.end("GET /done HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(bodies(await c.closed)[0].url).toBe("/done");
  });

  it("answers a too long head 431 and a body longer than it buffers unread, closing both", async () => {
    const port = await start(async (request) =>
      json({ length: request.header("content-length"), complete: request.bodyComplete }, 413),
    );
    const long = client(port);
    long.socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    expect(await long.closed).toMatch(/^HTTP\/1\.1 431 /);
    const big = client(port);
    big.socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n{");
    const text = await big.closed;
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toContain("connection: close");
  });

  it("answers 500 with a PROTOCOL.md body when the handler throws, and closes", async () => {
    const c = client(
      await start(async () => {
        throw new Error("boom");
      }),
    );
    c.socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    const text = await c.closed;
    expect(text).toMatch(/^HTTP\/1\.1 500 /);
    expect(text).toContain('"code":"internal"');
    expect(text).not.toContain("boom");
  });

  it("drops an idle keep-alive connection after its timeout", async () => {
    const c = client(await start(echo, { keepAliveTimeoutMs: 100, headersTimeoutMs: 100 }));
    c.socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await c.answers(1);
    const text = await c.closed;
    expect(bodies(text)).toHaveLength(1);
  });

  it("aborts the signal of a parked request when its client goes away", async () => {
    let signal: AbortSignal | null = null;
    const port = await start(
      (request) =>
        new Promise((resolve) => {
          signal = request.signal;
          request.signal.addEventListener("abort", () => resolve(json({}, 200)));
        }),
    );
    const c = client(port);
    c.socket.write("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n");
    for (let i = 0; i < 100 && signal === null; i++) await new Promise((r) => setTimeout(r, 10));
    expect(signal!.aborted).toBe(false);
    c.socket.destroy();
    for (let i = 0; i < 100 && !signal!.aborted; i++) await new Promise((r) => setTimeout(r, 10));
    expect(signal!.aborted).toBe(true);
  });
});

describe("HTTP/1.1 connection, failures of the handler", () => {
  it("answers 500 when the handler throws before it returns a promise, and keeps serving", async () => {
    const port = await start((() => {
      throw new Error("sync boom");
    }) as unknown as ApiHandler);
    const c = client(port);
    c.socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(await c.closed).toMatch(/^HTTP\/1\.1 500 /);
    const again = client(port);
    again.socket.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(await again.closed).toMatch(/^HTTP\/1\.1 500 /);
  });

  it("hands the routes the target's path: dot segments resolved, a leading // kept as a path, the query dropped", async () => {
    const c = client(await start());
    c.socket.write("GET /v1/store/../node?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
    c.socket.write("GET //evil.example/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(bodies(await c.closed).map((b) => b.url)).toEqual(["/v1/node", "//evil.example/x"]);
  });

  it("shows OPTIONS * to the routes as the root path", async () => {
    const c = client(await start());
    c.socket.write("OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(bodies(await c.closed)[0]).toMatchObject({ method: "OPTIONS", url: "/" });
  });
});

describe("HTTP/1.1 connection, blank lines", () => {
  it("ignores empty lines before a request line, and drops them as they come", async () => {
    const c = client(await start());
    for (let i = 0; i < 200; i++) c.socket.write("\r\n".repeat(100));
    c.socket.write("GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(bodies(await c.closed)[0].url).toBe("/after");
  });
});
