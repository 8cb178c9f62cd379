import { generateIdentity, type Identity, nobleAsyncCrypto } from "@wisp/lib";
import { afterEach, describe, expect, it } from "vitest";
import { WispClient } from "../src/client";
import { findMessage } from "../src/state";
import { memoryStorage, type Storage } from "../src/storage";
import { FakeNode, until } from "./fake-node";

const started: WispClient[] = [];

async function startClient(
  node: FakeNode,
  identity: Identity = generateIdentity(),
  storage: Storage = memoryStorage(),
) {
  const client = await WispClient.load({
    identity,
    api: node.api(),
    storage,
    waitMs: 200,
    crypto: nobleAsyncCrypto,
  });
  client.start();
  started.push(client);
  return { client, storage };
}

afterEach(() => {
  for (const c of started.splice(0)) c.stop();
});

describe("WispClient against a fake node", () => {
  it("delivers a message, shows one tick then two, and the receipt shows no bubble", async () => {
    const node = new FakeNode();
    const { client: alice } = await startClient(node);
    const { client: bob } = await startClient(node);
    expect(alice.addContact(bob.identity.address, "Bob")).toEqual({
      ok: true,
      address: bob.identity.address,
    });

    await alice.send(bob.identity.address, "hello Bob");
    const [sent] = alice.state.messages[bob.identity.address];
    expect(sent.status === "stored" || sent.status === "delivered").toBe(true);

    await until(() => (bob.state.messages[alice.identity.address] ?? []).length === 1);
    expect(bob.state.messages[alice.identity.address][0]).toMatchObject({ text: "hello Bob", out: false });
    expect(bob.state.contacts[alice.identity.address]).toMatchObject({ name: "", unread: 1 });

    await until(() => findMessage(alice.state, sent.id)?.status === "delivered");
    expect(alice.state.messages[bob.identity.address]).toHaveLength(1);
    await until(() => alice.connection === "connected" && bob.connection === "connected");
  });

  it("acknowledges only after storing, and ignores a redelivered message", async () => {
    const node = new FakeNode();
    const bobIdentity = generateIdentity();
    const { client: alice } = await startClient(node);
    const storage = memoryStorage();
    const { client: bob } = await startClient(node, bobIdentity, storage);
    await alice.send(bobIdentity.address, "once");
    await until(() => (bob.state.messages[alice.identity.address] ?? []).length === 1);
    const id = bob.state.messages[alice.identity.address][0].id;
    expect((await storage.loadAll()).messages.map((m) => m.id)).toEqual([id]);
    bob.stop();

    // Bob's acknowledgement never reached the node: the message comes again after a reload.
    node.redeliver(id);
    const { client: reloaded } = await startClient(node, bobIdentity, storage);
    expect(reloaded.state.messages[alice.identity.address]).toHaveLength(1);
    await until(() => ![...node.mailboxes.values()].some((box) => box.some((e) => e.id === id)));
    expect(reloaded.state.messages[alice.identity.address]).toHaveLength(1);
    expect(reloaded.state.contacts[alice.identity.address].unread).toBe(1);
  });

  it("turns a message red on a NACK and resends it as a new message", async () => {
    const node = new FakeNode();
    const bob = generateIdentity();
    const { client: alice } = await startClient(node);
    alice.addContact(bob.address, "Bob");
    await alice.send(bob.address, "are you there?");
    const [first] = alice.state.messages[bob.address];
    expect(first.status).toBe("stored");

    expect(node.expire(first.id)).toBe(true);
    await until(() => findMessage(alice.state, first.id)?.status === "failed");
    await until(() => ![...node.mailboxes.values()].some((box) => box.some((e) => e.id === first.id)));

    await alice.resend(first.id);
    const list = alice.state.messages[bob.address];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ text: "are you there?", status: "stored" });
    expect(list[0].id).not.toBe(first.id);
  });

  it("keeps the clock while the node is down, reports reconnecting, and stores once it is back", async () => {
    const node = new FakeNode();
    node.down = true;
    const bob = generateIdentity();
    const { client: alice } = await startClient(node);
    await alice.send(bob.address, "later");
    const [m] = alice.state.messages[bob.address];
    expect(m.status).toBe("sending");
    await until(() => alice.connection === "reconnecting");
    node.down = false;
    alice.nudge();
    await until(() => findMessage(alice.state, m.id)?.status === "stored", 10_000);
    expect(alice.connection).toBe("connected");
  });

  it("tells the UI when a chat opens, even one without unread messages, and clears unread", async () => {
    const node = new FakeNode();
    const { client } = await startClient(node);
    const peer = generateIdentity().address;
    client.addContact(peer, "Peer");
    let changes = 0;
    client.subscribe(() => changes++);
    client.openChat(peer);
    expect(client.openPeer).toBe(peer);
    expect(changes).toBeGreaterThan(0);
  });

  it("survives a node that hands out ids no envelope can have", async () => {
    const node = new FakeNode();
    const { client: bob } = await startClient(node);
    const { mailboxAddress } = await import("@wisp/lib");
    const to = mailboxAddress(bob.identity.publicKey);
    const calls = node.retrieveCalls;
    await node.api().store({ v: 1, id: "not-an-id", to, nackTo: "y", eph: "z", ct: "w" });
    await until(() => node.retrieveCalls >= calls + 3);
    node.mailboxes.set(to, []);
    const { client: alice } = await startClient(node);
    await alice.send(bob.identity.address, "still listening?");
    await until(() => (bob.state.messages[alice.identity.address] ?? []).length === 1);
  });

  it("refuses an invalid or own address with a clear error", async () => {
    const node = new FakeNode();
    const { client } = await startClient(node);
    const short = client.addContact("abc", "X");
    expect(short).toEqual({ ok: false, error: "address expected 43 characters, got 3" });
    expect(client.addContact(client.identity.address, "Me")).toEqual({
      ok: false,
      error: "that is your own address",
    });
    expect(Object.keys(client.state.contacts)).toEqual([]);
  });

  it("drops envelopes it cannot open but still acknowledges them", async () => {
    const node = new FakeNode();
    const { client: bob } = await startClient(node);
    const garbage = { v: 1 as const, id: "AAAAAAAAAAAAAAAAAAAAAA", to: "x", nackTo: "y", eph: "z", ct: "w" };
    const { mailboxAddress } = await import("@wisp/lib");
    const to = mailboxAddress(bob.identity.publicKey);
    await node.api().store({ ...garbage, to });
    await until(() => (node.mailboxes.get(to) ?? []).length === 0);
    expect(bob.state.messages).toEqual({});
  });
});
