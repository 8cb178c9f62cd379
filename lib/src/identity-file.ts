/**
 * The identity file a person keeps or moves to another device (kind "wisp-identity", v 1): the
 * seed, so it is secret, and the names given to contacts. The web app's export and the CLI's
 * keygen write the same bytes; both read each other's files.
 */
import { fromB64uExact, toB64u } from "./bytes";
import type { AsyncWispCrypto } from "./crypto";
import { type Identity, identityFromSeedAsync } from "./identity";
import { identityFromSeed } from "./identity-noble";

export const IDENTITY_FILE_KIND = "wisp-identity";

export interface NamedContact {
  address: string;
  name: string;
}

export interface IdentityFile {
  identity: Identity;
  contacts: NamedContact[];
}

export type IdentityFileResult = { ok: true; file: IdentityFile } | { ok: false; error: string };

/** At most this many contacts are read from a file; the rest are ignored. */
export const MAX_FILE_CONTACTS = 10_000;

/** The file's text; contacts without a name are left out (an address alone says nothing new). */
export function encodeIdentityFile(identity: Identity, contacts: readonly NamedContact[] = []): string {
  const named = contacts.filter((c) => c.name).map((c) => ({ address: c.address, name: c.name }));
  const file = {
    kind: IDENTITY_FILE_KIND,
    v: 1,
    address: identity.address,
    seed: toB64u(identity.seed),
    contacts: named,
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Reads a file; the error is a sentence fit to show after "cannot import: " or a path. */
export function parseIdentityFile(text: string): IdentityFileResult {
  const read = readIdentityFile(text);
  return read.ok ? withIdentity(read, identityFromSeed(read.seed)) : read;
}

/** {@link parseIdentityFile}, the identity derived on `crypto` (the web app has no noble Ed25519). */
export async function parseIdentityFileAsync(
  text: string,
  crypto: AsyncWispCrypto,
): Promise<IdentityFileResult> {
  const read = readIdentityFile(text);
  return read.ok ? withIdentity(read, await identityFromSeedAsync(read.seed, crypto)) : read;
}

type ReadFile = { ok: true; seed: Uint8Array; address: unknown; contacts: NamedContact[] };

function readIdentityFile(text: string): ReadFile | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: "the file is not JSON; expected a Wisp identity file" };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    return { ok: false, error: 'the file is not a Wisp identity file (no "kind": "wisp-identity")' };
  const data = json as Record<string, unknown>;
  if (data.kind !== IDENTITY_FILE_KIND)
    return { ok: false, error: 'the file is not a Wisp identity file (no "kind": "wisp-identity")' };
  if (data.v !== 1) return { ok: false, error: `identity file version ${String(data.v)} is not supported` };
  const seed = typeof data.seed === "string" ? fromB64uExact(data.seed, 32) : null;
  if (!seed) return { ok: false, error: '"seed" expected 32 bytes of base64url' };
  const list = Array.isArray(data.contacts) ? data.contacts.slice(0, MAX_FILE_CONTACTS) : [];
  return { ok: true, seed, address: data.address, contacts: list.filter(isNamedContact) };
}

function withIdentity(read: ReadFile, identity: Identity): IdentityFileResult {
  if (typeof read.address === "string" && read.address !== identity.address)
    return { ok: false, error: '"address" does not match the seed; the file is damaged' };
  return { ok: true, file: { identity, contacts: read.contacts } };
}

function isNamedContact(v: unknown): v is NamedContact {
  if (typeof v !== "object" || v === null) return false;
  const c = v as Record<string, unknown>;
  return (
    typeof c.address === "string" &&
    fromB64uExact(c.address, 32) !== null &&
    typeof c.name === "string" &&
    c.name.length <= 200
  );
}
