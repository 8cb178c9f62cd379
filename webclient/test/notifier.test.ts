import { generateIdentity, nobleAsyncCrypto } from "@wisp/lib";
import { afterEach, describe, expect, it } from "vitest";
import { WispClient } from "../src/client";
import { newGroup } from "../src/group-actions";
import { Notifier, type NotifyHost, type Permission } from "../src/notifier";
import { memoryStorage } from "../src/storage";
import { FakeNode, until } from "./fake-node";

class FakeHost implements NotifyHost {
  isHidden = true;
  granted: Permission = "default";
  answer: Permission = "granted";
  readonly shown: { title: string; body: string; onClick: () => void }[] = [];
  focused = 0;
  hidden = () => this.isHidden;
  permission = () => this.granted;
  requestPermission = async () => {
    this.granted = this.answer;
    return this.answer;
  };
  show = (title: string, options: { body: string; onClick: () => void }) => {
    this.shown.push({ title, ...options });
  };
  focus = () => {
    this.focused++;
  };
}

const started: WispClient[] = [];
afterEach(() => {
  for (const c of started.splice(0)) c.stop();
});

async function setup() {
  const node = new FakeNode();
  const start = async () => {
    const client = await WispClient.load({
      identity: generateIdentity(),
      api: node.api(),
      storage: memoryStorage(),
      waitMs: 200,
      crypto: nobleAsyncCrypto,
    });
    client.start();
    started.push(client);
    return client;
  };
  const alice = await start();
  const bob = await start();
  const host = new FakeHost();
  const storage = memoryStorage();
  const notifier = new Notifier(bob, storage, host);
  await notifier.load();
  bob.addContact(alice.identity.address, "Alice");
  alice.addContact(bob.identity.address, "Bob");
  const arrived = (n: number) => until(() => (bob.state.messages[alice.identity.address] ?? []).length === n);
  return { alice, bob, host, notifier, storage, arrived };
}

describe("Notifier", () => {
  it("titles a group message with the group's name and names its author in the body", async () => {
    const { alice, bob, host, notifier } = await setup();
    await alice.setProfile("Alice");
    await notifier.enable();
    const gid = await newGroup(alice, "Trip", [bob.identity.address]);
    await until(() => bob.state.groups[gid]?.joined === true);
    await alice.send(gid, "who is in?");
    await until(() => (bob.state.messages[gid] ?? []).length === 1);
    expect(host.shown.map((n) => [n.title, n.body])).toEqual([["Trip", "Alice: New message"]]);
    host.shown[0].onClick();
    expect(bob.openPeer).toBe(gid);
  });

  it("shows one notification per message while hidden, with the sender's name, and the text only if allowed", async () => {
    const { alice, bob, host, notifier, arrived } = await setup();
    await alice.send(bob.identity.address, "before permission");
    await arrived(1);
    expect(host.shown).toEqual([]);

    expect(await notifier.enable()).toBe("granted");
    await alice.send(bob.identity.address, "secret one");
    await alice.send(bob.identity.address, "secret two");
    await arrived(3);
    await until(() => host.shown.length === 2);
    expect(host.shown.map((n) => [n.title, n.body])).toEqual([
      ["Alice", "New message"],
      ["Alice", "New message"],
    ]);

    await notifier.setShowText(true);
    await alice.send(bob.identity.address, "now visible text");
    await arrived(4);
    // The message is in the state a moment before the render that shows its notification.
    await until(() => host.shown.length === 3);
    expect(host.shown.at(-1)?.body).toBe("now visible text");

    host.shown.at(-1)?.onClick();
    expect(host.focused).toBe(1);
    expect(bob.openPeer).toBe(alice.identity.address);
  });

  it("stays quiet while the page is visible, for a muted chat, and when permission is denied", async () => {
    const { alice, bob, host, notifier, storage, arrived } = await setup();
    await notifier.enable();
    host.isHidden = false;
    await alice.send(bob.identity.address, "seen in the open tab");
    await arrived(1);
    host.isHidden = true;
    await notifier.setMuted(alice.identity.address, true);
    await alice.send(bob.identity.address, "muted");
    await arrived(2);
    expect(host.shown).toEqual([]);
    expect(await storage.get("notifications")).toMatchObject({
      enabled: true,
      muted: [alice.identity.address],
    });

    await notifier.setMuted(alice.identity.address, false);
    host.answer = "denied";
    expect(await notifier.enable()).toBe("denied");
    expect(notifier.settings.enabled).toBe(false);
  });
});
