/**
 * Hostile HTTP requests with the answer PROTOCOL.md and docs/api.md document for each: a valid
 * envelope or signed retrieve with one field broken, bodies that are not JSON objects, oversized
 * and deeply nested bodies, unknown paths and methods.
 */
import {
  type Envelope,
  encodeBody,
  generateIdentity,
  type Identity,
  type RetrieveRequest,
  seal,
  signRetrieve,
  toB64u,
} from "@wisp/lib";
import fc from "fast-check";

export interface HttpCase {
  what: string;
  method: string;
  path: string;
  contentType: string | null;
  body: string | Uint8Array | null;
  /** The documented status; null when any non-500 answer is acceptable (random input). */
  status: number | null;
}

/** The PROTOCOL.md code of every error status the API may answer (404 and 405 answer bad_request). */
export const CODE_OF: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  404: "bad_request",
  405: "bad_request",
  413: "too_large",
  429: "rate_limited",
  503: "unavailable",
  507: "mailbox_full",
};

export const MAX_STORE_BYTES = 65_536;
export const MAX_RETRIEVE_BYTES = 32_768;

const alice = generateIdentity();
const bob = generateIdentity();
const mallory = generateIdentity();

export function sealedEnvelope(from: Identity = alice, to: Identity = bob): Envelope {
  return seal(from, to.publicKey, encodeBody({ type: "text", text: "fuzz", sentAt: 1 }));
}

/** Broken requests are never stored, so they share one sealed envelope (sealing costs ~2 ms). */
const shared = sealedEnvelope();
const brokenBase = () => shared;

const b64 = (n: number) => toB64u(new Uint8Array(n).fill(0x5a));
const id16 = (i: number) => {
  const bytes = new Uint8Array(16);
  new DataView(bytes.buffer).setUint32(0, i + 1);
  return toB64u(bytes);
};
const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

const wrongType = fc.constantFrom<unknown>(null, true, 0, -1, 1.5, [], {}, ["x"], { a: 1 }, [[[1]]]);
const badB64u = fc.constantFrom("!!!!", "AAAA====", "a b", "A+/", "AAAA\n", "\u00e9", "");

/** JSON text of `object` with `field` replaced by `value` (undefined deletes it); `raw` splices text in. */
function withField(object: object, field: string, value: unknown, raw?: string): string {
  const copy: Record<string, unknown> = { ...object };
  if (raw !== undefined) {
    copy[field] = "@@RAW@@";
    return JSON.stringify(copy).replace('"@@RAW@@"', raw);
  }
  if (value === undefined) delete copy[field];
  else copy[field] = value;
  return JSON.stringify(copy);
}

function store(what: string, body: string | Uint8Array, status: number): HttpCase {
  const size = typeof body === "string" ? Buffer.byteLength(body) : body.length;
  const documented = size > MAX_STORE_BYTES ? 413 : status;
  return {
    what,
    method: "POST",
    path: "/v1/store",
    contentType: "application/json",
    body,
    status: documented,
  };
}

function retrieve(what: string, body: string, status: number): HttpCase {
  const documented = Buffer.byteLength(body) > MAX_RETRIEVE_BYTES ? 413 : status;
  return {
    what,
    method: "POST",
    path: "/v1/retrieve",
    contentType: "application/json",
    body,
    status: documented,
  };
}

const B64_FIELDS: [keyof Envelope, number][] = [
  ["id", 16],
  ["to", 32],
  ["nackTo", 32],
  ["eph", 32],
];

/** A sealed envelope with one field broken, and the status that documents it. */
export const brokenStore: fc.Arbitrary<HttpCase> = fc.oneof(
  fc
    .tuple(fc.constantFrom("v", "id", "to", "nackTo", "eph", "ct"), wrongType)
    .map(([field, value]) => store(`"${field}" of a wrong type`, withField(brokenBase(), field, value), 400)),
  fc
    .tuple(fc.constantFrom(...B64_FIELDS), fc.integer({ min: 0, max: 200 }))
    .filter(([[, bytes], n]) => n !== bytes)
    .map(([[field], n]) => store(`"${field}" of ${n} bytes`, withField(brokenBase(), field, b64(n)), 400)),
  fc
    .integer({ min: 0, max: 111 })
    .map((n) => store(`"ct" of ${n} bytes`, withField(brokenBase(), "ct", b64(n)), 400)),
  fc
    .tuple(fc.constantFrom("id", "to", "nackTo", "eph", "ct"), badB64u)
    .map(([field, text]) => store(`"${field}" not base64url`, withField(brokenBase(), field, text), 400)),
  fc
    .constantFrom("v", "id", "to", "nackTo", "eph", "ct")
    .map((field) => store(`"${field}" missing`, withField(brokenBase(), field, undefined), 400)),
  fc
    .string({ minLength: 1, maxLength: 10 })
    .filter((key) => !["v", "id", "to", "nackTo", "eph", "ct", "__proto__"].includes(key))
    .map((key) => store(`extra field ${JSON.stringify(key)}`, withField(brokenBase(), key, 1), 400)),
  fc
    .constantFrom(2, 0, "1", 1.0000001, -1)
    .map((v) => store(`"v" ${JSON.stringify(v)}`, withField(brokenBase(), "v", v), 400)),
  fc
    .tuple(fc.constantFrom("v", "ct", "extra"), fc.integer({ min: 9, max: 2_000 }))
    .map(([field, depth]) =>
      store(`"${field}" nested ${depth} deep`, withField(brokenBase(), field, 0, nested(depth)), 400),
    ),
  fc.constantFrom(100_000, 40_000).map((depth) => store(`${depth} levels of [`, nested(depth), 400)),
  fc.constant(store("ct of 70,000 characters", withField(brokenBase(), "ct", "A".repeat(70_000)), 413)),
  fc.constant(store("ct of 65,400 characters", withField(brokenBase(), "ct", "A".repeat(65_400)), 413)),
);

