import { nobleAsyncCrypto } from "@wisp/lib";
import { describe, expect, it } from "vitest";
import { loadIdentity } from "../src/lock";
import { memoryStorage } from "../src/storage";

const never = async () => {
  throw new Error("asked for a passphrase although the app is not locked");
};

describe("app lock", () => {
  it("seals the stored seed, asks for the passphrase on the next open, and opens the same identity", async () => {
    const storage = memoryStorage();
    const first = await loadIdentity(storage, never, nobleAsyncCrypto, 10);
    expect(first.firstStart).toBe(true);
    expect(await first.lock.set("short")).toMatch(/at least 8/);
    expect(await first.lock.set("a long passphrase")).toBeNull();
    expect(first.lock.locked()).toBe(true);
    const stored = await storage.get("identity");
    expect(stored).toMatchObject({ kind: "wisp-locked-seed" });
    expect(
      Buffer.from((stored as { sealed: Uint8Array }).sealed).includes(Buffer.from(first.identity.seed)),
    ).toBe(false);

    const tries: boolean[] = [];
    const second = await loadIdentity(
      storage,
      async (attempt) => {
        tries.push(await attempt("wrong passphrase"));
        tries.push(await attempt("a long passphrase"));
      },
      nobleAsyncCrypto,
      10,
    );
    expect(tries).toEqual([false, true]);
    expect(second.identity.address).toBe(first.identity.address);
    expect(second.lock.locked()).toBe(true);

    await second.lock.remove();
    const third = await loadIdentity(storage, never, nobleAsyncCrypto, 10);
    expect(third.identity.address).toBe(first.identity.address);
    expect(third.lock.locked()).toBe(false);
  });

  it("never writes over a stored identity it cannot read", async () => {
    const storage = memoryStorage();
    await storage.set("identity", { kind: "wisp-locked-seed", v: 2 });
    await expect(loadIdentity(storage, never, nobleAsyncCrypto, 10)).rejects.toThrow(/cannot read/);
    expect(await storage.get("identity")).toEqual({ kind: "wisp-locked-seed", v: 2 });
  });
});
