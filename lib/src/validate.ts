/**
 * Validation of what clients send (PROTOCOL.md): shapes, field lengths and the size limit, with
 * errors that name the field and say why, e.g. `"eph" expected 32 bytes, got 31`.
 */
import { b64uByteLength, utf8 } from "./bytes";
import {
  type Envelope,
  type ErrorCode,
  MAX_ACKS,
  MAX_ENVELOPE_BYTES,
  MAX_WAIT_MS,
  type RetrieveRequest,
} from "./envelope";

/** A value that passed validation, or the API error code and a sentence for the client. */
export type Validated<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string };

/** Smallest ct: the Poly1305 tag (16) plus spk (32) and sig (64) of the inner plaintext. */
export const MIN_CT_BYTES = 16 + 96;

const ENVELOPE_KEYS = ["v", "id", "to", "nackTo", "eph", "ct"] as const;
const RETRIEVE_KEYS = ["pk", "ts", "ack", "wait", "sig"] as const;

type Problem = { code: ErrorCode; message: string };

const BASE64URL_TEXT = /^[A-Za-z0-9_-]*$/;
// JSON.stringify of {v: 1, id, to, nackTo, eph, ct} is these bytes plus the five values.
const ENVELOPE_JSON_FRAME = '{"v":1,"id":"","to":"","nackTo":"","eph":"","ct":""}'.length;

/** What validateEnvelope answers: the six fields as a plain object, and the size of its JSON. */
export interface CheckedEnvelope {
  /** Exactly v, id, to, nackTo, eph, ct, in the order of PROTOCOL.md (the order JSON.stringify writes). */
  envelope: Envelope;
  /** Bytes of `envelope` as JSON (UTF-8), the measure of the 65,536-byte limit. */
  jsonBytes: number;
}

/**
 * Exactly the six fields of PROTOCOL.md, `v` 1 and every other field base64url: an envelope whose
 * JSON needs no escapes, so it can be measured and written from its fields alone.
 */
export function isPlainEnvelope(envelope: Envelope): boolean {
  const { v, id, to, nackTo, eph, ct } = envelope;
  let keys = 0;
  for (const _ in envelope) keys++;
  return (
    keys === 6 &&
    v === 1 &&
    [id, to, nackTo, eph, ct].every((field) => typeof field === "string" && BASE64URL_TEXT.test(field))
  );
}

/** Bytes of the envelope as JSON (UTF-8), the measure of the 65,536-byte limit. */
export function envelopeSize(envelope: Envelope): number {
  // Computed from the field lengths where JSON adds no escapes; anything else is measured by
  // serializing it.
  if (!isPlainEnvelope(envelope)) return utf8(JSON.stringify(envelope)).length;
  const { id, to, nackTo, eph, ct } = envelope;
  return ENVELOPE_JSON_FRAME + id.length + to.length + nackTo.length + eph.length + ct.length;
}

/**
 * Checks an envelope from outside: exactly the keys v, id, to, nackTo, eph, ct; v = 1; id 16
 * bytes, to/nackTo/eph 32 bytes, ct at least 112 bytes, all canonical base64url; at most 65,536
 * bytes as JSON (code "too_large"). Every other failure is code "bad_request". Never throws.
 */
export function validateEnvelope(value: unknown): Validated<CheckedEnvelope> {
  const problem = checkKeys(value, ENVELOPE_KEYS, "envelope");
  if (problem) return fail(problem);
  const o = value as Record<string, unknown>;
  if (o.v !== 1) return bad(`"v" expected 1, got ${describe(o.v)}`);
  for (const key of ["id", "to", "nackTo", "eph", "ct"] as const) {
    if (typeof o[key] !== "string")
      return bad(`"${key}" expected a base64url string, got ${describe(o[key])}`);
  }
  const id = o.id as string;
  const to = o.to as string;
  const nackTo = o.nackTo as string;
  const eph = o.eph as string;
  const ct = o.ct as string;
  // JSON is at least the frame plus the field lengths: above the limit, ct is not even scanned.
  const fieldsSize = ENVELOPE_JSON_FRAME + id.length + to.length + nackTo.length + eph.length + ct.length;
  if (fieldsSize > MAX_ENVELOPE_BYTES) return tooLarge({ v: 1, id, to, nackTo, eph, ct });
  // One scan of each field: its decoded length, or -1 when it is not canonical base64url.
  const idBytes = b64uByteLength(id);
  const toBytes = b64uByteLength(to);
  const nackToBytes = b64uByteLength(nackTo);
  const ephBytes = b64uByteLength(eph);
  const ctBytes = b64uByteLength(ct);
  const canonical = idBytes >= 0 && toBytes >= 0 && nackToBytes >= 0 && ephBytes >= 0 && ctBytes >= 0;
  // Canonical base64url needs no JSON escapes; other text may, so it is measured by serializing.
  if (!canonical && envelopeSize({ v: 1, id, to, nackTo, eph, ct }) > MAX_ENVELOPE_BYTES)
    return tooLarge({ v: 1, id, to, nackTo, eph, ct });
  const fieldProblem =
    lengthProblem("id", idBytes, 16) ??
    lengthProblem("to", toBytes, 32) ??
    lengthProblem("nackTo", nackToBytes, 32) ??
    lengthProblem("eph", ephBytes, 32) ??
    lengthProblem("ct", ctBytes, MIN_CT_BYTES, "at least");
  if (fieldProblem) return bad(fieldProblem);
  // Canonical base64url needs no JSON escapes: the JSON is the frame and the fields, byte for byte.
  return { ok: true, value: { envelope: { v: 1, id, to, nackTo, eph, ct }, jsonBytes: fieldsSize } };
}

