/** fast-check arbitraries shared by lib's and the node's envelope tests. */
import { MIN_CT_BYTES, toB64u } from "@wisp/lib";
import fc from "fast-check";

const b64u = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map(toB64u);

/** The five base64url fields of a valid envelope (v is 1), ct of 112–400 bytes. */
export const envelopeFields = fc.record({
  id: b64u(16),
  to: b64u(32),
  nackTo: b64u(32),
  eph: b64u(32),
  ct: fc.uint8Array({ minLength: MIN_CT_BYTES, maxLength: 400 }).map(toB64u),
});
