/**
 * What a client needs to fail over: every node advertises its client API URL (/v1/node `api`)
 * and lists its neighbours' (/v1/peers); a node with a certificate serves the API over TLS with
 * HSTS, and a plain-http client at that port only loses its own connection.
 */
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import { NodeClient } from "@wisp/lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NodeHandle, startNode } from "../../src/index";
import { eventually } from "./harness";
import { type SelfSigned, selfSignedCert } from "./self-signed";

const handles: NodeHandle[] = [];
let tls: SelfSigned;

beforeAll(() => {
  tls = selfSignedCert();
});
afterAll(async () => {
  await Promise.all(handles.map((h) => h.stop()));
  tls?.remove();
});

async function start(options: Parameters<typeof startNode>[0]) {
  const handle = await startNode({
    port: 0,
    apiPort: 0,
    chord: { stabilizeMs: 100, fixFingersMs: 200 },
    ...options,
  });
  handles.push(handle);
  return handle;
}

/** GET over https trusting only the test's certificate. */
function getHttps(url: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca: tls.cert, timeout: 5_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end();
  });
}

describe("advertised API URLs and TLS", () => {
  it("lists every other node of the ring with the URL it advertises; TLS nodes answer https with HSTS", async () => {
    const first = await start({});
    const second = await start({ bootstrap: first.addr, publicUrl: "https://wisp.example.org/" });
    const third = await start({ bootstrap: first.addr, tls: { cert: tls.cert, key: tls.key } });
    expect(first.publicUrl).toBe(first.apiUrl);
    expect(second.publicUrl).toBe("https://wisp.example.org/");
    expect(third.apiUrl).toBe(`https://127.0.0.1:${third.apiPort}`);
    const all = [first, second, third];
    await eventually(
      async () => all.every((h) => h.chord.successors().length === 2) || undefined,
      "a ring of 3",
    );

    const peers = await new NodeClient(first.apiUrl).peers();
    if (!peers.ok) throw new Error(peers.error.message);
    expect(peers.value.map((p) => p.api).sort()).toEqual([third.apiUrl, "https://wisp.example.org"].sort());
    expect(peers.value.find((p) => p.api === third.apiUrl)?.id).toBe(third.id);
    const info = await new NodeClient(second.apiUrl).info();
    expect(info).toEqual({ ok: true, value: { id: second.id, api: "https://wisp.example.org" } });

    const node = await getHttps(`${third.apiUrl}/v1/node`);
    expect(node.status).toBe(200);
    expect(node.headers["strict-transport-security"]).toBe("max-age=31536000");
    expect(JSON.parse(node.body)).toMatchObject({ id: third.id, api: third.apiUrl });
    const theirPeers = JSON.parse((await getHttps(`${third.apiUrl}/v1/peers`)).body) as {
      nodes: { api: string }[];
    };
    expect(theirPeers.nodes.map((n) => n.api).sort()).toEqual(
      [first.apiUrl, "https://wisp.example.org"].sort(),
    );

    // Plain HTTP at the TLS port: that connection fails, the node keeps serving.
    await new Promise<void>((resolve) => {
      const socket = connect(third.apiPort, "127.0.0.1", () =>
        socket.write("GET /v1/node HTTP/1.1\r\nHost: x\r\n\r\n"),
      );
      socket.on("error", () => resolve());
      socket.on("close", () => resolve());
      socket.setTimeout(5_000, () => socket.destroy());
    });
    expect((await getHttps(`${third.apiUrl}/v1/health`)).status).toBe(200);
    expect(third.metrics.get("wisp_refused_total", { cause: "handshake" })).toBe(1);
    // A plain node sends no HSTS: it would be meaningless (and ignored) over http.
    const plain = await fetch(`${first.apiUrl}/v1/health`);
    expect(plain.headers.get("strict-transport-security")).toBeNull();
  });

  it("drops a neighbour that left from /v1/peers", async () => {
    const first = await start({});
    const second = await start({ bootstrap: first.addr });
    await eventually(async () => first.chord.successors().length === 1 || undefined, "a ring of 2");
    const client = new NodeClient(first.apiUrl);
    expect(await client.peers()).toMatchObject({
      ok: true,
      value: [{ api: second.apiUrl }],
    });
    await second.stop({ graceful: true });
    await eventually(async () => {
      const r = await client.peers();
      return (r.ok && r.value.length === 0) || undefined;
    }, "the left node to be gone from /v1/peers");
  });
});