function tooLarge(envelope: Envelope): Validated<never> {
  const size = envelopeSize(envelope);
  return fail({
    code: "too_large",
    message: `envelope is ${size} bytes as JSON, more than the limit of ${MAX_ENVELOPE_BYTES}`,
  });
}

/**
 * Checks the shape of a retrieve request: exactly pk (32 bytes), ts (safe integer ≥ 0), ack (an
 * array of at most 256 ids of 16 bytes), wait (integer 0..25,000) and sig (64 bytes). The
 * signature itself is checked by verifyRetrieve. Never throws.
 */
export function validateRetrieveRequest(value: unknown): Validated<RetrieveRequest> {
  const problem = checkKeys(value, RETRIEVE_KEYS, "retrieve request");
  if (problem) return fail(problem);
  const o = value as Record<string, unknown>;
  const pkProblem = typeof o.pk === "string" ? checkB64u("pk", o.pk, 32) : expectedString("pk", o.pk);
  if (pkProblem) return bad(pkProblem);
  if (typeof o.ts !== "number" || !Number.isSafeInteger(o.ts) || o.ts < 0)
    return bad(`"ts" expected a non-negative integer of milliseconds, got ${describe(o.ts)}`);
  if (!Array.isArray(o.ack)) return bad(`"ack" expected an array of ids, got ${describe(o.ack)}`);
  if (o.ack.length > MAX_ACKS)
    return bad(`"ack" holds ${o.ack.length} ids, more than the limit of ${MAX_ACKS}`);
  for (let i = 0; i < o.ack.length; i++) {
    const item: unknown = o.ack[i];
    const name = `ack[${i}]`;
    const ackProblem = typeof item === "string" ? checkB64u(name, item, 16) : expectedString(name, item);
    if (ackProblem) return bad(ackProblem);
  }
  if (typeof o.wait !== "number" || !Number.isInteger(o.wait) || o.wait < 0 || o.wait > MAX_WAIT_MS)
    return bad(`"wait" expected an integer from 0 to ${MAX_WAIT_MS} (ms), got ${describe(o.wait)}`);
  const sigProblem = typeof o.sig === "string" ? checkB64u("sig", o.sig, 64) : expectedString("sig", o.sig);
  if (sigProblem) return bad(sigProblem);
  return {
    ok: true,
    value: {
      pk: o.pk as string,
      ts: o.ts,
      ack: [...(o.ack as string[])],
      wait: o.wait,
      sig: o.sig as string,
    },
  };
}

function checkKeys(value: unknown, keys: readonly string[], what: string): Problem | null {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { code: "bad_request", message: `${what} expected a JSON object, got ${describe(value)}` };
  for (const key of keys) {
    if (!Object.hasOwn(value, key)) return { code: "bad_request", message: `${what} is missing "${key}"` };
  }
  for (const key of Object.keys(value)) {
    if (!keys.includes(key))
      return { code: "bad_request", message: `${what} has unknown field ${JSON.stringify(key)}` };
  }
  return null;
}

function checkB64u(
  name: string,
  text: string,
  bytes: number,
  bound: "exactly" | "at least" = "exactly",
): string | null {
  return lengthProblem(name, b64uByteLength(text), bytes, bound);
}

/** The problem of a field that decodes to `length` bytes (-1: not canonical base64url), or null. */
function lengthProblem(
  name: string,
  length: number,
  bytes: number,
  bound: "exactly" | "at least" = "exactly",
): string | null {
  if (length < 0) return `"${name}" is not canonical base64url without padding`;
  if (bound === "exactly" && length !== bytes) return `"${name}" expected ${bytes} bytes, got ${length}`;
  if (bound === "at least" && length < bytes)
    return `"${name}" expected at least ${bytes} bytes, got ${length}`;
  return null;
}

function expectedString(name: string, value: unknown): string {
  return `"${name}" expected a base64url string, got ${describe(value)}`;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string")
    return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === "number") return String(value);
  return typeof value === "object" ? "an object" : typeof value;
}

function bad(message: string): Validated<never> {
  return { ok: false, code: "bad_request", message };
}

function fail(problem: Problem): Validated<never> {
  return { ok: false, code: problem.code, message: problem.message };
}

/**
 * The six sealed fields of an envelope-like object, so that what travels beside them (the
 * "expiresAt" a retrieve answers with) does not make a valid envelope fail validation.
 */
export function sealedFields(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const { v, id, to, nackTo, eph, ct } = value as Record<string, unknown>;
  return { v, id, to, nackTo, eph, ct };
}
