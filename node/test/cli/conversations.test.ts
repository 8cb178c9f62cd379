import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromB64u, mailboxAddress } from "@wisp/lib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cliPeople } from "./harness";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wisp-cli-conv-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const people = (...names: string[]) => cliPeople(dir, ...names);

describe("bin/wisp conversations", () => {
  it("refuses an empty message", async () => {
    const { wisp, addresses } = await people("alice", "bob");
    const r = await wisp("alice", "send", addresses.bob, "   ");
    expect(r.code).toBe(2);
    expect(r.err.join("\n")).toContain("TEXT is empty");
  });

  it("sends a name, a reply, a reaction and a delete that the other side prints", async () => {
    const { wisp, addresses, poll } = await people("alice", "bob");
    expect((await wisp("alice", "name", "Alice", addresses.bob)).code).toBe(0);
    const first = (await wisp("alice", "send", addresses.bob, "lunch?")).out[0];
    await wisp("bob", "send", addresses.alice, "yes", "--reply", first, "--quote", "lunch?");
    await wisp("bob", "react", addresses.alice, first, "👍");
    await wisp("alice", "delete", addresses.bob, first);
    const bobSaw = await poll("bob");
    expect(bobSaw).toEqual([
      expect.objectContaining({ kind: "profile", from: addresses.alice, name: "Alice" }),
      expect.objectContaining({ kind: "message", id: first, text: "lunch?" }),
      expect.objectContaining({ kind: "delete", ids: [first] }),
    ]);
    const aliceSaw = await poll("alice");
    expect(aliceSaw).toContainEqual(
      expect.objectContaining({ kind: "message", text: "yes", reply: { id: first, snippet: "lunch?" } }),
    );
    expect(aliceSaw).toContainEqual(
      expect.objectContaining({ kind: "reaction", message: first, emoji: "👍" }),
    );
  });

  it("groups: create, send, add, rename, leave — every member ends at the same version", async () => {
    const { wisp, addresses, poll } = await people("alice", "bob", "carol");
    const created = await wisp("alice", "group", "create", "Trip", addresses.bob);
    expect(created.code).toBe(0);
    const gid = created.out[0];
    expect((await poll("bob"))[0]).toMatchObject({ kind: "group", gid, name: "Trip", version: 1 });

    const mid = (await wisp("alice", "send", gid, "hello group")).out[0];
    expect((await poll("bob"))[0]).toMatchObject({
      kind: "message",
      id: mid,
      group: gid,
      text: "hello group",
    });

    expect((await wisp("bob", "group", "add", gid, addresses.carol)).code).toBe(2);
    expect((await wisp("alice", "group", "add", gid, addresses.carol)).code).toBe(0);
    expect((await wisp("alice", "group", "rename", gid, "Trip", "2027")).code).toBe(0);
    expect((await poll("carol")).at(-1)).toMatchObject({ kind: "group", gid, name: "Trip 2027", version: 3 });
    await wisp("carol", "group", "send", gid, "hi all", "--reply", mid, "--quote", "hello group");
    await wisp("carol", "react", gid, mid, "🎉");
    const bobSaw = await poll("bob");
    expect(bobSaw).toContainEqual(expect.objectContaining({ kind: "group", name: "Trip 2027", version: 3 }));
    expect(bobSaw).toContainEqual(expect.objectContaining({ kind: "message", text: "hi all", group: gid }));
    expect(bobSaw).toContainEqual(expect.objectContaining({ kind: "reaction", message: mid, group: gid }));

    expect((await wisp("bob", "group", "leave", gid)).code).toBe(0);
    await poll("alice");
    await poll("carol");
    for (const who of ["alice", "bob", "carol"]) {
      const shown = JSON.parse((await wisp(who, "group", "show", gid, "--json")).out[0]);
      expect(shown).toMatchObject({ v: 4, name: "Trip 2027", members: [addresses.alice, addresses.carol] });
    }
    expect((await wisp("bob", "send", gid, "still here?")).err.join("")).toContain("not a member");
    const listed = (await wisp("alice", "group", "list")).out;
    expect(listed).toEqual([`${gid} Trip 2027 (2 members)`]);
  });

  it("a member who lost a change catches up when they write: the CLI sends the missing states", async () => {
    const { wisp, addresses, poll, mailboxes } = await people("alice", "bob");
    const gid = (await wisp("alice", "group", "create", "Trip", addresses.bob)).out[0];
    await poll("bob");
    await wisp("alice", "group", "rename", gid, "Trip 2027");
    // The rename expires unread: gone from Bob's mailbox.
    const bobsBox = mailboxAddress(fromB64u(addresses.bob)!);
    for (const [id, m] of mailboxes.stored) if (m.to === bobsBox) mailboxes.stored.delete(id);
    await wisp("bob", "send", gid, "still on?");
    expect((await poll("alice")).find((l) => l.kind === "message")).toMatchObject({ text: "still on?" });
    const caughtUp = await poll("bob");
    expect(caughtUp).toContainEqual(
      expect.objectContaining({ kind: "group", name: "Trip 2027", version: 2 }),
    );
  });
});
