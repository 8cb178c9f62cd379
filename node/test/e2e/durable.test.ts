/**
 * Durable mailboxes (issue 7 item 4): a ring of 3 with data dirs loses power all at once — no
 * hand-off, no leave — and comes back on the same ports. Every message is still there, and one that
 * expired while the ring was down becomes a NACK. The clock is skewed forward instead of waiting.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Envelope, encodeBody, generateIdentity, type Identity, seal, signRetrieve } from "@wisp/lib";
import { afterAll, describe, expect, it } from "vitest";
import { type Clock, systemClock } from "../../src/clock";
import { type NodeHandle, startNode } from "../../src/index";
import { buildOnce, post as postTo, type RunningNode, spawnNode, stopAll } from "./harness";

const TTL_MS = 60_000;
let skewMs = 0;
const clock: Clock = { now: () => Date.now() + skewMs, setTimeout: systemClock.setTimeout };

const running: NodeHandle[] = [];
const processes: RunningNode[] = [];
const dataDirs = [0, 1, 2, 3].map(() => mkdtempSync(join(tmpdir(), "wisp-durable-")));

afterAll(async () => {
  await Promise.all(running.map((h) => h.stop()));
  await stopAll(processes);
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

async function start(i: number, bootstrap: string | null, ports = { port: 0, apiPort: 0 }) {
  const handle = await startNode({
    ...ports,
    bootstrap,
    clock,
    ttlMs: TTL_MS,
    dataDir: dataDirs[i],
    chord: { stabilizeMs: 100, fixFingersMs: 200 },
    // A short acknowledgement grace before a NACK, so the skew below passes it without the kept messages' TTL.
    mailbox: { expiryMs: 200, repairMs: 1_000, ackGraceMs: 2_000 },
  });
  running.push(handle);
  return handle;
}

async function startRing(ports?: { port: number; apiPort: number }[]): Promise<NodeHandle[]> {
  const first = await start(0, null, ports?.[0]);
  const rest = [await start(1, first.addr, ports?.[1]), await start(2, first.addr, ports?.[2])];
  const all = [first, ...rest];
  await eventually(
    () => all.every((h) => h.chord.successors().length === 2 && h.chord.predecessor() !== null),
    "a ring of 3",
  );
  return all;
}

async function eventually<T>(check: () => T | Promise<T>, what: string): Promise<NonNullable<T>> {
  for (let i = 0; i < 300; i++) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function post(
  handle: NodeHandle,
  path: string,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${handle.apiUrl}${path}`, { method: "POST", body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

type Answer = { messages: { id: string }[]; nacks: { id: string; to: string }[] };

async function retrieve(handle: NodeHandle, who: Identity): Promise<Answer> {
  const answer = await post(handle, "/v1/retrieve", signRetrieve(who, clock.now(), [], 0));
  expect(answer.status).toBe(200);
  return answer.body as Answer;
}

function letter(from: Identity, to: Identity, text: string): Envelope {
  return seal(from, to.publicKey, encodeBody({ type: "text", text, sentAt: clock.now() }));
}

describe("durable mailboxes (WISP_DATA_DIR)", () => {
  it("a ring that loses power all at once keeps every message, and NACKs the one that expired meanwhile", async () => {
    const alice = generateIdentity();
    const bob = generateIdentity();
    let ring = await startRing();

    const expiring = letter(alice, bob, "expires while the ring is down");
    expect((await post(ring[0], "/v1/store", expiring)).status).toBe(201);
    skewMs = TTL_MS / 2;
    const kept = [1, 2, 3, 4, 5].map((n) => letter(alice, bob, `message ${n}`));
    for (const [i, envelope] of kept.entries()) {
      expect((await post(ring[i % 3], "/v1/store", envelope)).status).toBe(201);
    }
    await eventually(() => ring.every((h) => h.mailboxes.entryCount() === 6), "3 copies of all 6");

    const ports = ring.map((h) => ({ port: h.port, apiPort: h.apiPort }));
    await Promise.all(ring.map((h) => h.stop({ graceful: false })));
    running.length = 0;
    skewMs = TTL_MS + 5_000;

    ring = await startRing(ports);
    expect(ring.map((h) => h.port)).toEqual(ports.map((p) => p.port));
    const read = await eventually(async () => {
      const answer = await retrieve(ring[2], bob);
      return answer.messages.length === kept.length ? answer : null;
    }, "bob's 5 messages after the restart");
    expect(read.messages.map((m) => m.id).sort()).toEqual(kept.map((e) => e.id).sort());

    const nacks = await eventually(async () => {
      const answer = await retrieve(ring[1], alice);
      return answer.nacks.length > 0 ? answer.nacks : null;
    }, "a NACK in alice's mailbox");
    expect(nacks).toEqual([{ id: expiring.id, to: expiring.to, expiredAt: expect.any(Number) }]);
  });
});

describe("bin/wisp-node with WISP_DATA_DIR", () => {
  it("a SIGKILLed node started again on the same data dir still holds the message", async () => {
    buildOnce();
    const env = { WISP_DATA_DIR: dataDirs[3] };
    const alice = generateIdentity();
    const bob = generateIdentity();
    const envelope = letter(alice, bob, "kept through a SIGKILL");
    const before = await spawnNode(env);
    processes.push(before);
    expect((await postTo(before, "/v1/store", envelope)).status).toBe(201);
    before.proc.kill("SIGKILL");
    await before.exited;

    const after = await spawnNode(env);
    processes.push(after);
    const opened = after.log.find((line) => line.includes('"event":"store_opened"'));
    expect(JSON.parse(opened ?? "{}")).toMatchObject({ replayed: 1, skipped: 0, tornTail: false });
    const read = await postTo(after, "/v1/retrieve", signRetrieve(bob, Date.now(), [], 0));
    expect((read.body as Answer).messages.map((m) => m.id)).toEqual([envelope.id]);
  });
});
