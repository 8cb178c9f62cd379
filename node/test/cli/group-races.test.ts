import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cliPeople } from "./harness";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wisp-cli-race-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Alice's group with Bob (made an admin) and Carol, and Dave outside it; everyone has polled. */
async function twoAdmins() {
  const p = await cliPeople(dir, "alice", "bob", "carol", "dave");
  const { wisp, addresses, poll } = p;
  const gid = (await wisp("alice", "group", "create", "Trip", addresses.bob, addresses.carol)).out[0];
  expect((await wisp("alice", "group", "admin", gid, addresses.bob)).code).toBe(0);
  await poll("bob");
  await poll("carol");
  const show = async (who: string) => JSON.parse((await wisp(who, "group", "show", gid, "--json")).out[0]);
  /** Polls everyone until nobody prints anything more: the changes made again have gone round. */
  const settle = async () => {
    const seen: Record<string, { kind: string }[]> = { alice: [], bob: [], carol: [], dave: [] };
    for (let round = 0; round < 6; round++) {
      let quiet = true;
      for (const who of Object.keys(seen)) {
        const lines = await poll(who);
        seen[who].push(...lines);
        if (lines.length > 0) quiet = false;
      }
      if (quiet) return seen;
    }
    throw new Error("the group did not settle");
  };
  return { ...p, gid, show, settle };
}

describe("bin/wisp: two admins change a group at once", () => {
  it("both changes survive: the loser's is made again on the next poll, and everyone ends equal", async () => {
    const { wisp, addresses, gid, show, settle } = await twoAdmins();
    expect((await wisp("alice", "group", "add", gid, addresses.dave)).code).toBe(0);
    expect((await wisp("bob", "group", "rename", gid, "Trip 2027")).code).toBe(0);
    await settle();
    const shown = await Promise.all(["alice", "bob", "carol", "dave"].map(show));
    expect(shown[0]).toMatchObject({ v: 4, name: "Trip 2027" });
    expect(shown[0].members).toContain(addresses.dave);
    for (const s of shown) expect(s).toEqual(shown[0]);
  });

  it("an admin removed by the winning change is told their change was not applied", async () => {
    const { wisp, addresses, gid, show, settle } = await twoAdmins();
    await wisp("alice", "group", "remove", gid, addresses.bob);
    await wisp("bob", "group", "rename", gid, "Bob's trip");
    const seen = await settle();
    const alice = await show("alice");
    for (const who of ["bob", "carol"]) expect(await show(who)).toEqual(alice);
    expect(alice.members).not.toContain(addresses.bob);
    const notApplied = seen.bob.filter((l) => l.kind === "not-applied");
    // Bob's rename either won (and Alice removed him on top of it) or was not applied, and he was told.
    if (alice.name === "Bob's trip") expect(notApplied).toEqual([]);
    else
      expect(notApplied).toEqual([
        {
          kind: "not-applied",
          gid,
          edit: { kind: "rename", name: "Bob's trip" },
          reason: "you are not a member",
        },
      ]);
  });
});
