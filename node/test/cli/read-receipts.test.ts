import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cliHarness } from "./harness";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wisp-cli-read-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function aliceAndBob() {
  const h = cliHarness(dir);
  await h.wisp("alice", "keygen");
  await h.wisp("bob", "keygen");
  const bob = (await h.wisp("bob", "whoami")).out[0];
  const kinds = async (who: string) =>
    (await h.wisp(who, "poll", "--json")).out.map(
      (line) => JSON.parse(line) as { kind: string; ids?: string[] },
    );
  return { ...h, bob, kinds };
}

describe("bin/wisp read receipts", () => {
  it("a printed text is reported read (which says delivered too) to its sender, who prints who read what", async () => {
    const { wisp, bob } = await aliceAndBob();
    const first = (await wisp("alice", "send", bob, "one")).out[0];
    const second = (await wisp("alice", "send", bob, "two")).out[0];
    expect((await wisp("bob", "poll")).out).toHaveLength(2);
    const seen = await wisp("alice", "poll");
    expect(seen.code).toBe(0);
    expect(seen.out).toEqual([`${bob} read ${first}, ${second}`]);
    // A read receipt is not a text: printing it sends nothing back.
    expect((await wisp("bob", "poll")).out).toEqual([]);
  });

  it("--no-read-receipts sends the delivery receipt only", async () => {
    const { wisp, bob, kinds } = await aliceAndBob();
    const id = (await wisp("alice", "send", bob, "quiet")).out[0];
    expect((await wisp("bob", "poll", "--no-read-receipts")).out).toHaveLength(1);
    expect(await kinds("alice")).toEqual([expect.objectContaining({ kind: "receipt", ids: [id] })]);
  });

  it("WISP_READ_RECEIPTS=off turns them off as the flag does", async () => {
    const { wisp, wispWith, bob, kinds } = await aliceAndBob();
    const id = (await wisp("alice", "send", bob, "quiet too")).out[0];
    const polled = await wispWith({ WISP_READ_RECEIPTS: "off" }, "bob", () => false, "poll");
    expect(polled.out).toHaveLength(1);
    expect(await kinds("alice")).toEqual([expect.objectContaining({ kind: "receipt", ids: [id] })]);
  });

  it("a group text's read receipt goes to its author, names that member's copy, and is shown by the id send printed", async () => {
    const { wisp, bob, kinds } = await aliceAndBob();
    const gid = (await wisp("alice", "group", "create", "Pair", bob)).out[0];
    await kinds("bob");
    await kinds("alice");
    const mid = (await wisp("alice", "send", gid, "hello group")).out[0];
    const bobSaw = await kinds("bob");
    const copy = bobSaw.find((line) => line.kind === "message") as { envelope: string } | undefined;
    expect(copy).toBeDefined();
    expect(await kinds("alice")).toEqual([
      expect.objectContaining({ kind: "read", from: bob, ids: [mid], envelopes: [copy?.envelope] }),
    ]);
    await wisp("alice", "send", gid, "and again");
    await kinds("bob");
    expect((await wisp("alice", "poll")).out).toEqual([
      expect.stringMatching(new RegExp(`^${bob} read [^ ,]+$`)),
    ]);
  });
});
