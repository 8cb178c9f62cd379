/**
 * Each peer's keys for sealing (mailbox, X25519 key), derived once per client: the subgroup check
 * behind them costs about a millisecond in a page, on every message and every receipt otherwise.
 */
import { fromB64uExact, type RecipientKeys, recipientKeys } from "@wisp/lib";

/** Senders of recent messages and contacts; beyond it the least recently used is derived again. */
const KEPT = 1024;

export class RecipientCache {
  private readonly keys = new Map<string, RecipientKeys | null>();

  /** The keys of an address, or null for one nothing can be sealed to. */
  get(address: string): RecipientKeys | null {
    const known = this.keys.get(address);
    if (known !== undefined) {
      this.keys.delete(address);
      this.keys.set(address, known);
      return known;
    }
    const keys = derive(address);
    if (this.keys.size >= KEPT) this.keys.delete(this.keys.keys().next().value as string);
    this.keys.set(address, keys);
    return keys;
  }
}

function derive(address: string): RecipientKeys | null {
  const publicKey = fromB64uExact(address, 32);
  if (!publicKey) return null;
  try {
    return recipientKeys(publicKey);
  } catch {
    return null;
  }
}
