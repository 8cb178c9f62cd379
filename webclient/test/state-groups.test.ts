import {
  type Body,
  createGroup,
  type GroupChange,
  generateIdentity,
  nextGroupState as nextState,
  type SignedGroupState,
  signGroupState,
  verifyGroupState,
} from "@wisp/lib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ChatState, emptyState, findMessage, hydrate } from "../src/state";
import { advanceCopy } from "../src/state/bodies";
import { addGroupStates, type Group, knownGroups, MAX_PENDING_TEXTS } from "../src/state/groups";
import { chatList } from "../src/state/list";
import { addOutgoing } from "../src/state/outgoing";
import { receiveBody } from "../src/state/receive";

/** What arrivals.ts hands the state: the states whose signatures check. */
const checked = (states: readonly SignedGroupState[]) => states.map((s) => verifyGroupState(s)!);

const [alice, bob, carol, dave] = [0, 1, 2, 3].map(() => generateIdentity());
const T0 = 1_700_000_000_000;

/** The state after a group's head for a change by `by`. */
function nextGroupState(group: Group, by: string, change: GroupChange, at: number) {
  const head = group.log.find((v) => v.hash === group.head);
  if (!head) throw new Error("the group has no head");
  return nextState(head, by, change, at);
}
const id = (n: number) => {
  const b = new Uint8Array(16);
  b[0] = n;
  return btoa(String.fromCharCode(...b))
    .replace(/=+$/, "")
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
};

/** Alice's group with Bob and Carol, then: rename, add Dave, remove Carol — four states. */
function history() {
  const { gid, signed: s1 } = createGroup(alice, "Trip", [bob.address, carol.address], T0);
  let mine = addGroupStates(emptyState(), gid, checked([s1]), alice.address, T0);
  const states: SignedGroupState[] = [s1];
  const step = (change: Parameters<typeof nextGroupState>[2]) => {
    const next = signGroupState(
      alice,
      nextGroupState(mine.groups[gid], alice.address, change, T0 + states.length),
    );
    states.push(next);
    mine = addGroupStates(mine, gid, checked([next]), alice.address, T0);
  };
  step({ name: "Trip 2027" });
  step({ members: [alice.address, bob.address, carol.address, dave.address] });
  step({ members: [alice.address, bob.address, dave.address] });
  return { gid, states, final: mine.groups[gid] };
}

function deliver(state: ChatState, me: string, gid: string, states: SignedGroupState[]): ChatState {
  let s = state;
  for (const st of states)
    s = receiveBody(
      s,
      { type: "group", gid, changes: [st] },
      {
        from: alice.address,
        envelopeId: id(99),
        receivedAt: T0,
        openChat: null,
        me,
        groupStates: checked([st]),
      },
    ).state;
  return s;
}

function text(gid: string, mid: string, t = "hi"): Body {
  return { type: "text", text: t, sentAt: T0 + 50, group: gid, mid };
}

