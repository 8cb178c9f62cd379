import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createGroup,
  type GroupState,
  generateIdentity,
  groupChain,
  groupHead,
  type Identity,
  identityFromSeed,
  signGroupState,
  statesAfter,
  type VerifiedGroupState,
  verifyGroupState,
} from "../src/index";

const [alice, bob, carol, dave] = [1, 2, 3, 4].map((n) => identityFromSeed(new Uint8Array(32).fill(n)));

function next(by: Identity, prev: VerifiedGroupState, change: Partial<GroupState>): VerifiedGroupState {
  const { nonce: _, ...base } = prev.state;
  const state: GroupState = {
    ...base,
    v: prev.state.v + 1,
    prev: prev.hash,
    by: by.address,
    at: prev.state.at + 1,
    ...change,
  };
  const v = verifyGroupState(signGroupState(by, state));
  if (!v) throw new Error("own state does not verify");
  return v;
}

function start(): { gid: string; genesis: VerifiedGroupState } {
  const { gid, signed } = createGroup(alice, "Trip", [bob.address, carol.address], 1000);
  return { gid, genesis: verifyGroupState(signed)! };
}

describe("group states", () => {
  it("puts the creator first, as the only admin, and derives the id from the first state", () => {
    const { gid, genesis } = start();
    expect(genesis.state.members).toEqual([alice.address, bob.address, carol.address]);
    expect(genesis.state.admins).toEqual([alice.address]);
    expect(groupHead(gid, [genesis])?.hash).toBe(genesis.hash);
    expect(groupHead("AAAAAAAAAAAAAAAAAAAAAA", [genesis])).toBeNull();
  });

  it("follows an admin's rename, add and remove", () => {
    const { gid, genesis } = start();
    const renamed = next(alice, genesis, { name: "Trip 2027" });
    const added = next(alice, renamed, { members: [...renamed.state.members, dave.address] });
    const removed = next(alice, added, { members: [alice.address, carol.address, dave.address] });
    const head = groupHead(gid, [genesis, renamed, added, removed]);
    expect(head?.state.name).toBe("Trip 2027");
    expect(head?.state.members).toEqual([alice.address, carol.address, dave.address]);
    expect(groupChain(head!, [removed, genesis, added, renamed]).length).toBe(4);
  });

  it("refuses a change by a member who is not an admin, but lets a member leave", () => {
    const { gid, genesis } = start();
    const hijack = next(bob, genesis, { name: "Bob's group" });
    expect(groupHead(gid, [genesis, hijack])?.hash).toBe(genesis.hash);
    const addSelf = next(dave, genesis, { members: [...genesis.state.members, dave.address] });
    expect(groupHead(gid, [genesis, addSelf])?.hash).toBe(genesis.hash);
    const leave = next(bob, genesis, { members: [alice.address, carol.address] });
    expect(groupHead(gid, [genesis, leave])?.state.members).toEqual([alice.address, carol.address]);
  });

  it("refuses a state whose signature is not by its `by`, and a forged first state", () => {
    const { gid, genesis } = start();
    const state = JSON.parse(genesis.signed.state);
    const forged = {
      state: JSON.stringify({ ...state, by: bob.address, admins: [bob.address] }),
      sig: genesis.signed.sig,
    };
    expect(verifyGroupState(forged)).toBeNull();
    const other = createGroup(bob, "Trip", [alice.address], 1000);
    expect(groupHead(gid, [verifyGroupState(other.signed)!])).toBeNull();
  });

  it("a removed admin can no longer change the group", () => {
    const { gid, genesis } = start();
    const promoted = next(alice, genesis, { admins: [alice.address, bob.address] });
    const demoted = next(alice, promoted, { admins: [alice.address] });
    const late = next(bob, demoted, { name: "mine" });
    expect(groupHead(gid, [genesis, promoted, demoted, late])?.hash).toBe(demoted.hash);
  });

  it("ends at the same head whatever order and duplicates the states arrive in, forks included", () => {
    const { gid, genesis } = start();
    const promoted = next(alice, genesis, { admins: [alice.address, bob.address] });
    const forkA = next(alice, promoted, { name: "A" });
    const forkB = next(bob, promoted, { name: "B" });
    const afterA = next(alice, forkA, { members: [alice.address, bob.address] });
    const afterB = next(bob, forkB, { members: [alice.address, bob.address, carol.address, dave.address] });
    const all = [genesis, promoted, forkA, forkB, afterA, afterB];
    const expected = groupHead(gid, all);
    const winner = forkA.hash < forkB.hash ? afterA : afterB;
    expect(expected?.hash).toBe(winner.hash);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(all, { minLength: all.length }),
        fc.array(fc.constantFrom(...all), { maxLength: 8 }),
        fc.nat(all.length + 8),
        (order, duplicates, at) => {
          const arrived = [...order];
          arrived.splice(at, 0, ...duplicates);
          expect(groupHead(gid, arrived)?.hash).toBe(expected?.hash);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("stops at a gap and moves on once the missing state arrives", () => {
    const { gid, genesis } = start();
    const s2 = next(alice, genesis, { name: "2" });
    const s3 = next(alice, s2, { name: "3" });
    expect(groupHead(gid, [genesis, s3])?.hash).toBe(genesis.hash);
    expect(groupHead(gid, [s3, genesis, s2])?.hash).toBe(s3.hash);
  });

  it("names the states someone with an older head lacks, and nothing for a head off the chain", () => {
    const { genesis } = start();
    const s2 = next(alice, genesis, { name: "2" });
    const s3 = next(alice, s2, { name: "3" });
    const all = [s3, genesis, s2];
    expect(statesAfter(s3, all, genesis.hash)).toEqual([s2.signed, s3.signed]);
    expect(statesAfter(s3, all, s3.hash)).toEqual([]);
    const other = next(alice, genesis, { name: "elsewhere" });
    expect(statesAfter(s3, all, other.hash)).toBeNull();
  });

  it("never throws on random state text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 90 }), (state, sig) => {
        expect(verifyGroupState({ state, sig })).toBeNull();
      }),
      { numRuns: 200 },
    );
    expect(generateIdentity().address).toHaveLength(43);
  });
});
