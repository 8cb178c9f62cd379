/**
 * The mailbox owner's signed retrieve, carried by every fetch and every tombstone between nodes
 * (docs/security.md, "Owner-signed reads and deletes"): `{pk, ts, ack, sig}` exactly as the client
 * signed it (PROTOCOL.md). A node hands out a mailbox's entries, or deletes one of them, only on a
 * proof that verifies for that mailbox (and that id) — whoever relayed it.
 *
 * The 300 s window of PROTOCOL.md is the client-facing check (the API makes it). Between nodes a
 * proof stays good for as long as anything it deletes can exist: from `ts − skew` until
 * `ts + ttl + skew`, so repair can pass a tombstone's proof on for the tombstone's whole life, and a
 * proof a node saw cannot be replayed to read the mailbox after that.
 */
import { fromB64uExact, mailboxAddress, verifyRetrieveAsync } from "@wisp/lib";
import { nodeCrypto } from "../crypto/node-crypto";
import { LruMap } from "../lru";
import { checkB64u, type Decoded, isRecord, isTime } from "./wire-fields";

export interface AckProof {
  pk: string;
  ts: number;
  ack: string[];
  sig: string;
}

/** Clocks of two nodes may differ by this much (as for entries' expiresAt). */
export const PROOF_SKEW_MS = 300_000;
const MAX_ACKS = 256;
/** Verified signatures remembered by one node; a repair round re-offers the same proofs. */
const CACHE_LIMIT = 8_192;

export function decodeProof(value: unknown): Decoded<AckProof> {
  if (!isRecord(value)) return "proof must be an object {pk, ts, ack, sig}";
  const { pk, ts, ack, sig } = value;
  const problem = checkB64u(pk, "proof.pk", 32) ?? checkB64u(sig, "proof.sig", 64);
  if (problem) return problem;
  if (!isTime(ts)) return `"proof.ts" expected a time in ms`;
  if (!Array.isArray(ack) || ack.length > MAX_ACKS) return `"proof.ack" expected at most ${MAX_ACKS} ids`;
  for (const id of ack) {
    const idProblem = checkB64u(id, "proof.ack id", 16);
    if (idProblem) return idProblem;
  }
  return { pk: pk as string, ts, ack: [...(ack as string[])], sig: sig as string };
}

export class ProofChecker {
  /** A whole proof (every field: a signature is only good for what it signs) → the mailbox it verified for. */
  private verified = new LruMap<string, string>(CACHE_LIMIT);
  private mailboxByKey = new LruMap<string, string | null>(CACHE_LIMIT);
  rejected = 0;

  constructor(private readonly ttlMs: number) {}

  /** Does proof authorize reading and acknowledging `mailbox` at `now` (and deleting `id`, if given)? */
  async valid(proof: AckProof, mailbox: string, now: number, id?: string): Promise<boolean> {
    const ok =
      (await this.verifiedFor(proof, mailbox)) &&
      this.current(proof, now) &&
      (id === undefined || proof.ack.includes(id));
    if (!ok) this.rejected++;
    return ok;
  }

  private current(proof: AckProof, now: number): boolean {
    return proof.ts <= now + PROOF_SKEW_MS && now - proof.ts <= this.ttlMs + PROOF_SKEW_MS;
  }

  /**
   * mailbox(pk). No point checks here (they cost a scalar multiplication, about a millisecond, per
   * new key): the API refuses a small-order or invalid pk (PROTOCOL.md), and a mailbox whose key
   * is of small order can hold nothing of anyone's, since nothing can be sealed to such a key.
   */
  private mailboxOf(pkText: string): string | null {
    const known = this.mailboxByKey.get(pkText);
    if (known !== undefined) return known;
    const pk = fromB64uExact(pkText, 32);
    const mailbox = pk ? mailboxAddress(pk, nodeCrypto) : null;
    this.mailboxByKey.set(pkText, mailbox);
    return mailbox;
  }

  private async verifiedFor(proof: AckProof, mailbox: string): Promise<boolean> {
    // Only a proof that deletes comes again (with its tombstones); a plain read's is used once.
    const cacheKey =
      proof.ack.length > 0 ? `${proof.sig} ${proof.pk} ${proof.ts} ${proof.ack.join(",")}` : null;
    if (cacheKey !== null && this.verified.get(cacheKey) === mailbox) return true;
    if (this.mailboxOf(proof.pk) !== mailbox) return false;
    if (!(await verifyRetrieveAsync({ ...proof, wait: 0 }, nodeCrypto))) return false;
    if (cacheKey !== null) this.verified.set(cacheKey, mailbox);
    return true;
  }
}
