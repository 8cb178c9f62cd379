/**
 * Groups (docs/protocol.md, "Groups"): a group is a chain of signed states. Each state names the
 * whole membership; its signer is an admin of the state before (or a member leaving). Every member
 * computes the same head from whatever subset of states it has, in any order, duplicates included.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, fromB64uExact, toB64u, utf8 } from "./bytes";
import type { Identity } from "./identity";

/** One version of a group. `prev` is "" for the first state (which carries a random `nonce`). */
export interface GroupState {
  v: number;
  prev: string;
  nonce?: string;
  by: string;
  name: string;
  members: string[];
  admins: string[];
  at: number;
}

/** What a change sets; the rest comes from the state before (`nextGroupState`). */
export type GroupChange = { name?: string; members?: string[]; admins?: string[] };

/** A state as it travels: its exact JSON text, and the signer's Ed25519 signature over it. */
export interface SignedGroupState {
  state: string;
  sig: string;
}

export interface VerifiedGroupState {
  state: GroupState;
  hash: string;
  signed: SignedGroupState;
}

export const MAX_GROUP_MEMBERS = 64;
export const MAX_GROUP_STATE_CHARS = 8_000;

const GROUP_DOMAIN = utf8("wisp/group/v1");
const ADDRESS = /^[A-Za-z0-9_-]{43}$/;

/**
 * What `identity` signs for `state`: its exact text (the JSON with the fields in protocol order),
 * and the signature's input, utf8("wisp/group/v1") || text. Throws (misuse) unless `identity` is
 * the state's `by`.
 */
export function groupStateToSign(
  identity: Identity,
  state: GroupState,
): { text: string; message: Uint8Array } {
  if (state.by !== identity.address) throw new Error(`state.by is ${state.by}, not the signer`);
  const { nonce, ...rest } = state;
  const text = JSON.stringify({
    v: rest.v,
    prev: rest.prev,
    ...(nonce === undefined ? {} : { nonce }),
    by: rest.by,
    name: rest.name,
    members: rest.members,
    admins: rest.admins,
    at: rest.at,
  });
  return { text, message: signatureInput(text) };
}

function signatureInput(text: string): Uint8Array {
  return concatBytes(GROUP_DOMAIN, utf8(text));
}

/** The first state of a new group by `creator`, its only admin. */
export function genesisGroupState(
  creator: Identity,
  name: string,
  members: string[],
  at: number,
  nonce: Uint8Array,
): GroupState {
  const all = [creator.address, ...members.filter((m) => m !== creator.address)];
  return {
    v: 1,
    prev: "",
    nonce: toB64u(nonce),
    by: creator.address,
    name,
    members: [...new Set(all)],
    admins: [creator.address],
    at,
  };
}

/**
 * What a signed state claims, to be taken as verified once `sig` by `publicKey` (its `by`) over
 * `message` checks. Null for anything malformed; never throws.
 */
export interface GroupStateClaim {
  claimed: VerifiedGroupState;
  sig: Uint8Array;
  publicKey: Uint8Array;
  message: Uint8Array;
}

export function groupStateClaim(signed: SignedGroupState): GroupStateClaim | null {
  const state = parseState(signed.state);
  if (!state) return null;
  const sig = fromB64uExact(signed.sig, 64);
  const publicKey = fromB64uExact(state.by, 32);
  if (!sig || !publicKey) return null;
  const claimed = { state, hash: stateHash(signed), signed };
  return { claimed, sig, publicKey, message: signatureInput(signed.state) };
}

/**
 * A state its own signer just signed, as verified: only for one's own states (signing is the
 * check). Null if it does not parse, which a state from nextGroupState always does.
 */
export function ownGroupState(signed: SignedGroupState): VerifiedGroupState | null {
  return groupStateClaim(signed)?.claimed ?? null;
}

/** A group's id: the first 16 bytes of its first state's hash, so nobody can forge another first state. */
export function groupIdOf(genesis: SignedGroupState): string {
  return toB64u(fromB64uExact(stateHash(genesis), 32)!.subarray(0, 16));
}

/** SHA-256 of the domain and the state's exact text, b64u: what the next state's `prev` names. */
export function stateHash(signed: SignedGroupState): string {
  return toB64u(sha256(concatBytes(GROUP_DOMAIN, utf8(signed.state))));
}

/** Only the shape (two strings of bounded length); `verifyGroupState` checks the rest. */
export function validSignedShape(value: unknown): value is SignedGroupState {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.state === "string" &&
    v.state.length <= MAX_GROUP_STATE_CHARS &&
    typeof v.sig === "string" &&
    v.sig.length === 86
  );
}

/**
 * Why `next` may not follow `prev`, or null when it may. An admin may change anything; any other
 * member may only leave (removing itself, nothing else).
 */
export function transitionProblem(prev: VerifiedGroupState, next: GroupState): string | null {
  if (next.v !== prev.state.v + 1) return `version ${next.v} does not follow ${prev.state.v}`;
  if (next.prev !== prev.hash) return "prev does not name the state before";
  if (next.nonce !== undefined) return "only the first state has a nonce";
  const before = prev.state;
  if (before.admins.includes(next.by)) return null;
  if (!before.members.includes(next.by)) return "the signer is not a member";
  const leaving = before.members.filter((m) => m !== next.by);
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (next.name !== before.name || !same(next.members, leaving) || !same(next.admins, before.admins))
    return "a member who is not an admin may only leave";
  return null;
}

