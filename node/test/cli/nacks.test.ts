import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mailboxAddress, parseSharedAddress } from "@wisp/lib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cliPeople } from "./harness";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wisp-cli-nack-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function mailboxOf(address: string): string {
  const parsed = parseSharedAddress(address);
  if (!parsed.ok) throw new Error(parsed.error);
  return mailboxAddress(parsed.publicKey);
}

describe("bin/wisp NACKs", () => {
  it("prints a NACK for a text it sent, once, naming the recipient", async () => {
    const { wisp, mailboxes, addresses } = await cliPeople(dir, "alice", "bob");
    const id = (await wisp("alice", "send", addresses.bob, "are you there?")).out[0];
    mailboxes.expire(id);
    const polled = await wisp("alice", "poll");
    expect(polled.out).toEqual([
      `NACK ${id}: not delivered to ${addresses.bob}, expired ${new Date(2_000_000).toISOString()}`,
    ]);
    expect(mailboxes.nacks.size).toBe(0); // acknowledged
    expect((await wisp("alice", "poll")).out).toEqual([]);
  });

  it("acknowledges and ignores a NACK for a text it never sent, or sent to another mailbox; one without an id is only ignored", async () => {
    const { wisp, mailboxes, addresses, poll } = await cliPeople(dir, "alice", "bob", "carol");
    const id = (await wisp("alice", "send", addresses.bob, "for Bob")).out[0];
    const alice = mailboxOf(addresses.alice);
    mailboxes.nacks.set("A".repeat(22), {
      id: "A".repeat(22),
      to: mailboxOf(addresses.bob),
      expiredAt: 1,
      mailbox: alice,
    });
    mailboxes.nacks.set(id, { id, to: mailboxOf(addresses.carol), expiredAt: 1, mailbox: alice });
    mailboxes.nacks.set("__proto__", {
      id: "__proto__",
      to: mailboxOf(addresses.bob),
      expiredAt: 1,
      mailbox: alice,
    });
    const polled = await wisp("alice", "poll");
    expect(polled).toMatchObject({ code: 0, out: [], err: [] });
    expect([...mailboxes.nacks.keys()]).toEqual(["__proto__"]);
    mailboxes.nacks.clear();
    // Bob's copy is still waiting, and its real NACK is still shown when it comes.
    mailboxes.expire(id);
    expect(await poll("alice")).toEqual([
      {
        kind: "nack",
        id,
        envelope: id,
        to: mailboxOf(addresses.bob),
        recipient: addresses.bob,
        expiredAt: 2_000_000,
      },
    ]);
  });

  it("names a group text's NACK by the id send printed, and the member it missed", async () => {
    const { wisp, mailboxes, addresses, poll } = await cliPeople(dir, "alice", "bob", "carol");
    const gid = (await wisp("alice", "group", "create", "Three", addresses.bob, addresses.carol)).out[0];
    await poll("bob");
    await poll("carol");
    const mid = (await wisp("alice", "send", gid, "hello both")).out[0];
    const carolsCopy = [...mailboxes.stored.values()].find((m) => m.to === mailboxOf(addresses.carol));
    expect(carolsCopy).toBeDefined();
    mailboxes.expire(carolsCopy?.id ?? "");
    expect(await poll("alice")).toEqual([
      expect.objectContaining({
        kind: "nack",
        id: mid,
        envelope: carolsCopy?.id,
        recipient: addresses.carol,
      }),
    ]);
  });
});
