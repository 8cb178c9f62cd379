/** The identity file a person downloads to move to another browser: the seed, so keep it secret. */
import { fromB64uExact, type Identity, identityFromSeed, toB64u } from "@wisp/lib";
import type { Contact } from "./state";

export const IDENTITY_FILE_KIND = "wisp-identity";

export interface IdentityFile {
  identity: Identity;
  contacts: { address: string; name: string }[];
}

export function identityFileText(identity: Identity, contacts: Contact[]): string {
  const named = contacts.filter((c) => c.name).map((c) => ({ address: c.address, name: c.name }));
  return JSON.stringify(
    {
      kind: IDENTITY_FILE_KIND,
      v: 1,
      address: identity.address,
      seed: toB64u(identity.seed),
      contacts: named,
    },
    null,
    2,
  );
}

export function parseIdentityFile(
  text: string,
): { ok: true; file: IdentityFile } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: "the file is not JSON: choose a file exported by Wisp" };
  }
  if (typeof json !== "object" || json === null)
    return { ok: false, error: "the file is not a Wisp identity" };
  const data = json as Record<string, unknown>;
  if (data.kind !== IDENTITY_FILE_KIND) return { ok: false, error: "the file is not a Wisp identity" };
  if (data.v !== 1) return { ok: false, error: `identity file version ${String(data.v)} is not supported` };
  const seed = typeof data.seed === "string" ? fromB64uExact(data.seed, 32) : null;
  if (!seed) return { ok: false, error: '"seed" expected 32 bytes of base64url' };
  const identity = identityFromSeed(seed);
  if (typeof data.address === "string" && data.address !== identity.address)
    return { ok: false, error: "the file's address does not match its seed: the file is damaged" };
  const contacts = Array.isArray(data.contacts) ? data.contacts.filter(isNamedContact) : [];
  return { ok: true, file: { identity, contacts } };
}

function isNamedContact(v: unknown): v is { address: string; name: string } {
  if (typeof v !== "object" || v === null) return false;
  const c = v as Record<string, unknown>;
  return typeof c.address === "string" && c.address.length === 43 && typeof c.name === "string";
}
