/**
 * The attacks of issue 12 by a malicious member: Mallory runs Wisp's own node code with her own
 * key, joined to the ring, and lies — forged tombstones, replicate floods, spoofed leaves, NACKs
 * for others' messages, refs with a ground id. Honest clients are served throughout.
 */
import { idToHex, signRetrieve } from "@wisp/lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mailboxKey } from "../../src/store/entry";
import {
  generateIdentity,
  letter,
  mailboxAddress,
  mallory,
  post,
  retrieve,
  startRing,
  type TestRing,
  until,
} from "./harness";

let ring: TestRing;
let evil: Awaited<ReturnType<typeof mallory>>;
const alice = generateIdentity();
const bob = generateIdentity();
const carol = generateIdentity();
const bobMailbox = mailboxAddress(bob.publicKey);
const stored: string[] = [];

beforeAll(async () => {
  ring = await startRing(5);
  evil = await mallory(ring.nodes[0].addr);
  // The ring of six settles: every member lists the other five as successors.
  await until(
    () =>
      evil.chord.successors().length === 5 &&
      ring.nodes.every((h) => h.chord.successors().length === 5 && h.chord.predecessor() !== null),
    "Mallory in a settled ring",
  );
  for (let i = 0; i < 3; i++) {
    const envelope = letter(alice, bob, `for bob ${i}`);
    // 503 means no route right now (PROTOCOL.md): an honest client tries again.
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 201; attempt++) {
      status = (await post(ring.nodes[i], "/v1/store", envelope)).status;
      if (status !== 201) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(201);
    stored.push(envelope.id);
  }
});

afterAll(async () => {
  await evil?.stop();
  await ring?.stop();
});

const request = (to: string, message: Record<string, unknown>) =>
  evil.transport
    .request(to, message as { t: string }, { timeoutMs: 3_000 })
    .catch((error: Error) => ({ error: error.message }));

