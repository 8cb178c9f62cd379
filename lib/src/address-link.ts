/**
 * Sharing an address so that a typo is caught: `#add=<address>.<check>`, where `check` is the
 * first 3 bytes of SHA-256(utf8("wisp/address-check/v1") || pk) as b64u (4 characters). A
 * mistyped character passes with a chance of 1 in 2^24. The address itself stays b64u(pk).
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, fromB64uExact, toB64u, utf8 } from "./bytes";
import { type ParsedAddress, parseAddress } from "./identity";

const CHECK_DOMAIN = utf8("wisp/address-check/v1");

export function addressCheck(publicKey: Uint8Array): string {
  return toB64u(sha256(concatBytes(CHECK_DOMAIN, publicKey)).subarray(0, 3));
}

/** The fragment to append to the web app's URL: `#add=<address>.<check>`. */
export function addressFragment(address: string): string {
  const parsed = parseAddress(address);
  if (!parsed.ok) throw new RangeError(parsed.error);
  return `#add=${address}.${addressCheck(parsed.publicKey)}`;
}

/**
 * Reads what someone pasted or scanned: a link or fragment with `add=`, `<address>.<check>`, or a
 * bare address (which carries no checksum). A checksum that does not match is refused.
 */
export function parseSharedAddress(text: string): ParsedAddress & { checked?: boolean } {
  const trimmed = typeof text === "string" ? text.trim() : "";
  const at = trimmed.lastIndexOf("add=");
  const payload = at >= 0 ? trimmed.slice(at + 4) : trimmed;
  const dot = payload.indexOf(".");
  if (dot < 0) return parseAddress(payload);
  // The checksum first: a typo is named as one, even where it also breaks the key.
  const key = fromB64uExact(payload.slice(0, dot), 32);
  if (key && payload.slice(dot + 1) !== addressCheck(key))
    return { ok: false, error: "address does not match its checksum: a character was mistyped" };
  const parsed = parseAddress(payload.slice(0, dot));
  return parsed.ok ? { ...parsed, checked: true } : parsed;
}
