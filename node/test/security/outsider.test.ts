/**
 * The attacks of issue 12 by an outsider: a process that only opens authenticated connections to
 * one node's node port (with a key of its own; it never joins). Each one gets a refusal and
 * changes nothing, and honest clients are served throughout.
 */

import net from "node:net";
import { between, idToHex } from "@wisp/lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeIdOf } from "../../src/identity/node-id";
import { generateNodeKey } from "../../src/identity/node-key";
import {
  generateIdentity,
  letter,
  mailboxAddress,
  outsider,
  PUZZLE_BITS,
  post,
  retrieve,
  startRing,
  type TestRing,
  until,
} from "./harness";

let ring: TestRing;
const alice = generateIdentity();
const bob = generateIdentity();
const carol = generateIdentity();
const bobMailbox = mailboxAddress(bob.publicKey);
const stored: string[] = [];

beforeAll(async () => {
  ring = await startRing(5);
  for (let i = 0; i < 4; i++) {
    const envelope = letter(alice, bob, `hello ${i}`);
    expect((await post(ring.nodes[i % 5], "/v1/store", envelope)).status).toBe(201);
    stored.push(envelope.id);
  }
  await until(() => ring.nodes.reduce((n, h) => n + h.mailboxes.entryCount(), 0) >= 12, "3 copies of each");
});

afterAll(() => ring?.stop());

const bobSees = async () => (await retrieve(ring.nodes[2], bob)).messages.map((m) => m.id).sort();

