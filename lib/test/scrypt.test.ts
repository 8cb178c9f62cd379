import { scryptAsync } from "@noble/hashes/scrypt.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scryptR8 } from "../src/scrypt";

describe("scrypt, r = 8, p = 1", () => {
  it("gives RFC 7914's answer for N = 16384 (§12, the third vector)", async () => {
    const key = await scryptR8(utf8ToBytes("pleaseletmein"), utf8ToBytes("SodiumChloride"), 14, 64);
    expect(bytesToHex(key)).toBe(
      "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887",
    );
  }, 60_000);

  it("agrees with @noble/hashes' scrypt on any passphrase, salt, cost and length", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 80 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 100 }),
        async (password, salt, logN, dkLen) => {
          const mine = await scryptR8(password, salt, logN, dkLen);
          const noble = await scryptAsync(password, salt, { N: 2 ** logN, r: 8, p: 1, dkLen });
          expect(bytesToHex(mine)).toBe(bytesToHex(noble));
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);
});
