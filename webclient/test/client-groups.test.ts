import {
  decodeBody,
  generateIdentity,
  mailboxAddress,
  nextGroupState,
  nobleAsyncCrypto,
  open,
  signGroupState,
} from "@wisp/lib";
import { afterEach, describe, expect, it } from "vitest";
import { deleteForEveryone, react, removeChat } from "../src/actions";
import { WispClient } from "../src/client";
import { addMembers, leaveGroup, makeAdmin, newGroup, renameGroup } from "../src/group-actions";
import { findMessage } from "../src/state";
import { memoryStorage } from "../src/storage";
import { FakeNode, until } from "./fake-node";

const started: WispClient[] = [];

async function startClient(node: FakeNode, storage = memoryStorage()) {
  const client = await WispClient.load({
    identity: generateIdentity(),
    api: node.api(),
    storage,
    waitMs: 200,
    crypto: nobleAsyncCrypto,
  });
  client.start();
  started.push(client);
  return client;
}

async function startClients(node: FakeNode, count: number) {
  const clients: WispClient[] = [];
  for (let i = 0; i < count; i++) clients.push(await startClient(node));
  return clients;
}

afterEach(() => {
  for (const c of started.splice(0)) c.stop();
});

const texts = (c: WispClient, chat: string) => (c.state.messages[chat] ?? []).map((m) => m.text);

