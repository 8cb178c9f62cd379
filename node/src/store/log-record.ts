/**
 * The line format of entries.log (docs/storage.md): `<crc32 of the JSON, 8 hex digits> <JSON>\n`,
 * one mutation of the EntryStore per line. Decoding bytes read back from disk returns an error
 * value: a torn or corrupted line is skipped by the caller, never a crash.
 */
import { fromB64uExact } from "@wisp/lib";
import type { Entry, Tombstone } from "./entry";
import { decodeProof } from "./proof";

export const LOG_VERSION = 1;

export type LogRecord =
  | { op: "header"; v: number }
  | { op: "put"; entry: Entry }
  | { op: "tomb"; tombstone: Tombstone }
  | { op: "drop"; mailbox: string; ids: string[] }
  | { op: "sweep"; now: number };

export type DecodeResult = { ok: true; record: LogRecord } | { ok: false; error: string };

const CRC_HEX = 8;

/** node:zlib is loaded by the first log line: it adds ~0.2 MiB to the idle RSS of a node that keeps no log. */
const crc32 = (data: string | Uint8Array): number => process.getBuiltinModule("node:zlib").crc32(data);

export function encodeRecord(record: LogRecord): string {
  const json = JSON.stringify(record.op === "put" ? { op: "put", entry: plainEntry(record.entry) } : record);
  return `${crc32(json).toString(16).padStart(CRC_HEX, "0")} ${json}\n`;
}

/** The fields in one order whatever object holds them (the owner's, a replica's, a store's), so every put line has one shape. */
function plainEntry(entry: Entry): Entry {
  const { mailbox, id, storedAt, expiresAt } = entry;
  if (entry.kind === "msg")
    return { kind: "msg", mailbox, id, storedAt, expiresAt, envelope: { ...entry.envelope } };
  return { kind: "nack", mailbox, id, storedAt, expiresAt, nack: { ...entry.nack } };
}

/** line: the bytes of one line without its newline. */
export function decodeRecord(line: Uint8Array): DecodeResult {
  if (line.length < CRC_HEX + 3 || line[CRC_HEX] !== 0x20)
    return fail(`malformed line of ${line.length} bytes`);
  const expected = Number.parseInt(Buffer.from(line.subarray(0, CRC_HEX)).toString("latin1"), 16);
  const body = line.subarray(CRC_HEX + 1);
  const actual = crc32(body);
  if (expected !== actual) return fail(`crc32 mismatch: line says ${expected}, content has ${actual}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString("utf8"));
  } catch {
    return fail("invalid JSON");
  }
  return checkRecord(parsed);
}

function checkRecord(value: unknown): DecodeResult {
  if (!isObject(value)) return fail("record is not an object");
  switch (value.op) {
    case "header":
      if (!isCount(value.v)) return fail('"v" expected a non-negative integer');
      return { ok: true, record: { op: "header", v: value.v } };
    case "put": {
      const error = entryError(value.entry);
      if (error) return fail(error);
      return { ok: true, record: { op: "put", entry: value.entry as Entry } };
    }
    case "tomb": {
      const t = value.tombstone;
      if (!isObject(t) || !isMailbox(t.mailbox) || !isId(t.id) || !isTime(t.expiresAt))
        return fail('"tombstone" expected {mailbox, id, expiresAt}');
      const tombstone: Tombstone = { mailbox: t.mailbox, id: t.id, expiresAt: t.expiresAt };
      if (t.proof !== undefined) {
        const proof = decodeProof(t.proof);
        if (typeof proof === "string") return fail(proof);
        tombstone.proof = proof;
      }
      return { ok: true, record: { op: "tomb", tombstone } };
    }
    case "drop":
      if (!isMailbox(value.mailbox)) return fail('"mailbox" expected 32 bytes of base64url');
      if (!Array.isArray(value.ids) || !value.ids.every(isId)) return fail('"ids" expected an array of ids');
      return { ok: true, record: { op: "drop", mailbox: value.mailbox, ids: value.ids } };
    case "sweep":
      if (!isTime(value.now)) return fail('"now" expected a time in ms');
      return { ok: true, record: { op: "sweep", now: value.now } };
    default:
      return fail(`unknown op ${JSON.stringify(value.op)?.slice(0, 40)}`);
  }
}

/** Entries were validated when the network brought them; this guards against a bug or a foreign file. */
function entryError(entry: unknown): string | null {
  if (!isObject(entry)) return '"entry" expected an object';
  if (!isMailbox(entry.mailbox)) return '"entry.mailbox" expected 32 bytes of base64url';
  if (!isId(entry.id)) return '"entry.id" expected an id';
  if (!isTime(entry.storedAt) || !isTime(entry.expiresAt))
    return '"entry" expected storedAt and expiresAt in ms';
  if (entry.kind === "msg") {
    const e = entry.envelope;
    if (!isObject(e) || e.id !== entry.id || typeof e.to !== "string" || typeof e.nackTo !== "string")
      return '"entry.envelope" expected an envelope with the entry\'s id';
    return null;
  }
  if (entry.kind === "nack") {
    const n = entry.nack;
    if (!isObject(n) || n.id !== entry.id || typeof n.to !== "string" || !isTime(n.expiredAt))
      return '"entry.nack" expected a NACK with the entry\'s id';
    return null;
  }
  return '"entry.kind" expected "msg" or "nack"';
}

function fail(error: string): DecodeResult {
  return { ok: false, error };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isMailbox(value: unknown): value is string {
  return typeof value === "string" && fromB64uExact(value, 32) !== null;
}

function isId(value: unknown): value is string {
  return typeof value === "string";
}

function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}
