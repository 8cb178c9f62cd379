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

/**
 * What validateEnvelope answers: the six fields (own, enumerable, in the order of PROTOCOL.md, so
 * JSON and equality see a plain envelope) and, privately, what the check measured — the JSON size
 * and the fields it holds for — so the node's store neither scans nor serializes the fields again.
 */
class CheckedEnvelope implements Envelope {
  // Assigned in this order in the constructor: it is the order of JSON.stringify's keys.
  readonly v: 1;
  readonly id: string;
  readonly to: string;
  readonly nackTo: string;
  readonly eph: string;
  readonly ct: string;
  // The checked strings, compared by identity on use: a field replaced since the check is re-measured.
  readonly #id: string;
  readonly #to: string;
  readonly #nackTo: string;
  readonly #eph: string;
  readonly #ct: string;
  readonly #size: number;

  constructor(id: string, to: string, nackTo: string, eph: string, ct: string, size: number) {
    this.v = 1;
    this.id = id;
    this.to = to;
    this.nackTo = nackTo;
    this.eph = eph;
    this.ct = ct;
    this.#id = id;
    this.#to = to;
    this.#nackTo = nackTo;
    this.#eph = eph;
    this.#ct = ct;
    this.#size = size;
  }

  /** The JSON size measured by the check, or -1 when envelope is not one that passed it unchanged. */
  static sizeOf(envelope: Envelope): number {
    if (!(#size in envelope)) return -1;
    const e = envelope as CheckedEnvelope;
    const unchanged =
      e.v === 1 &&
      e.id === e.#id &&
      e.to === e.#to &&
      e.nackTo === e.#nackTo &&
      e.eph === e.#eph &&
      e.ct === e.#ct;
    return unchanged ? e.#size : -1;
  }
}

/**
 * The JSON size validateEnvelope measured, when `envelope` is a value it answered and no field was
 * replaced since; -1 otherwise. Such an envelope has exactly the six keys, all canonical base64url.
 */
export function checkedEnvelopeSize(envelope: Envelope): number {
  return CheckedEnvelope.sizeOf(envelope);
}

/**
 * Bytes of the envelope as JSON, the measure of the 65,536-byte limit. Free for an envelope that
 * validateEnvelope answered.
 */
export function envelopeSize(envelope: Envelope): number {
  const checked = CheckedEnvelope.sizeOf(envelope);
  if (checked >= 0) return checked;
  // Computed from the field lengths where JSON adds no escapes; anything else is measured by
  // serializing it.
  const { v, id, to, nackTo, eph, ct } = envelope;
  let keys = 0;
  for (const _ in envelope) keys++;
  const plain =
    keys === 6 &&
    v === 1 &&
    [id, to, nackTo, eph, ct].every((field) => typeof field === "string" && BASE64URL_TEXT.test(field));
  if (plain) return ENVELOPE_JSON_FRAME + id.length + to.length + nackTo.length + eph.length + ct.length;
  return utf8(JSON.stringify(envelope)).length;
}

/**
 * The envelope's JSON, exactly as JSON.stringify writes it. For an envelope that validateEnvelope
 * answered, its canonical base64url fields need no escapes, so it is put together without
 * serializing; its length is then envelopeSize (one byte per character).
 */
export function envelopeJson(envelope: Envelope): string {
  if (CheckedEnvelope.sizeOf(envelope) < 0) return JSON.stringify(envelope);
  const { id, to, nackTo, eph, ct } = envelope;
  return `{"v":1,"id":"${id}","to":"${to}","nackTo":"${nackTo}","eph":"${eph}","ct":"${ct}"}`;
}

/**
 * Checks an envelope from outside: exactly the keys v, id, to, nackTo, eph, ct; v = 1; id 16
 * bytes, to/nackTo/eph 32 bytes, ct at least 112 bytes, all canonical base64url; at most 65,536
 * bytes as JSON (code "too_large"). Every other failure is code "bad_request". Never throws.
 */
export function validateEnvelope(value: unknown): Validated<Envelope> {
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
  return { ok: true, value: new CheckedEnvelope(id, to, nackTo, eph, ct, fieldsSize) };
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
