import {
  createGroup,
  type GroupEdit,
  generateIdentity,
  type Identity,
  MAX_EDIT_TRIES,
  type SignedGroupState,
  signGroupState,
  verifyGroupState,
} from "@wisp/lib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ChatState, emptyState } from "../src/state";
import { makeEdit, redoLostEdits } from "../src/state/group-edits";
import { addGroupStates } from "../src/state/groups";

const [alice, bob, carol, dave] = [0, 1, 2, 3].map(() => generateIdentity());
const T0 = 1_700_000_000_000;
const sign = (who: Identity) => (state: Parameters<typeof signGroupState>[1]) => signGroupState(who, state);
/** What arrivals.ts hands the state: the states whose signatures check. */
const checked = (states: readonly SignedGroupState[]) => states.map((s) => verifyGroupState(s)!);

/** Alice's group with Bob and Carol, Bob made an admin: everyone holds both states. */
function twoAdmins() {
  const { gid, signed: first } = createGroup(alice, "Trip", [bob.address, carol.address], T0);
  const start = addGroupStates(emptyState(), gid, checked([first]), alice.address, T0);
  const promoted = edit(start, gid, alice, { kind: "promote", members: [bob.address] }, T0 + 1);
  const base = [first, promoted.send.signed];
  const holding = (who: Identity) => addGroupStates(emptyState(), gid, checked(base), who.address, T0);
  return { gid, base, alice: promoted.state, bob: holding(bob), carol: holding(carol) };
}

/** `who` makes `change` at `at` (or, with `wanted`, the first time after it whose hash satisfies it). */
function edit(
  state: ChatState,
  gid: string,
  who: Identity,
  change: GroupEdit,
  at: number,
  wanted: (hash: string) => boolean = () => true,
  tries = 0,
) {
  for (let t = at; t < at + 1_000; t++) {
    const made = makeEdit(state, gid, who.address, change, sign(who), t, tries);
    if (made && wanted(made.state.groups[gid].head)) return made;
  }
  throw new Error("no such edit");
}

/** `me` receives `states`, then makes again what of mine lost a fork. */
function arrive(state: ChatState, gid: string, me: Identity, states: readonly SignedGroupState[]) {
  const received = addGroupStates(state, gid, checked(states), me.address, T0 + 100);
  return redoLostEdits(received, gid, me.address, sign(me), T0 + 200);
}

function view(state: ChatState, gid: string) {
  const g = state.groups[gid];
  return { head: g.head, name: g.name, members: [...g.members].sort(), admins: [...g.admins].sort() };
}

/** Alice adds Dave while Bob renames the group; each then hears of the other's state. */
function addAndRename() {
  const g = twoAdmins();
  const added = edit(g.alice, g.gid, alice, { kind: "add", members: [dave.address] }, T0 + 10);
  const renamed = edit(g.bob, g.gid, bob, { kind: "rename", name: "Trip 2027" }, T0 + 11);
  const forks = [added.send.signed, renamed.send.signed];
  return {
    g,
    forks,
    a: arrive(added.state, g.gid, alice, forks),
    b: arrive(renamed.state, g.gid, bob, forks),
  };
}

/** Bob renames while Alice removes him; `aliceWins` picks which state has the lower hash. */
function removalRace(aliceWins: boolean) {
  const g = twoAdmins();
  const renamed = edit(g.bob, g.gid, bob, { kind: "rename", name: "Bob's trip" }, T0 + 10);
  const bobHash = renamed.state.groups[g.gid].head;
  const removal: GroupEdit = { kind: "remove", members: [bob.address] };
  const removed = edit(g.alice, g.gid, alice, removal, T0 + 10, (h) => h < bobHash === aliceWins);
  const forks = [removed.send.signed, renamed.send.signed];
  return {
    g,
    a: arrive(removed.state, g.gid, alice, forks),
    b: arrive(renamed.state, g.gid, bob, forks),
    forks,
  };
}

