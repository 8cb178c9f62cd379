/** startNode in one process: the handle, graceful stop with hand-off, and stop() twice. */
import { encodeBody, generateIdentity, seal, signRetrieve } from "@wisp/lib";
import { afterAll, describe, expect, it } from "vitest";
import { type NodeHandle, startNode } from "../../src/index";

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
