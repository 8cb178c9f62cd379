/**
 * Fuzzes every node-to-node handler (chord.* and store.*) through the real RpcRouter of a live
 * node in a memory-transport ring with Mailboxes attached: random JSON, and valid messages with one
 * field broken. Each hostile message must be refused with RpcReject (a remote error to the
 * sender), change nothing (routing state, entries, bytes, tombstones), and leave the node serving.
 */
import { idToHex, toB64u } from "@wisp/lib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiDirectory } from "../../src/directory/api-directory";
import { RpcReject } from "../../src/rpc/router";
import { randomKey, seededRandom } from "../../src/sim";
import { createRing, type SimNodeContext, type SimRing } from "../../src/sim/ring";
import { mailboxKey } from "../../src/store/entry";
import { MailboxService } from "../../src/store/mailbox-service";
import { MemoryEntryStore } from "../../src/store/memory-store";
import { TransportError, type WireMessage } from "../../src/transport/transport";
import { testRef } from "../fixtures/node-refs";
import { ownedMailbox, proofFor } from "../fixtures/retrieve-proofs";
import { CaseCounter, cases, FUZZ_SEED, fuzzTimeout, params } from "./fuzz-config";
import { randomMessage, randomValue, serializable, TAGS, validMessages } from "./fuzz-messages";
import { hostileMessage } from "./fuzz-wire";

const counter = new CaseCounter("node-to-node handlers");
const SETTLE_MS = 5_000;

interface Holder {
  mailboxes: MailboxService;
  store: MemoryEntryStore;
}

let ring: SimRing;
const holders = new Map<string, Holder>();
let target: SimNodeContext;
let peer: SimNodeContext;
let before: string;

beforeAll(async () => {
  ring = await createRing(5, {
    seed: 11,
    onNode: (node) => {
      const store = new MemoryEntryStore();
      const mailboxes = new MailboxService(
        { ring: node.chord, transport: node.transport, router: node.router, clock: node.clock, store },
        { rpcTimeoutMs: 2_000, repairMs: 1e9, expiryMs: 1e9 },
      );
      holders.set(node.addr, { mailboxes, store });
      const components = {
        ring: node.chord,
        transport: node.transport,
        router: node.router,
        clock: node.clock,
      };
      new ApiDirectory(components, { selfApi: `http://${node.addr}` });
    },
  });
  [target, peer] = ring.nodes();
  for (let i = 0; i < 12; i++) await holders.get(peer.addr)!.mailboxes.store(envelopeTo(mailbox(i)));
  before = snapshot(target);
});

afterAll(async () => {
  counter.report();
  for (const holder of holders.values()) holder.mailboxes.stop();
  await ring?.close();
});

function mailbox(seed: number): string {
  const bytes = new Uint8Array(32);
  new DataView(bytes.buffer).setUint32(0, seed * 2_654_435_761);
  bytes[31] = seed & 0xff;
  return toB64u(bytes);
}

let ids = 0;
function envelopeTo(to: string) {
  const id = new Uint8Array(16);
  new DataView(id.buffer).setUint32(0, ++ids);
  const fill = (n: number, b: number) => toB64u(new Uint8Array(n).fill(b));
  return { v: 1 as const, id: toB64u(id), to, nackTo: mailbox(999), eph: fill(32, 7), ct: fill(140, 9) };
}

/** Everything hostile input must not change: routing state, entries, their bytes, tombstones. */
function snapshot(node: SimNodeContext): string {
  const { store } = holders.get(node.addr)!;
  const everything = store.inRange(node.chord.self.id, node.chord.self.id);
  return JSON.stringify({
    predecessor: node.chord.predecessor()?.addr ?? null,
    successors: node.chord.successors().map((n) => n.addr),
    entries: store.count(),
    bytes: store.bytes(),
    tombstones: everything.tombstones.length,
  });
}

type Outcome = { answer: WireMessage } | { error: unknown };

async function settle(promise: Promise<WireMessage>): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`handler did not settle within ${SETTLE_MS} ms`)), SETTLE_MS);
  });
  try {
    return { answer: await Promise.race([promise, hang]) };
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("handler did not settle")) throw error;
    return { error };
  } finally {
    clearTimeout(timer);
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : String(error);
}

/** Hostile input: refused with RpcReject and a short reason, never another exception. */
function expectRefused(outcome: Outcome): void {
  if ("answer" in outcome) throw new Error(`accepted: ${JSON.stringify(outcome.answer).slice(0, 300)}`);
  if (!(outcome.error instanceof RpcReject)) throw new Error(`refused with ${describeError(outcome.error)}`);
  expect(outcome.error.message.length).toBeGreaterThan(0);
  expect(outcome.error.message.length).toBeLessThanOrEqual(500);
}

