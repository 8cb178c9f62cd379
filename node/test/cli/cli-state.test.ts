import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CliState, readCliState, statePathFor, updateCliState } from "../../src/cli/cli-state";
import { rememberSent } from "../../src/cli/sent-texts";
import { cliPeople } from "./harness";

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wisp-cli-state-"));
  path = join(dir, "me.state.json");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const remember = (id: string) => (state: CliState) =>
  rememberSent(state, [{ id, to: "someone" }], Date.now());

describe("the CLI's state file", () => {
  it("keeps every one of many changes made at once", async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `id-${i}`);
    await Promise.all(ids.map((id) => updateCliState(path, remember(id))));
    const state = await readCliState(path);
    expect(Object.keys(state.sent ?? {}).sort()).toEqual([...ids].sort());
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(existsSync(`${path}.next`)).toBe(false);
  });

  it("waits for a change in progress, and takes over a lock its writer left behind", async () => {
    writeFileSync(`${path}.lock`, "");
    const waiting = updateCliState(path, remember("after-the-other"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(existsSync(path)).toBe(false);
    rmSync(`${path}.lock`);
    await waiting;
    expect(Object.keys((await readCliState(path)).sent ?? {})).toEqual(["after-the-other"]);

    writeFileSync(`${path}.lock`, "");
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, longAgo, longAgo);
    await updateCliState(path, remember("after-a-crash"));
    expect(Object.keys((await readCliState(path)).sent ?? {}).sort()).toEqual([
      "after-a-crash",
      "after-the-other",
    ]);
  });

  it("leaves a file it cannot read as it is", async () => {
    writeFileSync(path, "not json");
    await expect(updateCliState(path, remember("x"))).rejects.toThrow(/not JSON/);
    expect(readFileSync(path, "utf8")).toBe("not json");
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("a poll that brings a group and sends made meanwhile both end in the file", async () => {
    const { wisp, addresses } = await cliPeople(dir, "alice", "bob");
    const gid = (await wisp("alice", "group", "create", "Trip", addresses.bob)).out[0];
    const [polled, ...sends] = await Promise.all([
      wisp("bob", "poll"),
      ...Array.from({ length: 5 }, (_, i) => wisp("bob", "send", addresses.alice, `text ${i}`)),
    ]);
    expect(polled.code).toBe(0);
    const state = await readCliState(statePathFor(join(dir, "bob.json")));
    expect(Object.keys(state.groups)).toEqual([gid]);
    expect(Object.keys(state.sent ?? {}).sort()).toEqual(sends.map((s) => s.out[0]).sort());
  });
});
