import { describe, expect, it } from "vitest";
import { generateIdentity, lockSeed, parseLockedSeed, unlockSeed } from "../src/index";

describe("seed lock", () => {
  it("round-trips a seed under its passphrase and refuses any other", async () => {
    const { seed } = generateIdentity();
    const locked = await lockSeed(seed, "correct horse", 10);
    expect(locked.sealed.length).toBe(48);
    expect(Buffer.from(locked.sealed).includes(Buffer.from(seed))).toBe(false);
    expect(await unlockSeed(locked, "correct horse")).toEqual(seed);
    expect(await unlockSeed(locked, "correct horsE")).toBeNull();
    expect(await unlockSeed(locked, "")).toBeNull();
  });

  it("uses a fresh salt each time, and NFC-normalizes the passphrase", async () => {
    const { seed } = generateIdentity();
    const a = await lockSeed(seed, "caf\u00e9", 10);
    const b = await lockSeed(seed, "caf\u00e9", 10);
    expect(a.salt).not.toEqual(b.salt);
    expect(await unlockSeed(a, "cafe\u0301")).toEqual(seed);
  });

  it("reads back only well-formed records, and a damaged one does not open", async () => {
    const locked = await lockSeed(generateIdentity().seed, "pw", 10);
    expect(parseLockedSeed(structuredClone(locked))).toEqual(locked);
    expect(parseLockedSeed(new Uint8Array(32))).toBeNull();
    expect(parseLockedSeed({ ...locked, logN: 40 })).toBeNull();
    expect(parseLockedSeed({ ...locked, salt: new Uint8Array(3) })).toBeNull();
    const damaged = { ...locked, sealed: locked.sealed.map((x, i) => (i === 0 ? x ^ 1 : x)) };
    expect(await unlockSeed(damaged, "pw")).toBeNull();
    await expect(lockSeed(new Uint8Array(31), "pw")).rejects.toThrow(/32 bytes/);
  });
});
