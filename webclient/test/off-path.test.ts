/**
 * What the person waits on comes first: the bubble before any crypto or storage, an arriving
 * message on screen before it is written, its receipt sealing beside that render; and still the
 * acknowledgement only after the write.
 */
import { type AsyncWispCrypto, generateIdentity, mailboxAddress, nobleAsyncCrypto } from "@wisp/lib";
import { afterEach, describe, expect, it } from "vitest";
import { type ClientDeps, WispClient } from "../src/client";
import { findMessage } from "../src/state";
import { memoryStorage, type Storage } from "../src/storage";
import { FakeNode, until } from "./fake-node";

/** A client on noble's crypto unless the test gives its own. */
const loadClient = (deps: Omit<ClientDeps, "crypto"> & Partial<ClientDeps>) =>
  WispClient.load({ crypto: nobleAsyncCrypto, ...deps });

const started: WispClient[] = [];
afterEach(() => {
  for (const c of started.splice(0)) c.stop();
});

/** A promise with its resolve, to hold a step until the test lets it go. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/** noble, with every Ed25519 signature held until `signing` opens. */
function heldSigning(signing: Promise<void>): AsyncWispCrypto {
  return {
    ...nobleAsyncCrypto,
    ed25519Sign: async (seed, message) => {
      await signing;
      return nobleAsyncCrypto.ed25519Sign(seed, message);
    },
  };
}

/** Memory storage whose batched writes wait for `writing`, counted. */
function heldWrites(writing: Promise<void>): Storage & { batches: number } {
  const inner = memoryStorage();
  const storage = {
    ...inner,
    batches: 0,
    async putMany(...args: Parameters<Storage["putMany"]>) {
      storage.batches++;
      await writing;
      return inner.putMany(...args);
    },
  };
  return storage;
}

describe("off the path the person waits on", () => {
  it("shows the bubble before sealing, and writes and stores it only after", async () => {
    const node = new FakeNode();
    const signing = gate();
    const storage = memoryStorage();
    const identity = generateIdentity();
    const alice = await loadClient({
      identity,
      api: node.api(),
      storage,
      crypto: heldSigning(signing.wait),
    });
    const bob = generateIdentity().address;
    let rendersAsked = 0;
    alice.subscribe(() => rendersAsked++);

    const sending = alice.send(bob, "hi Bob");
    const [shown] = alice.state.messages[bob];
    expect(shown).toMatchObject({ text: "hi Bob", out: true, status: "sending" });
    expect(shown.envelope).toBeUndefined();
    expect(rendersAsked).toBe(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(node.storeCalls).toBe(0);
    expect((await storage.loadAll()).messages).toEqual([]);

    signing.open();
    await sending;
    expect(findMessage(alice.state, shown.id)?.status).toBe("stored");
    expect(node.seen.has(shown.id)).toBe(true);
    expect((await storage.loadAll()).messages.map((m) => m.id)).toEqual([shown.id]);
  });

  it("starts sealing an arriving message's receipt before it renders it, shows it before the write, and acknowledges only after it", async () => {
    const node = new FakeNode();
    const alice = await loadClient({
      identity: generateIdentity(),
      api: node.api(),
      storage: memoryStorage(),
      waitMs: 200,
    });
    const writing = gate();
    const storage = heldWrites(writing.wait);
    const bobIdentity = generateIdentity();
    // A seal signs "wisp/msg/v1" || …; a retrieve signature signs "wisp/retrieve/v1" || ….
    let sealsStarted = 0;
    const sealPrefix = new TextEncoder().encode("wisp/msg/v1");
    const counting: AsyncWispCrypto = {
      ...nobleAsyncCrypto,
      ed25519Sign: (seed, message) => {
        if (sealPrefix.every((b, i) => message[i] === b)) sealsStarted++;
        return nobleAsyncCrypto.ed25519Sign(seed, message);
      },
    };
    const bob = await loadClient({
      identity: bobIdentity,
      api: node.api(),
      storage,
      waitMs: 200,
      crypto: counting,
    });
    started.push(alice, bob);
    let sealingAtRender: number | undefined;
    bob.subscribe(() => {
      if (sealingAtRender === undefined && bob.state.messages[alice.identity.address])
        sealingAtRender = sealsStarted;
    });
    alice.start();
    bob.start();

    await alice.send(bobIdentity.address, "one");
    const [sent] = alice.state.messages[bobIdentity.address];
    await until(() => (bob.state.messages[alice.identity.address] ?? []).length === 1);
    await until(() => findMessage(alice.state, sent.id)?.status === "delivered");
    expect(sealingAtRender).toBe(1);
    // Shown and receipted, but not written: the node still holds it, unacknowledged.
    expect((await storage.loadAll()).messages).toEqual([]);
    const box = mailboxAddress(bobIdentity.publicKey);
    expect(node.mailboxes.get(box)?.some((e) => e.id === sent.id)).toBe(true);

    writing.open();
    await until(() => !node.mailboxes.get(box)?.some((e) => e.id === sent.id));
    expect((await storage.loadAll()).messages.map((m) => m.id)).toEqual([sent.id]);
    // The message and nothing else for an open chat's known sender went in one transaction.
    expect(storage.batches).toBe(1);
  });
});

describe("a write that failed", () => {
  it("leaves the message unacknowledged, and its redelivery is written before it is acknowledged", async () => {
    const node = new FakeNode();
    const alice = await loadClient({
      identity: generateIdentity(),
      api: node.api(),
      storage: memoryStorage(),
    });
    const inner = memoryStorage();
    let failing = true;
    const storage: Storage = {
      ...inner,
      async putMany(...args) {
        if (failing) throw new Error("disk full");
        return inner.putMany(...args);
      },
    };
    const bobIdentity = generateIdentity();
    const bob = await loadClient({ identity: bobIdentity, api: node.api(), storage, waitMs: 200 });
    started.push(bob);
    bob.start();
    await alice.send(bobIdentity.address, "keep me");
    const [sent] = alice.state.messages[bobIdentity.address];
    await until(() => (bob.state.messages[alice.identity.address] ?? []).length === 1);
    await until(() => bob.lastError === "disk full");
    const box = mailboxAddress(bobIdentity.publicKey);
    expect(node.mailboxes.get(box)?.some((e) => e.id === sent.id)).toBe(true);

    failing = false;
    await until(() => !node.mailboxes.get(box)?.some((e) => e.id === sent.id), 10_000);
    expect((await inner.loadAll()).messages.map((m) => m.id)).toEqual([sent.id]);
  });
});
