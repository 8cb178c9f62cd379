import { describe, expect, it } from "vitest";
import { fromB64u, generateIdentity, identityFromSeed, mailboxOf, parseAddress, toB64u } from "../src/index";

describe("identities", () => {
  it("generates from the injected randomness, and restores from the seed", () => {
    const id = generateIdentity((n) => new Uint8Array(n).fill(7));
    expect(id.seed).toEqual(new Uint8Array(32).fill(7));
    expect(identityFromSeed(id.seed)).toEqual(id);
    expect(id.address).toHaveLength(43);
    expect(fromB64u(id.address)).toEqual(id.publicKey);
  });

  it("generates distinct identities by default", () => {
    expect(generateIdentity().address).not.toBe(generateIdentity().address);
  });

  it("throws RangeError for a seed of the wrong length", () => {
    expect(() => identityFromSeed(new Uint8Array(31))).toThrow(
      new RangeError("seed expected 32 bytes, got 31"),
    );
    expect(() => mailboxOf(new Uint8Array(33))).toThrow(
      new RangeError("public key expected 32 bytes, got 33"),
    );
  });
});

describe("parseAddress", () => {
  const id = generateIdentity();

  it("reads an address, ignoring surrounding whitespace", () => {
    expect(parseAddress(id.address)).toEqual({ ok: true, publicKey: id.publicKey });
    expect(parseAddress(`  ${id.address}\n`)).toEqual({ ok: true, publicKey: id.publicKey });
  });

  it("says precisely what is wrong", () => {
    expect(parseAddress(id.address.slice(1))).toEqual({
      ok: false,
      error: "address expected 43 characters, got 42",
    });
    expect(parseAddress(`${id.address.slice(0, 9)}/${id.address.slice(10)}`)).toEqual({
      ok: false,
      error: 'address has "/" at position 10, outside the base64url alphabet',
    });
    expect(parseAddress(toB64u(new Uint8Array(32).fill(0xff)))).toEqual({
      ok: false,
      error: "address is not a valid Ed25519 public key (not a point on the curve)",
    });
    const identityPoint = new Uint8Array(32);
    identityPoint[0] = 1;
    expect(parseAddress(toB64u(identityPoint))).toEqual({
      ok: false,
      error: "address is not a valid Ed25519 public key (a point of small order)",
    });
  });
});