describe("fuzz: node-to-node handlers through a live node's RpcRouter", () => {
  it("covers every tag the node registers", () => {
    const registered = [...(target.router as unknown as { handlers: Map<string, unknown> }).handlers.keys()];
    expect(registered.sort()).toEqual([...TAGS].sort());
    const generated = new Set(validMessages(0).map((m) => m.message.t));
    for (const tag of registered) {
      // Messages without fields have no field to break.
      if (!["chord.ping", "chord.state", "node.api"].includes(tag)) expect(generated, tag).toContain(tag);
    }
  });

  it(
    "valid messages with one field broken are refused with RpcReject and change nothing",
    async () => {
      const messages = validMessages(ring.clock.now());
      await fc.assert(
        fc.asyncProperty(hostileMessage(messages), async (message) => {
          counter.add("one field broken");
          expectRefused(await settle(target.router.handle(message, peer.transport.identity)));
          expect(snapshot(target)).toBe(before);
        }),
        params(cases(2_500, 60_000)),
      );
    },
    fuzzTimeout(),
  );

  it(
    "random JSON objects with known tags and field names: refused, or a harmless answer",
    async () => {
      await fc.assert(
        fc.asyncProperty(randomMessage, async (message) => {
          counter.add("random objects");
          const outcome = await settle(target.router.handle(message, peer.transport.identity));
          if ("error" in outcome && !(outcome.error instanceof RpcReject))
            throw new Error(`refused with ${describeError(outcome.error)}`);
          if ("answer" in outcome) {
            expect(typeof outcome.answer.t).toBe("string");
            // Only requests that need no valid field can pass: a ping, a state query, an empty batch, an API URL query.
            expect(["chord.ping", "chord.state", "store.replicate", "store.digest", "node.api"]).toContain(
              message.t,
            );
          }
          expect(snapshot(target)).toBe(before);
        }),
        params(cases(1_000, 20_000)),
      );
    },
    fuzzTimeout(),
  );

  it(
    "any JSON value in the request slot, and hostile messages through the memory transport",
    async () => {
      const messages = validMessages(ring.clock.now());
      const sent = fc.oneof(
        randomValue.map((value) => ({ value, hostile: false })),
        hostileMessage(messages).map((value) => ({ value: value as unknown, hostile: true })),
      );
      await fc.assert(
        fc.asyncProperty(sent, async ({ value, hostile }) => {
          counter.add("over the transport");
          if (!serializable(value)) {
            expectRefused(await settle(target.router.handle(value as WireMessage, peer.transport.identity)));
            return;
          }
          const outcome = await settle(
            peer.transport.request(target.addr, value as WireMessage, { timeoutMs: SETTLE_MS }),
          );
          if ("error" in outcome) {
            expect(outcome.error).toBeInstanceOf(TransportError);
            expect((outcome.error as TransportError).code).toBe("remote");
          } else {
            expect(hostile).toBe(false);
          }
          expect(snapshot(target)).toBe(before);
        }),
        params(cases(500, 20_000)),
      );
    },
    fuzzTimeout(),
  );

  it("after the fuzzing the node still routes, stores and retrieves", async () => {
    expect(ring.problems()).toEqual([]);
    const random = seededRandom(FUZZ_SEED);
    for (let i = 0; i < 20; i++) {
      const key = randomKey(random);
      expect((await target.chord.lookup(key)).node.addr).toBe(ring.ownerOf(key).addr);
    }
    const ping = await peer.transport.request(
      target.addr,
      { t: "chord.ping", junk: [1, 2] },
      { timeoutMs: 2_000 },
    );
    expect(ping.t).toBe("chord.pong");
    const to = ownedMailbox("fuzz-rpc 4242");
    const envelope = envelopeTo(to);
    const service = holders.get(target.addr)!.mailboxes;
    expect((await service.store(envelope)).created).toBe(true);
    const answer = await holders
      .get(peer.addr)!
      .mailboxes.retrieve(to, proofFor(to, [], ring.clock.now()), { waitMs: 0 });
    expect(answer.messages.map((m) => m.id)).toEqual([envelope.id]);
    const owner = ring.ownerOf(mailboxKey(to));
    expect(holders.get(owner.addr)!.store.get(to, envelope.id)).toBeDefined();
    // The refs the fuzzer forged never made it into anyone's routing state.
    const forged = idToHex(testRef("10.9.9.9:9").id);
    for (const node of ring.nodes()) {
      expect(node.chord.successors().some((n) => idToHex(n.id) === forged)).toBe(false);
    }
  });
});
