import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cliPeople } from "./harness";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wisp-cli-profile-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const people = (...names: string[]) => cliPeople(dir, ...names);
const profiles = (lines: { kind: string }[]) => lines.filter((line) => line.kind === "profile");

describe("bin/wisp sends its name to whoever it writes to", () => {
  it("with the first message to someone who never had it, and not again", async () => {
    const { wisp, addresses, poll } = await people("alice", "dave");
    expect((await wisp("dave", "name", "Dave")).code).toBe(0);
    await wisp("dave", "send", addresses.alice, "hi, I am new here");
    const first = await poll("alice");
    expect(first).toEqual([
      expect.objectContaining({ kind: "message", text: "hi, I am new here" }),
      expect.objectContaining({ kind: "profile", from: addresses.dave, name: "Dave" }),
    ]);
    await wisp("dave", "send", addresses.alice, "second");
    expect(profiles(await poll("alice"))).toEqual([]);
  });

  it("to the members of a group it joined after naming itself, and a new name to all who had the old", async () => {
    const { wisp, addresses, poll } = await people("alice", "bob", "dave");
    await wisp("dave", "name", "Dave");
    const gid = (await wisp("alice", "group", "create", "Trip", addresses.bob, addresses.dave)).out[0];
    await poll("dave");
    await poll("bob");
    await poll("alice");
    expect((await wisp("dave", "send", gid, "count me in")).code).toBe(0);
    for (const who of ["alice", "bob"])
      expect(profiles(await poll(who))).toEqual([
        expect.objectContaining({ from: addresses.dave, name: "Dave" }),
      ]);
    await wisp("dave", "name", "Dave B.");
    for (const who of ["alice", "bob"])
      expect(profiles(await poll(who))).toEqual([
        expect.objectContaining({ from: addresses.dave, name: "Dave B." }),
      ]);
  });
});
