/** startNode in one process: the handle, graceful stop with hand-off, and stop() twice. */

import { spawnSync } from "node:child_process";
import { encodeBody, generateIdentity, seal, signRetrieve } from "@wisp/lib";
import { afterAll, describe, expect, it } from "vitest";
import { type NodeHandle, startNode } from "../../src/index";
import { buildOnce, ROOT } from "./harness";

const handles: NodeHandle[] = [];
afterAll(() => Promise.all(handles.map((h) => h.stop())));

async function start(bootstrap: string | null) {
  const handle = await startNode({
    port: 0,
    apiPort: 0,
    bootstrap,
    chord: { stabilizeMs: 100, fixFingersMs: 200 },
  });
  handles.push(handle);
  return handle;
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const post = async (handle: NodeHandle, path: string, body: unknown) => {
  const response = await fetch(`${handle.apiUrl}${path}`, { method: "POST", body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { messages?: { id: string }[] } };
};

describe("startNode", () => {
  it("answers a handle with bound ports; a graceful stop hands entries on and keeps them readable", async () => {
    const first = await start(null);
    expect(first.port).toBeGreaterThan(0);
    expect(first.apiPort).toBeGreaterThan(0);
    expect(first.addr).toBe(`127.0.0.1:${first.port}`);
    expect(first.apiUrl).toBe(`http://127.0.0.1:${first.apiPort}`);
    expect(first.id).toMatch(/^[0-9a-f]{64}$/);
    const second = await start(first.addr);
    const third = await start(first.addr);
    const all = [first, second, third];
    await until(
      () => all.every((h) => h.chord.successors().length === 2 && h.chord.predecessor() !== null),
      "a ring of 3",
    );

    const alice = generateIdentity();
    const bob = generateIdentity();
    const envelope = seal(
      alice,
      bob.publicKey,
      encodeBody({ type: "text", text: "kept", sentAt: Date.now() }),
    );
    expect((await post(first, "/v1/store", envelope)).status).toBe(201);
    await until(() => all.every((h) => h.mailboxes.entryCount() === 1), "3 copies");

    await second.stop({ graceful: true });
    await second.stop({ graceful: true });
    await until(
      () => first.chord.successors().every((s) => s.addr !== second.addr),
      "the ring to drop the leaver",
    );
    const read = await post(third, "/v1/retrieve", signRetrieve(bob, Date.now(), [], 0));
    expect(read.body.messages?.map((m) => m.id)).toEqual([envelope.id]);
    expect((await fetch(`${first.apiUrl}/v1/health`)).status).toBe(200);
  });

  it("fails with the reason when the API port is taken, and leaves nothing running", async () => {
    const first = handles[0];
    await expect(startNode({ port: 0, apiPort: first.apiPort })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe("bin/wisp-node configuration errors", () => {
  it("exits with code 2 and a sentence for a bad value, and 0 for --help", () => {
    buildOnce();
    const bad = spawnSync(`${ROOT}bin/wisp-node`, ["--port", "99999"], { encoding: "utf8", timeout: 30_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--port expected 0..65535, got 99999");
    const badEnv = spawnSync(`${ROOT}bin/wisp-node`, [], {
      encoding: "utf8",
      timeout: 30_000,
      env: { ...process.env, WISP_REPLICAS: "many" },
    });
    expect(badEnv.status).toBe(2);
    expect(badEnv.stderr).toContain('WISP_REPLICAS expected an integer, got "many"');
    const help = spawnSync(`${ROOT}bin/wisp-node`, ["--help"], { encoding: "utf8", timeout: 30_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("WISP_BOOTSTRAP");
  });
});