describe("WispClient: names, replies, reactions, read receipts, deleting and groups", () => {
  it("sends my profile with my first message, and the name shows for an unknown sender", async () => {
    const node = new FakeNode();
    const alice = await startClient(node);
    const bob = await startClient(node);
    await alice.setProfile("Alice");
    alice.addContact(bob.identity.address, "Bob");
    await alice.send(bob.identity.address, "hi");
    await until(() => bob.state.contacts[alice.identity.address]?.profileName === "Alice");
    expect(alice.state.contacts[bob.identity.address].profileSentAt).toBe(alice.settings.profile?.updatedAt);
  });

  it("read receipts go out when the chat is open, and not when they are turned off", async () => {
    const node = new FakeNode();
    const alice = await startClient(node);
    const bob = await startClient(node);
    const carol = await startClient(node);
    alice.addContact(bob.identity.address, "Bob");
    alice.addContact(carol.identity.address, "Carol");
    await carol.saveSettings({ readReceipts: false });
    await alice.send(bob.identity.address, "to bob");
    await alice.send(carol.identity.address, "to carol");
    await until(
      () =>
        texts(bob, alice.identity.address).length === 1 && texts(carol, alice.identity.address).length === 1,
    );
    bob.openChat(alice.identity.address);
    carol.openChat(alice.identity.address);
    await until(() => alice.state.messages[bob.identity.address][0].status === "read");
    await until(() => alice.state.messages[carol.identity.address][0].status === "delivered");
    expect(findMessage(carol.state, carol.state.messages[alice.identity.address][0].id)?.readSent).toBe(true);
  });

  it("a text arriving in the open chat gets one read receipt, which says delivered too, and nothing else", async () => {
    const node = new FakeNode();
    const alice = await startClient(node);
    const bob = await startClient(node);
    bob.openChat(alice.identity.address);
    await alice.send(bob.identity.address, "hi");
    await until(() => alice.state.messages[bob.identity.address][0].status === "read");
    // Two more polls of each: whatever Bob would still send has reached the node by then.
    const polls = node.retrieveCalls;
    await until(() => node.retrieveCalls >= polls + 4);
    const toAlice = [...node.seen.values()].filter((e) => e.to === mailboxAddress(alice.identity.publicKey));
    expect(toAlice).toHaveLength(1);
    const opened = open(alice.identity, toAlice[0]);
    expect(opened.ok && decodeBody(opened.body)?.type).toBe("read");
  });

  it("three people and a group: create, send, reply, react, read, delete for everyone, add, leave", async () => {
    const node = new FakeNode();
    const [alice, bob, carol, dave] = await startClients(node, 4);
    const gid = await newGroup(alice, "Trip", [bob.identity.address, carol.identity.address]);
    await until(() => bob.state.groups[gid]?.joined === true && carol.state.groups[gid]?.joined === true);
    await alice.send(gid, "Who's in?");
    await until(() => texts(bob, gid).includes("Who's in?") && texts(carol, gid).includes("Who's in?"));
    const first = alice.state.messages[gid][0];
    await until(() => alice.state.messages[gid][0].status === "delivered");

    bob.openChat(gid);
    await bob.send(gid, "Me!", { id: first.id, snippet: first.text });
    await until(() => texts(carol, gid).includes("Me!"));
    const carolsCopy = carol.state.messages[gid].find((m) => m.text === "Me!");
    expect(carolsCopy?.reply).toEqual({ id: first.id, snippet: "Who's in?" });
    expect(carolsCopy?.author).toBe(bob.identity.address);
    await until(() => alice.state.messages[gid][0].copies?.[bob.identity.address].status === "read");
    expect(alice.state.messages[gid][0].status).not.toBe("read");
    carol.openChat(gid);
    await until(() => alice.state.messages[gid][0].status === "read");

    react(carol, first.id, "👍");
    await until(
      () => findMessage(alice.state, first.id)?.reactions?.[carol.identity.address]?.emoji === "👍",
    );
    await until(() => findMessage(bob.state, first.id)?.reactions?.[carol.identity.address]?.emoji === "👍");

    const oops = bob.state.messages[gid].find((m) => m.text === "Me!")!;
    deleteForEveryone(bob, oops.id);
    await until(
      () =>
        findMessage(alice.state, oops.id)?.deleted === true &&
        findMessage(carol.state, oops.id)?.deleted === true,
    );

    addMembers(alice, gid, [dave.identity.address]);
    await until(() => dave.state.groups[gid]?.joined === true);
    expect(dave.state.groups[gid].members).toContain(dave.identity.address);
    await until(() => bob.state.groups[gid].members.includes(dave.identity.address));

    leaveGroup(carol, gid);
    for (const c of [alice, bob, dave])
      await until(() => !c.state.groups[gid].members.includes(carol.identity.address));
    await alice.send(gid, "Carol left");
    await until(() => texts(dave, gid).includes("Carol left") && texts(bob, gid).includes("Carol left"));
    expect(Object.keys(alice.state.messages[gid].at(-1)?.copies ?? {})).toEqual([
      bob.identity.address,
      dave.identity.address,
    ]);
    expect(texts(carol, gid)).not.toContain("Carol left");
    const heads = [alice, bob, dave, carol].map((c) => c.state.groups[gid].head);
    expect(new Set(heads).size).toBe(1);

    // Deleting a group I am still in leaves it first.
    await removeChat(dave, gid);
    expect(dave.state.groups[gid]).toBeUndefined();
    await until(() => !alice.state.groups[gid].members.includes(dave.identity.address));
  });

  it("a member who missed a change for longer than the TTL catches up when they write", async () => {
    const node = new FakeNode();
    const [alice, bob] = [await startClient(node), await startClient(node)];
    const gid = await newGroup(alice, "Trip", [bob.identity.address]);
    await until(() => bob.state.groups[gid]?.joined === true);
    bob.stop();
    renameGroup(alice, gid, "Trip 2027");
    await until(() => (node.mailboxes.get(mailboxAddress(bob.identity.publicKey)) ?? []).length > 0);
    // The change expired unread: gone from Bob's mailbox.
    node.mailboxes.set(mailboxAddress(bob.identity.publicKey), []);
    bob.start();
    await bob.send(gid, "still on?");
    await until(() => bob.state.groups[gid].name === "Trip 2027");
    expect(bob.state.groups[gid].head).toBe(alice.state.groups[gid].head);
    await until(() => texts(alice, gid).includes("still on?"));
  });

  it("drops a state whose signature does not check, on arrival, and takes the same state signed", async () => {
    const node = new FakeNode();
    const [alice, bob] = await startClients(node, 2);
    const gid = await newGroup(alice, "Trip", [bob.identity.address]);
    await makeAdmin(alice, gid, bob.identity.address);
    await until(() => bob.state.groups[gid]?.admins.includes(bob.identity.address) === true);
    const head = () => bob.state.groups[gid].log.find((v) => v.hash === bob.state.groups[gid].head)!;
    const rename = (name: string) =>
      signGroupState(bob.identity, nextGroupState(head(), bob.identity.address, { name }, 5));
    const forged = rename("Forged");
    const flipped = forged.sig.startsWith("A") ? "B" : "A";
    bob.post([alice.identity.address], {
      type: "group",
      gid,
      changes: [{ ...forged, sig: flipped + forged.sig.slice(1) }],
    });
    bob.post([alice.identity.address], { type: "group", gid, changes: [rename("Trip 2027")] });
    await until(() => alice.state.groups[gid].name === "Trip 2027");
    expect(alice.state.groups[gid].log.map((v) => v.state.name)).not.toContain("Forged");
  });

  it("two admins change the group at once: the losing change is made again, everyone ends equal", async () => {
    const node = new FakeNode();
    const [alice, bob, carol, dave] = await startClients(node, 4);
    const gid = await newGroup(alice, "Trip", [bob.identity.address, carol.identity.address]);
    makeAdmin(alice, gid, bob.identity.address);
    await until(() => bob.state.groups[gid]?.admins.includes(bob.identity.address) === true);
    // Both sign on the same head, before either hears of the other's change.
    addMembers(alice, gid, [dave.identity.address]);
    renameGroup(bob, gid, "Trip 2027");
    const settled = () => {
      const groups = [alice, bob, carol, dave].map((c) => c.state.groups[gid]);
      return (
        groups.every((g) => g?.head === groups[0].head) &&
        groups[0].name === "Trip 2027" &&
        groups[0].members.includes(dave.identity.address)
      );
    };
    await until(settled);
    for (const c of [alice, bob]) expect(c.state.groups[gid].unapplied ?? []).toEqual([]);
  });

  it("a copy that expired unread is resent to that member only, and shows once", async () => {
    const node = new FakeNode();
    const [alice, bob, carol] = [await startClient(node), await startClient(node), await startClient(node)];
    const gid = await newGroup(alice, "Trip", [bob.identity.address, carol.identity.address]);
    await until(() => bob.state.groups[gid]?.joined === true && carol.state.groups[gid]?.joined === true);
    carol.stop();
    await alice.send(gid, "anyone?");
    const mid = alice.state.messages[gid][0].id;
    const carolsCopy = () => alice.state.messages[gid][0].copies?.[carol.identity.address];
    await until(() => carolsCopy()?.status === "stored");
    const first = carolsCopy()!.env;
    expect(node.expire(first)).toBe(true);
    await until(() => carolsCopy()?.status === "failed");
    await until(() => alice.state.messages[gid][0].copies?.[bob.identity.address].status === "delivered");
    expect(alice.state.messages[gid][0].status).toBe("delivered");
    await alice.resend(mid);
    expect(carolsCopy()?.env).not.toBe(first);
    expect(alice.state.copyIndex[first]).toBeUndefined();
    carol.start();
    await until(() => texts(carol, gid).includes("anyone?"));
    await until(() => carolsCopy()?.status === "delivered");
    expect(texts(bob, gid)).toEqual(["anyone?"]);
    expect(texts(carol, gid)).toEqual(["anyone?"]);
  });

  it("a group of 32 gets one message to everyone", async () => {
    const node = new FakeNode();
    const members = [];
    for (let i = 0; i < 32; i++) members.push(await startClient(node));
    const [admin, ...rest] = members;
    const gid = await newGroup(
      admin,
      "Big",
      rest.map((c) => c.identity.address),
    );
    await until(() => rest.every((c) => c.state.groups[gid]?.joined), 20_000);
    await admin.send(gid, "hello 31");
    await until(() => rest.every((c) => texts(c, gid).includes("hello 31")), 20_000);
    await until(() => admin.state.messages[gid][0].status === "delivered", 20_000);
  }, 60_000);
});