describe("an outsider on the node port", () => {
  it("gets none of Bob's envelopes from an unsigned store.fetch", async () => {
    for (const node of ring.nodes) {
      const { ask, link } = await outsider(node);
      const answer = (await ask({ t: "store.fetch", mailbox: bobMailbox, ack: [], waitMs: 0 })) as {
        e?: string;
      };
      expect(answer.e).toMatch(/proof|not_owner/);
      const forged = await ask({
        t: "store.fetch",
        mailbox: bobMailbox,
        proof: { pk: alice.address, ts: Date.now(), ack: [], sig: "A".repeat(86) },
        waitMs: 0,
      });
      expect(JSON.stringify(forged)).not.toContain(stored[0]);
      link.socket.destroy();
    }
  });

  it("deletes nothing with unsigned acks or forged tombstones in store.replicate and store.digest", async () => {
    const forgedProof = { pk: bob.address, ts: Date.now(), ack: stored, sig: "A".repeat(86) };
    const tombstones = stored.map((id) => ({
      mailbox: bobMailbox,
      id,
      expiresAt: Date.now() + 60_000,
      proof: 0,
    }));
    for (const node of ring.nodes) {
      const { ask, link } = await outsider(node);
      await ask({ t: "store.fetch", mailbox: bobMailbox, ack: stored, waitMs: 0 });
      await ask({ t: "store.replicate", entries: [], tombstones, proofs: [forgedProof] });
      await ask({ t: "store.digest", entries: [], tombstones, proofs: [forgedProof] });
      // Alice's own valid signature, but for her mailbox, not Bob's.
      const alicesProof = { ...JSON.parse(JSON.stringify(signed(alice, stored))) };
      await ask({ t: "store.replicate", entries: [], tombstones, proofs: [alicesProof] });
      link.socket.destroy();
    }
    for (const node of ring.nodes) await node.mailboxes.repair.round();
    expect(await bobSees()).toEqual([...stored].sort());
  });

  it("cannot plant a NACK for a message Bob received", async () => {
    const { ask, link } = await outsider(ring.nodes[0]);
    const answer = (await ask({
      t: "store.put",
      kind: "nack",
      mailbox: mailboxAddress(alice.publicKey),
      nack: { id: stored[0], to: bobMailbox, expiredAt: Date.now() },
    })) as { e?: string; r?: { t: string } };
    expect(answer.r?.t === "store.put.ok").toBe(false);
    link.socket.destroy();
    expect((await retrieve(ring.nodes[1], alice)).nacks).toEqual([]);
  });

  it("cannot fill Carol's mailbox through store.replicate", async () => {
    const carolMailbox = mailboxAddress(carol.publicKey);
    const junk = Array.from({ length: 500 }, (_, i) => {
      const envelope = letter(alice, carol, `junk ${i}`);
      return { kind: "msg", storedAt: Date.now(), expiresAt: Date.now() + 60_000, envelope };
    });
    for (const node of ring.nodes) {
      const { ask, link } = await outsider(node);
      const answer = (await ask({ t: "store.replicate", entries: junk, tombstones: [], proofs: [] })) as {
        r?: { created: number };
      };
      expect(answer.r?.created ?? 0).toBe(0);
      link.socket.destroy();
    }
    expect((await retrieve(ring.nodes[0], carol)).messages).toEqual([]);
    expect((await post(ring.nodes[3], "/v1/store", letter(alice, carol, "real"))).status).toBe(201);
    expect(carolMailbox).toHaveLength(43);
  });

  it("cannot make itself anyone's neighbour with a spoofed leave or notify", async () => {
    const victim = ring.nodes[0];
    const before = victim.chord.successors().map((s) => s.addr);
    const { ask, link } = await outsider(victim);
    const self = { id: idToHex(victim.chord.self.id), addr: victim.addr, key: victim.chord.self.key };
    const successor = victim.chord.successors()[0];
    const successorRef = { id: idToHex(successor.id), addr: successor.addr, key: successor.key };
    const leave = (await ask({
      t: "chord.leave",
      node: successorRef,
      predecessor: self,
      successors: [],
    })) as {
      e?: string;
    };
    expect(leave.e, JSON.stringify(leave)).toMatch(/another node than its sender/);
    const notify = (await ask({ t: "chord.notify", node: successorRef })) as { e?: string };
    expect(notify.e).toMatch(/another node than its sender/);
    for (const alias of ["127.1", "0x7f.0.0.1", "127.000.0.1", "[::ffff:127.0.0.1]"]) {
      const port = victim.addr.slice(victim.addr.lastIndexOf(":") + 1);
      const answer = (await ask({
        t: "chord.notify",
        node: { ...successorRef, addr: `${alias}:${port}` },
      })) as {
        e?: string;
      };
      expect(answer.e).toMatch(/canonical/);
    }
    link.socket.destroy();
    expect(victim.chord.successors().map((s) => s.addr)).toEqual(before);
    for (let i = 0; i < 5; i++)
      expect((await post(ring.nodes[i], "/v1/store", letter(alice, bob, `after ${i}`))).status).toBe(201);
    expect((await bobSees()).length).toBe(9);
  });

  it("cannot become a predecessor over its own link by naming an address where it does not listen", async () => {
    const victim = ring.nodes[1];
    const predecessor = victim.chord.predecessor();
    if (!predecessor) throw new Error("the victim has no predecessor");
    const nobody = net.createServer();
    await new Promise<void>((resolve) => nobody.listen(0, "127.0.0.1", resolve));
    const claimed = `127.0.0.1:${(nobody.address() as net.AddressInfo).port}`;
    await new Promise((resolve) => nobody.close(resolve));
    // A key whose ring id lies between the victim's predecessor and the victim: a notify it would take.
    const ip = Uint8Array.of(127, 0, 0, 1);
    let key = generateNodeKey(PUZZLE_BITS);
    for (
      let i = 0;
      i < 5_000 && !between(predecessor.id, nodeIdOf(key.publicKey, ip), victim.chord.self.id);
      i++
    )
      key = generateNodeKey(PUZZLE_BITS);
    expect(between(predecessor.id, nodeIdOf(key.publicKey, ip), victim.chord.self.id)).toBe(true);
    const { link } = await outsider(victim, { key, listenAddr: claimed });
    const self = { id: idToHex(nodeIdOf(key.publicKey, ip)), addr: claimed, key: key.key };
    const frames = () => link.received.map((frame) => JSON.parse(Buffer.from(frame).toString()));
    link.sendFrame(Buffer.from(JSON.stringify({ i: 1, q: { t: "chord.notify", node: self } })));
    // The outsider would answer a ping over its own link at once, as the node it claims to be.
    let answered = 0;
    await until(() => {
      for (const frame of frames().slice(answered)) {
        answered++;
        if (frame.q?.t === "chord.ping")
          link.sendFrame(Buffer.from(JSON.stringify({ i: frame.i, r: { t: "chord.pong", node: self } })));
      }
      return frames().some((frame) => frame.i === 1 && !("q" in frame));
    }, "the answer to the notify");
    // The victim checked by dialling the address named, where nobody listens; never over this link.
    expect(frames().filter((frame) => "q" in frame)).toEqual([]);
    expect(victim.chord.predecessor()?.addr).toBe(predecessor.addr);
    link.socket.destroy();
  });

  it("is refused at the handshake with a key that does not solve the puzzle", async () => {
    const { openLink, settingsFor } = await import("../transport/link-client");
    const { generateNodeKey } = await import("../../src/identity/node-key");
    const { puzzleBitsOf } = await import("../../src/identity/node-id");
    let weak = generateNodeKey(0);
    while (puzzleBitsOf(weak.publicKey) >= 4) weak = generateNodeKey(0);
    const link = await openLink(ring.nodes[0].addr, settingsFor(weak));
    link.sendFrame(Buffer.from(JSON.stringify({ i: 1, q: { t: "chord.ping" } })));
    await link.closed;
    expect(link.received).toEqual([]);
  });
});

describe("the client API", () => {
  it("refuses a retrieve for a small-order or invalid pk with 400, however it is signed", async () => {
    const smallOrder = [
      "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", // the identity point
      "7P___________________________________________3".slice(0, 43), // y = −1, order 2
      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", // order 4
    ];
    for (const pk of smallOrder) {
      const answer = await post(ring.nodes[0], "/v1/retrieve", {
        pk,
        ts: Date.now(),
        ack: [],
        wait: 0,
        sig: "A".repeat(86),
      });
      expect(answer.status, pk).toBe(400);
      expect(answer.body.error?.code).toBe("bad_request");
    }
  });
});

function signed(who: typeof alice, ack: string[]) {
  const { pk, ts, sig } = JSON.parse(JSON.stringify(require_sign(who, ack)));
  return { pk, ts, ack, sig };
}

import { signRetrieve } from "@wisp/lib";

function require_sign(who: typeof alice, ack: string[]) {
  return signRetrieve(who, Date.now(), ack, 0);
}
