/**
 * Pre-sealed envelopes, so client crypto is not what a node benchmark measures. A "1 KiB entry" is an
 * envelope whose JSON is 1,024 bytes. Ids may be rewritten for uniqueness: a node never opens `ct`,
 * so it stores such an envelope exactly as a real one (only its recipient could tell).
 */
import { randomBytes } from "node:crypto";
import { type Envelope, generateIdentity, type Identity, seal, toB64u, utf8 } from "@wisp/lib";

export const ENTRY_JSON_BYTES = 1024;

/** The body length that makes a sealed envelope's JSON exactly `jsonBytes` long (±2 for base64). */
export function bodyLengthFor(jsonBytes: number): number {
  const probe = seal(generateIdentity(), generateIdentity().publicKey, new Uint8Array(500));
  const overhead = JSON.stringify(probe).length - Math.ceil(((500 + 112) * 4) / 3);
  return Math.floor(((jsonBytes - overhead) * 3) / 4) - 112;
}

export function filler(length: number): Uint8Array {
  return utf8(
    JSON.stringify({ type: "text", text: "x".repeat(Math.max(0, length - 40)), sentAt: 0 }).padEnd(length),
  );
}

export interface Recipient {
  identity: Identity;
}

/**
 * `count` envelopes from one sender to `recipients` (round robin), each about `jsonBytes` of JSON,
 * as a node holds them: parsed from JSON. (lib's base64url text is built piece by piece, and a
 * node's first look at such a string flattens it, a cost no envelope from the wire has.)
 */
export function sealPool(
  recipients: readonly Identity[],
  count: number,
  jsonBytes = ENTRY_JSON_BYTES,
): Envelope[] {
  const sender = generateIdentity();
  const body = filler(bodyLengthFor(jsonBytes));
  const pool: Envelope[] = [];
  for (let i = 0; i < count; i++) {
    const sealed = seal(sender, recipients[i % recipients.length].publicKey, body);
    pool.push(JSON.parse(JSON.stringify(sealed)) as Envelope);
  }
  return pool;
}

export function identities(count: number): Identity[] {
  return Array.from({ length: count }, () => generateIdentity());
}

export function withFreshId(envelope: Envelope): Envelope {
  return { ...envelope, id: toB64u(randomBytes(16)) };
}