describe("groups in the chat model", () => {
  it("every member ends at the same head, whatever order and duplicates the states arrive in", () => {
    const { gid, states, final } = history();
    fc.assert(
      fc.property(
        fc.shuffledSubarray(states, { minLength: states.length }),
        fc.array(fc.constantFrom(...states), { maxLength: 6 }),
        (order, dupes) => {
          const g = deliver(emptyState(), bob.address, gid, [...order, ...dupes]).groups[gid];
          expect(g?.head).toBe(final.head);
          expect(g?.members).toEqual([alice.address, bob.address, dave.address]);
          expect(g?.name).toBe("Trip 2027");
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a member who was offline for some changes catches up when the rest arrives", () => {
    const { gid, states, final } = history();
    const partial = deliver(emptyState(), bob.address, gid, [states[0], states[3]]);
    expect(partial.groups[gid].version).toBe(1);
    expect(deliver(partial, bob.address, gid, [states[2], states[1]]).groups[gid].head).toBe(final.head);
  });

  it("a group is not made for someone it never names", () => {
    const { gid, states } = history();
    const eve = generateIdentity().address;
    const s = deliver(emptyState(), eve, gid, states);
    expect(knownGroups(s)).toEqual([]);
  });

  it("a text from a member before they are added waits, then shows once; a non-member's never shows", () => {
    const { gid, states } = history();
    const at = {
      from: dave.address,
      envelopeId: id(1),
      receivedAt: T0 + 60,
      openChat: null,
      me: bob.address,
    };
    let s = deliver(emptyState(), bob.address, gid, states.slice(0, 2));
    s = receiveBody(s, text(gid, id(10)), at).state;
    s = receiveBody(s, text(gid, id(10)), at).state;
    expect(findMessage(s, id(10))).toBeUndefined();
    s = deliver(s, bob.address, gid, states.slice(2));
    expect(findMessage(s, id(10))).toMatchObject({ author: dave.address, peer: gid, envelopeId: id(1) });
    expect(s.messages[gid].length).toBe(1);
    expect(chatList(s)[0]).toMatchObject({ key: gid, title: "Trip 2027", unread: 1 });
    const eve = generateIdentity().address;
    let t = s;
    for (let i = 0; i < MAX_PENDING_TEXTS + 5; i++)
      t = receiveBody(t, text(gid, id(100 + i)), { ...at, from: eve, envelopeId: id(100 + i) }).state;
    expect(t.groups[gid].pending.length).toBe(MAX_PENDING_TEXTS);
    expect(t.messages[gid].length).toBe(1);
  });

  it("a text that arrives before the invitation is shown once the group's states come", () => {
    const { gid, states } = history();
    const at = {
      from: alice.address,
      envelopeId: id(2),
      receivedAt: T0 + 60,
      openChat: null,
      me: bob.address,
    };
    let s = receiveBody(emptyState(), text(gid, id(11)), at).state;
    expect(chatList(s)).toEqual([]);
    s = deliver(s, bob.address, gid, [...states].reverse());
    expect(findMessage(s, id(11))?.text).toBe("hi");
  });

  it("a removed member sees the group, is no longer in it, and a leave is honoured", () => {
    const { gid, states, final } = history();
    const carolView = deliver(emptyState(), carol.address, gid, states);
    expect(carolView.groups[gid].joined).toBe(true);
    expect(carolView.groups[gid].members).not.toContain(carol.address);
    const leave = signGroupState(
      bob,
      nextGroupState(final, bob.address, { members: [alice.address, dave.address] }, T0 + 9),
    );
    const after = deliver(deliver(emptyState(), dave.address, gid, states), dave.address, gid, [leave]);
    expect(after.groups[gid].members).toEqual([alice.address, dave.address]);
    const hijack = signGroupState(bob, nextGroupState(final, bob.address, { name: "Bob's" }, T0 + 9));
    expect(
      deliver(deliver(emptyState(), dave.address, gid, states), dave.address, gid, [hijack]).groups[gid].name,
    ).toBe("Trip 2027");
  });

  it("my group message has ticks per member: the least advanced one shows, read when all read", () => {
    const { gid, states } = history();
    let s = deliver(emptyState(), alice.address, gid, states);
    const copies = {
      [bob.address]: { env: id(20), status: "sending" as const },
      [dave.address]: { env: id(21), status: "sending" as const },
    };
    s = addOutgoing(s, { id: id(30), peer: gid, text: "hello all", sentAt: T0 + 70, copies });
    s = advanceCopy(s, id(20), null, "stored");
    s = advanceCopy(s, id(21), null, "stored");
    expect(findMessage(s, id(30))?.status).toBe("stored");
    const arrival = (from: string) => ({
      from,
      envelopeId: id(40),
      receivedAt: T0,
      openChat: null,
      me: alice.address,
    });
    s = receiveBody(s, { type: "read", ids: [id(20)] }, arrival(bob.address)).state;
    s = receiveBody(s, { type: "receipt", ids: [id(21)] }, arrival(bob.address)).state;
    expect(findMessage(s, id(30))?.copies?.[dave.address].status).toBe("stored");
    s = receiveBody(s, { type: "receipt", ids: [id(21)] }, arrival(dave.address)).state;
    expect(findMessage(s, id(30))?.status).toBe("delivered");
    s = receiveBody(s, { type: "receipt", ids: [id(20)] }, arrival(bob.address)).state;
    expect(findMessage(s, id(30))?.copies?.[bob.address].status).toBe("read");
    s = receiveBody(s, { type: "read", ids: [id(21)] }, arrival(dave.address)).state;
    expect(findMessage(s, id(30))?.status).toBe("read");
    const rebuilt = hydrate([], Object.values(s.messages).flat(), Object.values(s.groups) as Group[]);
    expect(rebuilt.copyIndex).toEqual(s.copyIndex);
  });

  it("in a group, members react and only the author deletes for everyone", () => {
    const { gid, states } = history();
    let s = deliver(emptyState(), bob.address, gid, states);
    const arrival = (from: string, env: number) => ({
      from,
      envelopeId: id(env),
      receivedAt: T0 + 60,
      openChat: null,
      me: bob.address,
    });
    s = receiveBody(s, text(gid, id(50)), arrival(dave.address, 51)).state;
    s = receiveBody(
      s,
      { type: "reaction", id: id(50), emoji: "🎉", sentAt: T0 + 61, group: gid },
      arrival(alice.address, 52),
    ).state;
    s = receiveBody(
      s,
      { type: "reaction", id: id(50), emoji: "🎉", sentAt: T0 + 61, group: gid },
      arrival(carol.address, 53),
    ).state;
    expect(Object.keys(findMessage(s, id(50))?.reactions ?? {})).toEqual([alice.address]);
    const byAlice = receiveBody(
      s,
      { type: "delete", ids: [id(50)], sentAt: T0 + 62, group: gid },
      arrival(alice.address, 54),
    ).state;
    expect(findMessage(byAlice, id(50))?.deleted).toBeUndefined();
    const byDave = receiveBody(
      s,
      { type: "delete", ids: [id(50)], sentAt: T0 + 62, group: gid },
      arrival(dave.address, 55),
    ).state;
    expect(findMessage(byDave, id(50))?.deleted).toBe(true);
  });
});
