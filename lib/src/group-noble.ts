/**
 * Group states signed and checked on noble's Ed25519, synchronously: Node.js, the CLI and tests.
 * The web app signs and checks them on WebCrypto (group-async.ts) and carries no noble EdDSA.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { toB64u } from "./bytes";
import type { GroupState, SignedGroupState, VerifiedGroupState } from "./group";
import { genesisGroupState, groupIdOf, groupStateClaim, groupStateToSign } from "./group";
import type { Identity } from "./identity";

/** Signs a state. Throws (misuse) unless `identity` is the state's `by`. */
export function signGroupState(identity: Identity, state: GroupState): SignedGroupState {
  const { text, message } = groupStateToSign(identity, state);
  return { state: text, sig: toB64u(ed25519.sign(message, identity.seed)) };
}

/** The first state of a new group, made by `creator`, who is its only admin. */
export function createGroup(
  creator: Identity,
  name: string,
  members: string[],
  at: number,
  nonce: Uint8Array = randomBytes(16),
): { gid: string; signed: SignedGroupState } {
  const signed = signGroupState(creator, genesisGroupState(creator, name, members, at, nonce));
  return { gid: groupIdOf(signed), signed };
}

/** Parses a state and checks its signature by its own `by`. Null for anything wrong; never throws. */
export function verifyGroupState(signed: SignedGroupState): VerifiedGroupState | null {
  const claim = groupStateClaim(signed);
  if (!claim) return null;
  try {
    if (!ed25519.verify(claim.sig, claim.message, claim.publicKey)) return null;
  } catch {
    return null;
  }
  return claim.claimed;
}
