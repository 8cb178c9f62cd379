/**
 * Making and changing groups: each change is a signed state sent, with the chain, to every member,
 * and made again when it loses a fork (state/group-edits.ts). States are signed on the client's
 * backend (WebCrypto), before the pure functions that use the signatures run (`withSignatures`).
 */
import {
  createGroupAsync,
  type GroupEdit,
  groupStateToSign,
  ownGroupState,
  type SignedGroupState,
  type SignState,
  toB64u,
} from "@wisp/lib";
import type { WispClient } from "./client";
import type { ChatState } from "./state";
import { dismissUnapplied, type GroupSend, makeEdit, redoLostEdits as redoLost } from "./state/group-edits";
import { addGroupStates, type Group } from "./state/groups";

/** A new group of me and `members`; its id once the first state is signed, applied and sent. */
export function newGroup(client: WispClient, name: string, members: string[]): Promise<string> {
  const { identity, crypto } = client;
  return inTurn(client, async () => {
    const { gid, signed } = await createGroupAsync(identity, name.trim(), members, Date.now(), crypto);
    const own = ownGroupState(signed);
    if (own) void client.apply(addGroupStates(client.state, gid, [own], identity.address, Date.now()));
    client.post(members, { type: "group", gid, changes: [signed] });
    return gid;
  });
}

export function renameGroup(client: WispClient, gid: string, name: string): Promise<void> {
  return change(client, gid, { kind: "rename", name: name.trim() });
}

export function addMembers(client: WispClient, gid: string, added: string[]): Promise<void> {
  return change(client, gid, { kind: "add", members: added });
}

export function removeMember(client: WispClient, gid: string, member: string): Promise<void> {
  return change(client, gid, { kind: "remove", members: [member] });
}

export function makeAdmin(client: WispClient, gid: string, member: string): Promise<void> {
  return change(client, gid, { kind: "promote", members: [member] });
}

export function leaveGroup(client: WispClient, gid: string): Promise<void> {
  return change(client, gid, { kind: "leave" });
}

/**
 * After states arrived: my changes that lost a fork to another admin's are signed again on top of
 * the winning chain and sent; those that can no longer apply show as not applied (GroupInfo).
 */
export function redoLostEdits(client: WispClient): Promise<void> {
  const me = client.identity.address;
  const now = Date.now();
  const redo = (start: ChatState, sign: SignState) => {
    let state = start;
    const sends: GroupSend[] = [];
    for (const gid of Object.keys(state.groups)) {
      const r = redoLost(state, gid, me, sign, now);
      state = r.state;
      sends.push(...r.sends);
    }
    return { start, state, sends };
  };
  return withSignatures(client, redo, ({ start, state, sends }) => {
    if (state === start) return;
    void client.apply(state);
    for (const send of sends) post(client, send);
  });
}

export function dismissNotApplied(client: WispClient, gid: string): void {
  void client.apply(dismissUnapplied(client.state, gid));
}

export function isAdmin(client: WispClient, group: Group): boolean {
  return group.admins.includes(client.identity.address);
}

export function isMember(client: WispClient, group: Group): boolean {
  return group.members.includes(client.identity.address);
}

/** Signs the next state and sends it; what it meant is kept in case it loses a fork. */
function change(client: WispClient, gid: string, edit: GroupEdit): Promise<void> {
  const now = Date.now();
  const me = client.identity.address;
  return withSignatures(
    client,
    (state, sign) => makeEdit(state, gid, me, edit, sign, now),
    (made) => {
      if (!made) return;
      void client.apply(made.state);
      post(client, made.send);
    },
  );
}

/** New members get the whole chain (they must check it from the first state), the others the new state. */
function post(client: WispClient, { gid, signed, chain, fresh, old }: GroupSend): void {
  if (fresh.length > 0)
    for (const part of chunks(chain)) client.post(fresh, { type: "group", gid, changes: part });
  if (old.length > 0) client.post(old, { type: "group", gid, changes: [signed] });
}

/** Stands in for a signature not made yet: the state's text and hash do not depend on it. */
const NOT_SIGNED_YET = toB64u(new Uint8Array(64));

/**
 * Runs the pure `make` on the client's state with my signatures on the backend's asynchronous
 * Ed25519: a first pass names the states it signs, they are signed, and `make` runs again on the
 * state of that moment; `commit` takes its answer at once, so no state that came in between is
 * written over. A state changed meanwhile may need other signatures: then again.
 */
function withSignatures<T>(
  client: WispClient,
  make: (state: ChatState, sign: SignState) => T,
  commit: (made: T) => void,
): Promise<void> {
  return inTurn(client, () => signThenCommit(client, make, commit));
}

async function signThenCommit<T>(
  client: WispClient,
  make: (state: ChatState, sign: SignState) => T,
  commit: (made: T) => void,
): Promise<void> {
  const signatures = new Map<string, string>();
  for (;;) {
    const missing = new Map<string, Uint8Array>();
    const sign: SignState = (state) => {
      const { text, message } = groupStateToSign(client.identity, state);
      const sig = signatures.get(text);
      if (sig === undefined) missing.set(text, message);
      return { state: text, sig: sig ?? NOT_SIGNED_YET };
    };
    const made = make(client.state, sign);
    if (missing.size === 0) return commit(made);
    await Promise.all(
      [...missing].map(async ([text, message]) =>
        signatures.set(text, toB64u(await client.crypto.ed25519Sign(client.identity.seed, message))),
      ),
    );
  }
}

/** Parts of the chain that each fit an envelope (64 KiB) with room to spare. */
export function chunks(chain: SignedGroupState[]): SignedGroupState[][] {
  const out: SignedGroupState[][] = [[]];
  let size = 0;
  for (const s of chain) {
    const cost = s.state.length + s.sig.length + 32;
    if (size + cost > 40_000 && out[out.length - 1].length > 0) {
      out.push([]);
      size = 0;
    }
    out[out.length - 1].push(s);
    size += cost;
  }
  return out;
}

const turns = new WeakMap<WispClient, Promise<unknown>>();

/** One group change at a time per client: each starts on the state the one before made. */
function inTurn<T>(client: WispClient, run: () => Promise<T>): Promise<T> {
  const turn = (turns.get(client) ?? Promise.resolve()).then(run);
  turns.set(
    client,
    turn.catch(() => {}),
  );
  return turn;
}
