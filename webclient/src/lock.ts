/**
 * The app lock: with a passphrase set, IndexedDB holds the seed sealed under it (lib's seed-lock)
 * instead of the raw seed, and the app asks for the passphrase on open. The identity in memory
 * is the same either way, so exporting it still works.
 */
import {
  type AsyncWispCrypto,
  DEFAULT_LOCK_LOG_N,
  generateIdentityAsync,
  type Identity,
  identityFromSeedAsync,
  lockSeed,
  parseLockedSeed,
  unlockSeed,
} from "@wisp/lib";
import type { Storage } from "./storage";

export const IDENTITY_KEY = "identity";
export const MIN_PASSPHRASE_LENGTH = 8;

export type AskPassphrase = (tryPassphrase: (passphrase: string) => Promise<boolean>) => Promise<void>;

export interface LoadedIdentity {
  identity: Identity;
  firstStart: boolean;
  lock: AppLock;
}

/** Reads the stored identity, asking for the passphrase while it is locked; creates one on first start. */
export async function loadIdentity(
  storage: Storage,
  ask: AskPassphrase,
  crypto: AsyncWispCrypto,
  logN = DEFAULT_LOCK_LOG_N,
): Promise<LoadedIdentity> {
  const stored = await storage.get(IDENTITY_KEY);
  if (stored instanceof Uint8Array && stored.length === 32) {
    const identity = await identityFromSeedAsync(stored, crypto);
    return { identity, firstStart: false, lock: new AppLock(storage, identity, false, logN) };
  }
  const locked = parseLockedSeed(stored);
  if (locked) {
    let seed: Uint8Array | null = null;
    await ask(async (passphrase) => {
      seed = await unlockSeed(locked, passphrase);
      return seed !== null;
    });
    if (!seed) throw new Error("the app stayed locked");
    const identity = await identityFromSeedAsync(seed, crypto);
    return { identity, firstStart: false, lock: new AppLock(storage, identity, true, logN) };
  }
  // Never write over something we cannot read: it may be an identity a newer version stored.
  if (stored !== undefined && stored !== null)
    throw new Error("the stored identity is in a format this version cannot read");
  const identity = await generateIdentityAsync(crypto);
  await storage.set(IDENTITY_KEY, identity.seed);
  return { identity, firstStart: true, lock: new AppLock(storage, identity, false, logN) };
}

export class AppLock {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly storage: Storage,
    private readonly identity: Identity,
    private isLocked: boolean,
    private readonly logN: number,
  ) {}

  locked(): boolean {
    return this.isLocked;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Seals the stored seed under `passphrase`; answers an error sentence or null. */
  async set(passphrase: string): Promise<string | null> {
    if (passphrase.length < MIN_PASSPHRASE_LENGTH)
      return `Choose a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters.`;
    await this.storage.set(IDENTITY_KEY, await lockSeed(this.identity.seed, passphrase, this.logN));
    this.change(true);
    return null;
  }

  /** Stores the seed unsealed again. */
  async remove(): Promise<void> {
    await this.storage.set(IDENTITY_KEY, this.identity.seed);
    this.change(false);
  }

  private change(locked: boolean): void {
    this.isLocked = locked;
    for (const listener of this.listeners) listener();
  }
}
