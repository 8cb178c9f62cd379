import { describe, expect, it } from "vitest";
import {
  createGroup,
  editOnto,
  type GroupState,
  groupHead,
  identityFromSeed,
  nextGroupState,
  onChain,
  redoLost,
  signGroupState,
  type VerifiedGroupState,
  verifyGroupState,
} from "../src/index";

const [alice, bob, carol, dave] = [1, 2, 3, 4].map((n) => identityFromSeed(new Uint8Array(32).fill(n)));

function head(state: Partial<GroupState>): GroupState {
  return {
    v: 2,
    prev: "",
    by: alice.address,
    name: "Trip",
    members: [alice.address, bob.address, carol.address],
    admins: [alice.address, bob.address],
    at: 1,
    ...state,
  };
}

describe("editOnto", () => {
  it("re-bases an edit on another head: adds, removes and promotes only what is still to do", () => {
    const h = head({ members: [alice.address, bob.address, carol.address, dave.address] });
    expect(editOnto(h, bob.address, { kind: "add", members: [dave.address, carol.address] })).toEqual({
      kind: "done",
    });
    expect(editOnto(head({}), bob.address, { kind: "add", members: [dave.address] })).toEqual({
      kind: "change",
      change: { members: [alice.address, bob.address, carol.address, dave.address] },
    });
    expect(editOnto(h, bob.address, { kind: "remove", members: [dave.address] })).toEqual({
      kind: "change",
      change: { members: [alice.address, bob.address, carol.address] },
    });
    expect(editOnto(head({}), bob.address, { kind: "remove", members: [dave.address] })).toEqual({
      kind: "done",
    });
    expect(editOnto(head({}), bob.address, { kind: "promote", members: [carol.address] })).toEqual({
      kind: "change",
      change: { admins: [alice.address, bob.address, carol.address] },
    });
    expect(editOnto(head({}), bob.address, { kind: "rename", name: "Trip" })).toEqual({ kind: "done" });
  });

  it("refuses what I may no longer do, and a leave is done once I am gone", () => {
    const withoutBob = head({ members: [alice.address, carol.address], admins: [alice.address] });
    expect(editOnto(withoutBob, bob.address, { kind: "rename", name: "X" })).toEqual({
      kind: "refused",
      reason: "you are not a member",
    });
    expect(editOnto(head({ admins: [alice.address] }), bob.address, { kind: "rename", name: "X" })).toEqual({
      kind: "refused",
      reason: "you are not an admin",
    });
    expect(editOnto(head({}), bob.address, { kind: "promote", members: [dave.address] }).kind).toBe(
      "refused",
    );
    expect(editOnto(withoutBob, bob.address, { kind: "leave" })).toEqual({ kind: "done" });
    expect(editOnto(head({ admins: [alice.address] }), bob.address, { kind: "leave" }).kind).toBe("change");
  });
});

describe("onChain", () => {
  it("says whether a state is on the chain to the head, and not for the fork that lost", () => {
    const { gid, signed } = createGroup(alice, "Trip", [bob.address], 1000);
    const first = verifyGroupState(signed) as VerifiedGroupState;
    const fork = (name: string) =>
      verifyGroupState(
        signGroupState(alice, nextGroupState(first, alice.address, { name }, 1001)),
      ) as VerifiedGroupState;
    const [x, y] = [fork("X"), fork("Y")];
    const all = [first, x, y];
    const top = groupHead(gid, all) as VerifiedGroupState;
    const loser = top.hash === x.hash ? y : x;
    expect(onChain(top, all, first.hash)).toBe(true);
    expect(onChain(top, all, top.hash)).toBe(true);
    expect(onChain(top, all, loser.hash)).toBe(false);
  });
});

describe("redoLost", () => {
  it("keeps edits on the chain, makes a lost one again on the head, and drops one already so", () => {
    const { gid, signed } = createGroup(alice, "Trip", [bob.address], 1000);
    const first = verifyGroupState(signed) as VerifiedGroupState;
    const sign = (s: GroupState) => signGroupState(alice, s);
    const rename = (name: string) =>
      verifyGroupState(sign(nextGroupState(first, alice.address, { name }, 1001))) as VerifiedGroupState;
    const [x, y] = [rename("X"), rename("Y")];
    const all = [first, x, y];
    const top = groupHead(gid, all) as VerifiedGroupState;
    const [won, lost] = top.hash === x.hash ? [x, y] : [y, x];
    const edits = [
      { edit: { kind: "rename" as const, name: won.state.name }, hash: won.hash, tries: 0 },
      { edit: { kind: "rename" as const, name: lost.state.name }, hash: lost.hash, tries: 2 },
    ];
    const redo = redoLost(gid, all, edits, alice.address, sign, 1002);
    expect(redo.notApplied).toEqual([]);
    expect(redo.made).toHaveLength(1);
    expect(redo.made[0].after).toEqual(won.state);
    expect(redo.made[0].state.state).toMatchObject({ v: 3, prev: won.hash, name: lost.state.name });
    expect(redo.edits).toEqual([edits[0], { edit: edits[1].edit, hash: redo.made[0].state.hash, tries: 3 }]);
    const same = [edits[0], { ...edits[1], edit: { kind: "rename" as const, name: won.state.name } }];
    expect(redoLost(gid, all, same, alice.address, sign, 1002)).toEqual({
      made: [],
      edits: [edits[0]],
      notApplied: [],
    });
  });
});
