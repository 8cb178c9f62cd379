/**
 * Node references as peers send them, checked (docs/security.md, "Ring positions"): a ref is
 * `{"id","addr","key"}`, and it is believed only when `addr` is a canonical literal address, `key`
 * an Ed25519 key that solves the ring's puzzle, and `id` = SHA-256("wisp/node-id/v1" || key || ip).
 * A ring's refs repeat endlessly, so each verified ref is remembered by this instance (one per node).
 */
import { fromB64uExact, idFromHex, idToHex } from "@wisp/lib";
import { parseNodeAddr } from "../identity/addr";
import { nodeIdOf, solvesPuzzle } from "../identity/node-id";
import { LruMap } from "../lru";
import type { NodeRef } from "./ring";

export const MAX_ADDR_LENGTH = 64;
const CACHE_LIMIT = 16_384;

export interface WireRef {
  id: string;
  addr: string;
  key: string;
}

export function encodeRef(node: NodeRef): WireRef {
  return { id: idToHex(node.id), addr: node.addr, key: node.key };
}

export function encodeRefs(nodes: readonly NodeRef[]): WireRef[] {
  return nodes.map(encodeRef);
}

export class RefVerifier {
  /** Verified refs by `${id} ${key} ${addr}`. */
  private verified = new LruMap<string, NodeRef>(CACHE_LIMIT);

  constructor(readonly puzzleBits: number) {}

  /** The ref in value, or a sentence saying why it is not believed. */
  parse(value: unknown, field: string): NodeRef | string {
    if (typeof value !== "object" || value === null) return `"${field}" expected an object {id, addr, key}`;
    const { id, addr, key } = value as Record<string, unknown>;
    if (typeof addr !== "string" || typeof key !== "string" || typeof id !== "string")
      return `"${field}" expected string fields id, addr and key`;
    const cacheKey = `${id} ${key} ${addr}`;
    const cached = this.verified.get(cacheKey);
    if (cached) return cached;
    const ref = this.check(id, addr, key, field);
    if (typeof ref === "string") return ref;
    this.verified.set(cacheKey, ref);
    return ref;
  }

  /** A ref for a node whose key and address a link proved. */
  refOf(key: string, addr: string): NodeRef | null {
    const parsed = parseNodeAddr(addr);
    const keyBytes = fromB64uExact(key, 32);
    if (!parsed || !keyBytes) return null;
    return { id: nodeIdOf(keyBytes, parsed.ip), addr, key };
  }

  private check(id: string, addr: string, key: string, field: string): NodeRef | string {
    if (addr.length > MAX_ADDR_LENGTH)
      return `"${field}.addr" expected at most ${MAX_ADDR_LENGTH} characters`;
    const parsed = parseNodeAddr(addr);
    if (!parsed) return `"${field}.addr" is not a canonical literal address`;
    const keyBytes = fromB64uExact(key, 32);
    if (!keyBytes) return `"${field}.key" expected b64u of 32 bytes`;
    const parsedId = idFromHex(id);
    if (parsedId === null) return `"${field}.id" expected 64 lowercase hex characters`;
    if (!solvesPuzzle(keyBytes, this.puzzleBits)) return `"${field}.key" does not solve the ring's puzzle`;
    if (parsedId !== nodeIdOf(keyBytes, parsed.ip))
      return `"${field}.id" is not bound to its key and address`;
    return { id: parsedId, addr, key };
  }
}
