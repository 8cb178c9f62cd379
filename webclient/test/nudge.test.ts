import { generateIdentity, mailboxAddress, nobleAsyncCrypto } from "@wisp/lib";
import { afterEach, expect, it } from "vitest";
import { WispClient } from "../src/client";
import { memoryStorage } from "../src/storage";
import { FakeNode, until } from "./fake-node";

const started: WispClient[] = [];
afterEach(() => {
  for (const c of started.splice(0)) c.stop();
});

it("nudges in a row (the pool's events, online, Reconnect now) send a waiting body once", async () => {
  const node = new FakeNode();
  const alice = await WispClient.load({
    identity: generateIdentity(),
    api: node.api(),
    storage: memoryStorage(),
    waitMs: 200,
    crypto: nobleAsyncCrypto,
  });
  started.push(alice);
  const bob = generateIdentity();
  alice.addContact(bob.address, "Bob");
  node.down = true;
  alice.start();
  await alice.setProfile("Alice");
  await alice.send(bob.address, "hello");
  await until(() => node.storeCalls >= 2);
  node.down = false;
  for (let i = 0; i < 5; i++) alice.nudge();
  const box = () => node.mailboxes.get(mailboxAddress(bob.publicKey)) ?? [];
  await until(() => box().length >= 2);
  await new Promise((r) => setTimeout(r, 300));
  expect(box()).toHaveLength(2);
});