describe("a malicious member", () => {
  it("deletes nothing with tombstones whose proof is her own signature, or a forged one", async () => {
    const mine = generateIdentity();
    const ownProof = (({ pk, ts, sig }) => ({ pk, ts, ack: stored, sig }))(
      signRetrieve(mine, Date.now(), stored, 0),
    );
    const forged = { pk: bob.address, ts: Date.now(), ack: stored, sig: ownProof.sig };
    const tombstones = stored.map((id) => ({
      mailbox: bobMailbox,
      id,
      expiresAt: Date.now() + 60_000,
      proof: 0,
    }));
    for (const node of ring.nodes) {
      for (const proof of [ownProof, forged]) {
        await request(node.addr, { t: "store.replicate", entries: [], tombstones, proofs: [proof] });
        await request(node.addr, { t: "store.digest", entries: [], tombstones, proofs: [proof] });
        await request(node.addr, { t: "store.fetch", mailbox: bobMailbox, proof, waitMs: 0 });
      }
    }
    for (const node of ring.nodes) await node.mailboxes.repair.round();
    expect((await retrieve(ring.nodes[3], bob)).messages.map((m) => m.id).sort()).toEqual([...stored].sort());
  });

  it("fills no mailbox through a node that sees her elsewhere than between the key and itself", async () => {
    const carolMailbox = mailboxAddress(carol.publicKey);
    const key = mailboxKey(carolMailbox);
    const junk = Array.from({ length: 300 }, (_, i) => ({
      kind: "msg",
      storedAt: Date.now(),
      expiresAt: Date.now() + 60_000,
      envelope: letter(alice, carol, `junk ${i}`),
    }));
    let planted = 0;
    let refused = 0;
    for (const node of ring.nodes) {
      const answer = (await request(node.addr, {
        t: "store.replicate",
        entries: junk,
        tombstones: [],
        proofs: [],
      })) as {
        created?: number;
      };
      // Only a node that sees her at or after Carol's key on its way to itself takes copies.
      const mayTake = node.chord.owns(key) || isBetween(key, evil.chord.self.id, node.chord.self.id);
      if (!mayTake) expect(answer.created ?? 0).toBe(0);
      planted += answer.created ?? 0;
      if ((answer.created ?? 0) === 0) refused++;
    }
    // Those that do take them hold them as a replica would, within a replica's limits, and her copies
    // never reach a sender: Carol's mailbox is not full for anyone who writes to her.
    expect(refused + planted).toBeGreaterThan(0);
    expect((await post(ring.nodes[1], "/v1/store", letter(alice, carol, "real one"))).status).toBe(201);
  });

  it("cannot NACK a message to someone else: only the node responsible for its mailbox may", async () => {
    // A recipient whose mailbox Mallory is not responsible for (the owner of a mailbox can always lie about it).
    let eve = generateIdentity();
    const ownerOf = async (who: typeof eve) =>
      (await ring.nodes[0].chord.lookup(mailboxKey(mailboxAddress(who.publicKey)))).node.addr;
    for (let i = 0; i < 50 && (await ownerOf(eve)) === evil.chord.self.addr; i++) eve = generateIdentity();
    const envelope = letter(alice, eve, "for eve");
    expect((await post(ring.nodes[1], "/v1/store", envelope)).status).toBe(201);
    const aliceMailbox = mailboxAddress(alice.publicKey);
    for (const node of ring.nodes) {
      const answer = await request(node.addr, {
        t: "store.put",
        kind: "nack",
        mailbox: aliceMailbox,
        nack: { id: envelope.id, to: mailboxAddress(eve.publicKey), expiredAt: Date.now() },
      });
      expect(JSON.stringify(answer)).not.toContain('"created":true');
    }
    expect((await retrieve(ring.nodes[0], alice)).nacks).toEqual([]);
  });

  it("cannot make a node drop a live neighbour with a leave in its name", async () => {
    const victim =
      ring.nodes.find((n) => n.chord.successors()[0]?.addr !== evil.chord.self.addr) ?? ring.nodes[0];
    const successor = victim.chord.successors()[0];
    const ref = (n: { id: bigint; addr: string; key: string }) => ({
      id: idToHex(n.id),
      addr: n.addr,
      key: n.key,
    });
    const answer = await request(victim.addr, {
      t: "chord.leave",
      node: ref(successor),
      predecessor: ref(evil.chord.self),
      successors: [ref(evil.chord.self)],
    });
    expect(JSON.stringify(answer)).toMatch(/another node than its sender/);
    expect(victim.chord.successors()[0].addr).toBe(successor.addr);
  });

  it("cannot slip in a ref with a ground id, another node's key, or an alias of an address", async () => {
    const victim = ring.nodes[1];
    const self = evil.chord.self;
    const lies = [
      { id: "ff".repeat(32), addr: self.addr, key: self.key },
      { id: idToHex(self.id), addr: self.addr, key: victim.chord.self.key },
      { id: idToHex(self.id), addr: self.addr.replace("127.0.0.1", "127.1"), key: self.key },
    ];
    for (const node of lies) {
      const answer = await request(victim.addr, { t: "chord.notify", node });
      expect(JSON.stringify(answer)).toMatch(/bound|canonical|another node/);
    }
    expect(victim.chord.predecessor()?.id).not.toBe(BigInt(`0x${"ff".repeat(32)}`));
  });

  it("leaves honest clients served throughout", async () => {
    const dave = generateIdentity();
    for (let i = 0; i < 6; i++)
      expect((await post(ring.nodes[i % 5], "/v1/store", letter(alice, dave, `still ${i}`))).status).toBe(
        201,
      );
    expect((await retrieve(ring.nodes[4], dave)).messages).toHaveLength(6);
  });
});

function isBetween(a: bigint, x: bigint, b: bigint): boolean {
  if (a < b) return a < x && x < b;
  return x !== a && (a > b ? x > a || x < b : true);
}