let fresh: { request: RetrieveRequest; at: number } | null = null;

/** A signed retrieve, re-signed once a minute so that its ts stays inside the ±5 minute window. */
function signed(ts?: number): RetrieveRequest {
  const ack = [id16(1), id16(2)];
  if (ts !== undefined) return signRetrieve(bob, ts, ack, 0);
  if (!fresh || Date.now() - fresh.at > 60_000)
    fresh = { request: signRetrieve(bob, Date.now(), ack, 0), at: Date.now() };
  return fresh.request;
}

/** A signed retrieve request with one field broken, and the status that documents it. */
export const brokenRetrieve: fc.Arbitrary<HttpCase> = fc.oneof(
  fc
    .tuple(fc.constantFrom("pk", "ts", "ack", "wait", "sig"), wrongType)
    // 0 is a valid ts (then 401: too old) and wait; [] a valid ack list (then 401: not what was signed).
    .filter(([field, value]) => !(value === 0 && (field === "ts" || field === "wait")))
    .filter(([field, value]) => !(field === "ack" && Array.isArray(value) && value.length === 0))
    .map(([field, value]) => retrieve(`"${field}" of a wrong type`, withField(signed(), field, value), 400)),
  fc
    .constantFrom("pk", "ts", "ack", "wait", "sig")
    .map((f) => retrieve(`"${f}" missing`, withField(signed(), f, undefined), 400)),
  fc
    .tuple(fc.constantFrom<["pk" | "sig", number]>(["pk", 32], ["sig", 64]), fc.integer({ min: 0, max: 100 }))
    .filter(([[, bytes], n]) => n !== bytes)
    .map(([[field], n]) => retrieve(`"${field}" of ${n} bytes`, withField(signed(), field, b64(n)), 400)),
  fc
    .tuple(fc.constantFrom("pk", "sig"), badB64u)
    .map(([f, t]) => retrieve(`"${f}" not base64url`, withField(signed(), f, t), 400)),
  fc
    .constantFrom(-1, 25_001, 1.5, 1e308)
    .map((wait) => retrieve(`"wait" ${wait}`, withField(signed(), "wait", wait), 400)),
  fc.constantFrom(-1, 1.5, 2 ** 53).map((ts) => retrieve(`"ts" ${ts}`, withField(signed(), "ts", ts), 400)),
  fc
    .constantFrom(-400_000, 400_000)
    .map((skew) => retrieve(`"ts" ${skew} ms off`, JSON.stringify(signed(Date.now() + skew)), 401)),
  fc.constant(retrieve("another identity's pk", withField(signed(), "pk", mallory.address), 401)),
  fc.constant(retrieve("a signature of other bytes", withField(signed(), "sig", b64(64)), 401)),
  fc.constant(retrieve("acks that were not signed", withField(signed(), "ack", [id16(7)]), 401)),
  fc.integer({ min: 0, max: 1 }).map((i) => {
    const ack = [id16(1), id16(2)];
    ack[i] = b64(15);
    return retrieve(`ack[${i}] of 15 bytes`, withField(signed(), "ack", ack), 400);
  }),
  fc.constant(
    retrieve(
      "257 acks",
      withField(
        signed(),
        "ack",
        Array.from({ length: 257 }, (_, i) => id16(i)),
      ),
      400,
    ),
  ),
  fc.constant(
    retrieve(
      "100,000 acks",
      withField(
        signed(),
        "ack",
        Array.from({ length: 100_000 }, (_, i) => id16(i)),
      ),
      413,
    ),
  ),
  fc.constant(retrieve("100,000 levels of [", nested(100_000), 413)),
  fc.constant(retrieve("1,000 levels of [", nested(1_000), 400)),
  fc
    .string({ minLength: 1, maxLength: 8 })
    .filter((k) => !["pk", "ts", "ack", "wait", "sig", "__proto__"].includes(k))
    .map((key) => retrieve(`extra field ${JSON.stringify(key)}`, withField(signed(), key, 0), 400)),
);
