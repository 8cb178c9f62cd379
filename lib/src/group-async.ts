/**
 * Group states signed and checked on an {@link AsyncWispCrypto} backend (WebCrypto in the web app):
 * the same bytes and answers as group-noble.ts, without noble's EdDSA and SHA-512 in the bundle.
 */
import { randomBytes } from "@noble/hashes/utils.js";
import { toB64u } from "./bytes";
import type { AsyncWispCrypto } from "./crypto";
import type { GroupState, SignedGroupState, VerifiedGroupState } from "./group";
import { genesisGroupState, groupIdOf, groupStateClaim, groupStateToSign } from "./group";
import type { Identity } from "./identity";

/** {@link signGroupState} on `crypto`. Rejects (misuse) unless `identity` is the state's `by`. */
export async function signGroupStateAsync(
  identity: Identity,
  state: GroupState,
  crypto: AsyncWispCrypto,
): Promise<SignedGroupState> {
  const { text, message } = groupStateToSign(identity, state);
  return { state: text, sig: toB64u(await crypto.ed25519Sign(identity.seed, message)) };
}

/** {@link createGroup} on `crypto`. */
export async function createGroupAsync(
  creator: Identity,
  name: string,
  members: string[],
  at: number,
  crypto: AsyncWispCrypto,
  nonce: Uint8Array = randomBytes(16),
): Promise<{ gid: string; signed: SignedGroupState }> {
  const genesis = genesisGroupState(creator, name, members, at, nonce);
  const signed = await signGroupStateAsync(creator, genesis, crypto);
  return { gid: groupIdOf(signed), signed };
}

/** {@link verifyGroupState} on `crypto`: null for anything wrong; never rejects. */
export async function verifyGroupStateAsync(
  signed: SignedGroupState,
  crypto: AsyncWispCrypto,
): Promise<VerifiedGroupState | null> {
  const claim = groupStateClaim(signed);
  if (!claim) return null;
  const ok = await crypto.ed25519Verify(claim.sig, claim.message, claim.publicKey);
  return ok ? claim.claimed : null;
}