/**
 * The head of a group from every verified state known for it: from the first state (whose hash gives
 * `gid`), follow valid successors; where two compete (two admins changed it at once) the lower
 * hash wins. The same set of states gives the same head whatever order they came in.
 */
export function groupHead(gid: string, verified: readonly VerifiedGroupState[]): VerifiedGroupState | null {
  const children = new Map<string, VerifiedGroupState[]>();
  for (const v of verified) {
    const list = children.get(v.state.prev) ?? [];
    if (list.some((other) => other.hash === v.hash)) continue;
    list.push(v);
    children.set(v.state.prev, list);
  }
  const genesis = (children.get("") ?? []).filter(
    (v) => groupIdOf(v.signed) === gid && validGenesis(v.state),
  );
  let head = lowestHash(genesis);
  for (let step = 0; head && step < verified.length; step++) {
    const current: VerifiedGroupState = head;
    const next = lowestHash(
      (children.get(current.hash) ?? []).filter((c) => !transitionProblem(current, c.state)),
    );
    if (!next) break;
    head = next;
  }
  return head;
}

/** The states from the first to `head`, oldest first: what a new member needs to check the head. */
export function groupChain(
  head: VerifiedGroupState,
  known: readonly VerifiedGroupState[],
): SignedGroupState[] {
  const byHash = new Map<string, VerifiedGroupState>();
  for (const v of known) byHash.set(v.hash, v);
  const chain: SignedGroupState[] = [head.signed];
  let prev = head.state.prev;
  for (let i = 0; prev && i < byHash.size; i++) {
    const v = byHash.get(prev);
    if (!v) break;
    chain.push(v.signed);
    prev = v.state.prev;
  }
  return chain.reverse();
}

function validGenesis(state: GroupState): boolean {
  return state.v === 1 && state.nonce !== undefined && state.admins.includes(state.by);
}

function lowestHash(list: VerifiedGroupState[]): VerifiedGroupState | null {
  let best: VerifiedGroupState | null = null;
  for (const v of list) if (!best || v.hash < best.hash) best = v;
  return best;
}

function parseState(text: string): GroupState | null {
  if (text.length > MAX_GROUP_STATE_CHARS) return null;
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof o !== "object" || o === null) return null;
  if (!Number.isSafeInteger(o.v) || (o.v as number) < 1) return null;
  if (typeof o.prev !== "string" || !(o.prev === "" || fromB64uExact(o.prev, 32))) return null;
  if (o.nonce !== undefined && (typeof o.nonce !== "string" || !fromB64uExact(o.nonce, 16))) return null;
  if (typeof o.by !== "string" || !ADDRESS.test(o.by)) return null;
  if (typeof o.name !== "string" || o.name.length > 64) return null;
  if (!Number.isSafeInteger(o.at)) return null;
  const members = addressList(o.members, MAX_GROUP_MEMBERS);
  const admins = addressList(o.admins, MAX_GROUP_MEMBERS);
  if (!members || !admins?.every((a) => members.includes(a))) return null;
  const state: GroupState = {
    v: o.v as number,
    prev: o.prev,
    by: o.by,
    name: o.name,
    members,
    admins,
    at: o.at as number,
  };
  if (typeof o.nonce === "string") state.nonce = o.nonce;
  return state;
}

function addressList(value: unknown, max: number): string[] | null {
  if (!Array.isArray(value) || value.length > max) return null;
  if (!value.every((a) => typeof a === "string" && ADDRESS.test(a))) return null;
  return new Set(value).size === value.length ? [...value] : null;
}

/**
 * The state after `head` that `by` signs for a change (rename, members, admins): version + 1.
 * Admins that are no longer members are dropped; the last admin leaving hands the group to the
 * longest-standing member left, so a group never loses its last admin while it has members.
 */
export function nextGroupState(
  head: { state: GroupState; hash: string },
  by: string,
  change: GroupChange,
  at: number,
): GroupState {
  const members = change.members ?? head.state.members;
  let admins = (change.admins ?? head.state.admins).filter((a) => members.includes(a));
  if (admins.length === 0 && members.length > 0) admins = [members[0]];
  return {
    v: head.state.v + 1,
    prev: head.hash,
    by,
    name: change.name ?? head.state.name,
    members,
    admins,
    at,
  };
}

/**
 * What someone whose head is `theirs` lacks: the states after it up to `head`, oldest first; null
 * when `theirs` is not on the chain to `head` (they are ahead, or on a branch that lost).
 */
export function statesAfter(
  head: VerifiedGroupState,
  known: readonly VerifiedGroupState[],
  theirs: string,
): SignedGroupState[] | null {
  if (theirs === head.hash) return [];
  const chain = groupChain(head, known);
  const at = chain.findIndex((s) => stateHash(s) === theirs);
  return at < 0 ? null : chain.slice(at + 1);
}
