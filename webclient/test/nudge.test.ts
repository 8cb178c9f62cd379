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

it("a nudge during a request that then fails cuts the backoff after it (the pool saw the node first)", async () => {
  const node = new FakeNode();
  const api = node.api();
  let duringNextRetrieve: (() => void) | null = null;
  const alice = await WispClient.load({
    identity: generateIdentity(),
    api: {
      ...api,
      retrieve: async (request, signal) => {
        const during = duringNextRetrieve;
        duringNextRetrieve = null;
        during?.();
        const answer = await api.retrieve(request, signal);
        if (during) node.down = false;
        return answer;
      },
    },
    storage: memoryStorage(),
    waitMs: 200,
    crypto: nobleAsyncCrypto,
  });
  started.push(alice);
  node.down = true;
  alice.start();
  // Nudges cut each backoff short, so the failures pile up and the next backoff is seconds long.
  await until(() => {
    alice.nudge();
    return node.retrieveCalls >= 6;
  });
  duringNextRetrieve = () => alice.nudge();
  alice.nudge();
  await until(() => node.down === false);
  const before = node.retrieveCalls;
  await until(() => node.retrieveCalls > before, 500);
});
