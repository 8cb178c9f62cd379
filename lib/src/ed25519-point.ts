/**
 * The Ed25519 group (RFC 8032 §5.1) on noble's generic twisted Edwards code, without noble's
 * `ed25519` object: that one brings EdDSA and SHA-512, which the web app signs and hashes on
 * WebCrypto instead. noble does all the arithmetic; only the curve's published constants are ours.
 * What lives here: the checks every address gets, and the Ed25519 → X25519 public key map.
 */
import { edwards } from "@noble/curves/abstract/edwards.js";
import { Field } from "@noble/curves/abstract/modular.js";

const p = 2n ** 255n - 19n;
/** Only for the two fractions below: the curve keeps a field of its own (little-endian encoding). */
const Fp = Field(p);

/**
 * RFC 8032 §5.1: edwards25519, −x² + y² = 1 + d·x²·y² over GF(2^255 − 19) with d = −121665/121666,
 * base point B = (x, 4/5) with x positive (even), as RFC 7748 §4.1 defines them. The two fractions
 * are computed in noble's field; the tests compare the group with noble's ed25519.
 */
export const Ed25519Point = edwards({
  p,
  n: 2n ** 252n + 27742317777372353535851937790883648493n,
  h: 8n,
  a: p - 1n,
  d: Fp.div(p - 121665n, 121666n),
  Gx: 15112221349535400772501151409588531511454012693041857206046113283949847762202n,
  Gy: Fp.div(4n, 5n),
});

type EdPoint = InstanceType<typeof Ed25519Point>;

/**
 * Why a 32-byte Ed25519 public key cannot be an identity (not a point, of small order, or outside
 * the prime-order subgroup: anyone could sign for such a key), or null when it can (PROTOCOL.md).
 */
export function publicKeyProblem(publicKey: Uint8Array): string | null {
  return pointProblem(decodePoint(publicKey));
}

function pointProblem(point: EdPoint | null): string | null {
  if (!point) return "is not a valid Ed25519 public key (not a point on the curve)";
  // A small-order key makes every X25519 shared secret all-zero: nothing could be sealed to it.
  if (point.isSmallOrder()) return "is not a valid Ed25519 public key (a point of small order)";
  if (!point.isTorsionFree()) return "is not a valid Ed25519 public key (not in the prime-order subgroup)";
  return null;
}

/**
 * The X25519 public key of an Ed25519 one, as libsodium's crypto_sign_ed25519_pk_to_curve25519,
 * which also refuses keys of small order or outside the prime-order subgroup. Throws RangeError for those.
 */
export function x25519PublicFromEd25519(publicKey: Uint8Array): Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32)
    throw new RangeError(`public key expected 32 bytes, got ${describeLength(publicKey)}`);
  const point = decodePoint(publicKey);
  const problem = pointProblem(point);
  if (!point || problem) throw new RangeError(`public key ${problem}`);
  // RFC 7748 §4.1's birational map: u = (1 + y) / (1 − y).
  const { Fp } = Ed25519Point;
  const { y } = point;
  return Fp.toBytes(Fp.div(Fp.add(Fp.ONE, y), Fp.sub(Fp.ONE, y)));
}

/** RFC 8032's strict decoding (y < p, no x = 0 with the sign bit set), as OpenSSL; null for a non-point. */
function decodePoint(bytes: Uint8Array): EdPoint | null {
  try {
    return Ed25519Point.fromBytes(bytes, false);
  } catch {
    return null;
  }
}

export function describeLength(value: unknown): string {
  return value instanceof Uint8Array ? `${value.length}` : typeof value;
}
