import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseArgs } from "../../src/cli/args";
import { runCli } from "../../src/cli/run";
import { cliHarness } from "./harness";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wisp-cli-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const harness = () => cliHarness(dir);

describe("bin/wisp", () => {
  it("round trip: keygen, whoami, send, poll with the sender's address, receipt, acknowledgement", async () => {
    const { wisp, mailboxes } = harness();
    expect((await wisp("alice", "keygen")).code).toBe(0);
    expect((await wisp("bob", "keygen", "--json")).code).toBe(0);
    const alice = (await wisp("alice", "whoami")).out[0];
    const bob = (await wisp("bob", "whoami")).out[0];
    expect(alice).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const sent = await wisp("alice", "send", bob, "hello bob");
    expect(sent.code).toBe(0);
    const id = sent.out[0];
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const polled = await wisp("bob", "poll", "--json");
    expect(polled.code).toBe(0);
    const lines = polled.out.map((line) => JSON.parse(line));
    expect(lines).toEqual([expect.objectContaining({ kind: "message", id, from: alice, text: "hello bob" })]);
    expect([...mailboxes.stored.values()].some((m) => m.id === id)).toBe(false);

    const receipt = await wisp("alice", "poll", "--json");
    // What poll printed is read: one read receipt, which says delivered too.
    expect(receipt.out.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ kind: "read", from: bob, ids: [id] }),
    ]);
    expect((await wisp("bob", "poll")).out).toEqual([]);
    expect(mailboxes.stored.size).toBe(0);
  });

  it("prints text output with the sender's address", async () => {
    const { wisp } = harness();
    await wisp("alice", "keygen");
    await wisp("bob", "keygen");
    const bob = (await wisp("bob", "whoami")).out[0];
    const alice = (await wisp("alice", "whoami")).out[0];
    await wisp("alice", "send", bob, "plain text");
    const polled = await wisp("bob", "poll");
    expect(polled.out).toHaveLength(1);
    expect(polled.out[0].startsWith(`${alice} `)).toBe(true);
    expect(polled.out[0].endsWith(" plain text")).toBe(true);
  });

  it("poll --follow prints as messages arrive and acknowledges what it showed when stopped", async () => {
    const { wisp, wispUntil, mailboxes } = harness();
    await wisp("alice", "keygen");
    await wisp("bob", "keygen");
    const bob = (await wisp("bob", "whoami")).out[0];
    const id = (await wisp("alice", "send", bob, "follow me")).out[0];
    const followed = await wispUntil("bob", (line) => line.endsWith("follow me"), "poll", "--follow");
    expect(followed.code).toBe(0);
    expect(followed.out).toHaveLength(1);
    expect([...mailboxes.stored.values()].some((m) => m.id === id)).toBe(false);
    const lastAck = mailboxes.retrieves.at(-1)!;
    expect(lastAck.ack).toEqual([id]);
  });

  it("keygen writes mode 0600 and refuses to overwrite without --force", async () => {
    const { wisp } = harness();
    expect((await wisp("alice", "keygen")).code).toBe(0);
    expect(statSync(join(dir, "alice.json")).mode & 0o777).toBe(0o600);
    const before = (await wisp("alice", "whoami")).out[0];
    const again = await wisp("alice", "keygen");
    expect(again.code).toBe(2);
    expect(again.err[0]).toMatch(/--force/);
    expect((await wisp("alice", "whoami")).out[0]).toBe(before);
    expect((await wisp("alice", "keygen", "--force")).code).toBe(0);
    expect((await wisp("alice", "whoami")).out[0]).not.toBe(before);
  });

  it("exits 2 with a clear message for usage errors and bad files", async () => {
    const { wisp } = harness();
    expect((await wisp("nobody", "whoami")).err[0]).toMatch(/wisp keygen/);
    await wisp("alice", "keygen");
    const badAddress = await wisp("alice", "send", "not-an-address", "hi");
    expect(badAddress.code).toBe(2);
    expect(badAddress.err[0]).toMatch(/ADDRESS: address expected 43 characters/);
    expect((await wisp("alice", "frobnicate")).code).toBe(2);
    expect((await wisp("alice", "poll", "--wait", "99999")).code).toBe(2);
    expect((await wisp("alice", "poll", "--bogus")).code).toBe(2);
    writeFileSync(join(dir, "broken.json"), "{}");
    expect((await wisp("broken", "whoami")).err[0]).toMatch(/not a Wisp identity/);
  });

  it("exits 1 when the node refuses or cannot be reached", async () => {
    const { wisp, mailboxes } = harness();
    await wisp("alice", "keygen");
    const alice = (await wisp("alice", "whoami")).out[0];
    mailboxes.failWith = new Error("boom");
    const refused = await wisp("alice", "send", alice, "hi");
    expect(refused.code).toBe(1);
    expect(refused.err[0]).toMatch(/500 internal/);
    const out: string[] = [];
    const code = await runCli(["whoami", "--identity", join(dir, "alice.json")], {
      env: {},
      out: (l) => out.push(l),
      err: () => {},
      signal: new AbortController().signal,
    });
    expect(code).toBe(0);
    const unreachable = await runCli(
      ["poll", "--node", "http://127.0.0.1:9", "--identity", join(dir, "alice.json")],
      {
        env: {},
        out: () => {},
        err: (l) => out.push(l),
        signal: new AbortController().signal,
      },
    );
    expect(unreachable).toBe(1);
    expect(out.at(-1)).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});

describe("parseArgs", () => {
  it("separates the command, positionals, value flags and switches", () => {
    const args = parseArgs(["send", "--node=http://x:1", "ADDR", "--json", "text with spaces"]);
    expect(args.command).toBe("send");
    expect(args.positionals).toEqual(["ADDR", "text with spaces"]);
    expect(args.values["--node"]).toBe("http://x:1");
    expect(args.switches.has("--json")).toBe(true);
    expect(parseArgs(["send", "--", "a", "--json"]).positionals).toEqual(["a", "--json"]);
    expect(() => parseArgs(["poll", "--node"])).toThrow(/--node needs a value/);
  });
});