describe("concurrent group edits", () => {
  it("two admins' edits at once both survive: the loser's is made again on the winner, all end equal", () => {
    const { g, forks, a, b } = addAndRename();
    // Exactly one of them lost the fork and makes its edit again.
    const redone = [...a.sends, ...b.sends].map((s) => s.signed);
    expect(redone).toHaveLength(1);
    const a2 = arrive(a.state, g.gid, alice, redone);
    const b2 = arrive(b.state, g.gid, bob, redone);
    // The redone state is on the chain now: nothing more to make again.
    expect([...a2.sends, ...b2.sends]).toEqual([]);
    const expected = view(a2.state, g.gid);
    expect(expected.name).toBe("Trip 2027");
    expect(expected.members).toContain(dave.address);
    expect(view(b2.state, g.gid)).toEqual(expected);

    // Carol, and Dave who joins, get every state in any order, some twice: the same group.
    const all = [...g.base, ...forks, ...redone];
    fc.assert(
      fc.property(
        fc.shuffledSubarray(all, { minLength: all.length }),
        fc.array(fc.constantFrom(...all), { maxLength: 6 }),
        (order, duplicates) => {
          for (const who of [carol, dave]) {
            let s = emptyState();
            for (const st of [...order, ...duplicates])
              s = addGroupStates(s, g.gid, checked([st]), who.address, T0);
            expect(view(s, g.gid)).toEqual(expected);
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  it("a state that arrives again, or late, after the redo makes nothing twice", () => {
    const { g, forks, a, b } = addAndRename();
    const [loser, who] = a.sends.length > 0 ? [a, alice] : [b, bob];
    expect(arrive(loser.state, g.gid, who, [...forks, ...forks]).sends).toEqual([]);
    expect(arrive(loser.state, g.gid, who, g.base).sends).toEqual([]);
  });

  it("the same edit by both admins at once leaves one state: the loser's is already so", () => {
    const g = twoAdmins();
    const same: GroupEdit = { kind: "rename", name: "Same" };
    const x = edit(g.alice, g.gid, alice, same, T0 + 10);
    const y = edit(g.bob, g.gid, bob, same, T0 + 11);
    const forks = [x.send.signed, y.send.signed];
    const a = arrive(x.state, g.gid, alice, forks);
    const b = arrive(y.state, g.gid, bob, forks);
    expect([...a.sends, ...b.sends]).toEqual([]);
    expect(view(a.state, g.gid)).toEqual(view(b.state, g.gid));
    expect([a, b].map((r) => r.state.groups[g.gid].unapplied ?? [])).toEqual([[], []]);
  });

  it("an admin the winning branch removed sees the edit as not applied; nothing is resent", () => {
    const { g, a, b } = removalRace(true);
    expect([...a.sends, ...b.sends]).toEqual([]);
    expect(b.state.groups[g.gid].unapplied).toEqual([
      { edit: { kind: "rename", name: "Bob's trip" }, reason: "you are not a member", at: T0 + 200 },
    ]);
    expect(view(b.state, g.gid)).toEqual(view(a.state, g.gid));
    expect(view(a.state, g.gid)).toMatchObject({
      name: "Trip",
      members: [alice.address, carol.address].sort(),
    });
  });

  it("when the removed admin's edit wins the fork, the removal is made again on top of it", () => {
    const { g, a, b } = removalRace(false);
    expect(b.sends).toEqual([]);
    expect(a.sends).toHaveLength(1);
    expect(a.sends[0].old).toContain(bob.address);
    const bobAfter = arrive(b.state, g.gid, bob, [a.sends[0].signed]);
    expect(view(bobAfter.state, g.gid)).toEqual(view(a.state, g.gid));
    expect(view(a.state, g.gid)).toMatchObject({
      name: "Bob's trip",
      members: [alice.address, carol.address].sort(),
    });
  });

  it("an edit that keeps losing forks gives up and says so", () => {
    const g = twoAdmins();
    const renamed = edit(g.bob, g.gid, bob, { kind: "rename", name: "B" }, T0 + 10);
    const bobHash = renamed.state.groups[g.gid].head;
    const rename: GroupEdit = { kind: "rename", name: "A" };
    const tired = edit(g.alice, g.gid, alice, rename, T0 + 10, (h) => h > bobHash, MAX_EDIT_TRIES);
    const a = arrive(tired.state, g.gid, alice, [renamed.send.signed]);
    expect(a.sends).toEqual([]);
    expect(a.state.groups[g.gid].unapplied?.[0]).toMatchObject({ edit: rename });
    expect(a.state.groups[g.gid].name).toBe("B");
  });
});
