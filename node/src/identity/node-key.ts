/**
 * The node's Ed25519 key: its Noise static key and its ring identity. Kept in a key file (the
 * 32-byte seed as b64u, mode 0600) so a node keeps its position across restarts; without one a
 * node makes a fresh key at each start. A key must solve the ring's puzzle (node-id.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { fromB64uExact, toB64u } from "@wisp/lib";
import curve from "noise-curve-ed";
import sodium from "sodium-universal";
import { unoptimized } from "../unoptimized";
import { checkPuzzleBits, leadingZeroBits, PUZZLE_DOMAIN, solvesPuzzle } from "./node-id";

export interface NodeKey {
  publicKey: Uint8Array;
  /** libsodium's 64-byte form: seed || public key. */
  secretKey: Uint8Array;
  /** b64u of publicKey: the node's key as GET /v1/node and refs write it. */
  key: string;
}

/** A bound on the search, so that a bad setting fails instead of spinning: ~2^24 tries. */
const MAX_TRIES = 1 << 24;

export function nodeKeyFromSeed(seed: Uint8Array): NodeKey {
  if (seed.length !== 32) throw new RangeError(`node key seed expected 32 bytes, got ${seed.length}`);
  const pair = curve.generateKeyPair(Buffer.from(seed));
  return { publicKey: pair.publicKey, secretKey: pair.secretKey, key: toB64u(pair.publicKey) };
}

/**
 * A fresh key that solves a puzzle of `puzzleBits`. The ~8,000 tries reuse one set of buffers (a key
 * pair and a hash object per try left ~4 MiB of idle RSS behind) and run without TurboFan (unoptimized.ts).
 */
export function generateNodeKey(puzzleBits: number): NodeKey {
  checkPuzzleBits(puzzleBits);
  return unoptimized(() => grind(puzzleBits));
}

function grind(puzzleBits: number): NodeKey {
  const hashed = Buffer.alloc(PUZZLE_DOMAIN.length + 32);
  PUZZLE_DOMAIN.copy(hashed);
  const publicKey = hashed.subarray(PUZZLE_DOMAIN.length);
  const secretKey = Buffer.alloc(64);
  const digest = Buffer.alloc(32);
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    sodium.crypto_sign_keypair(publicKey, secretKey);
    sodium.crypto_hash_sha256(digest, hashed);
    if (leadingZeroBits(digest) >= puzzleBits) return nodeKeyFromSeed(secretKey.subarray(0, 32));
  }
  throw new Error(`no key solving a ${puzzleBits}-bit puzzle in ${MAX_TRIES} tries`);
}

/** The key in `file`, or a new one written there (mode 0600) when the file does not exist. */
export function loadOrCreateNodeKey(file: string, puzzleBits: number): NodeKey {
  const existing = readKeyFile(file);
  if (existing) {
    if (!solvesPuzzle(existing.publicKey, puzzleBits))
      throw new Error(`the key in ${file} does not solve the ring's ${puzzleBits}-bit puzzle`);
    return existing;
  }
  const key = generateNodeKey(puzzleBits);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const seed = toB64u(key.secretKey.subarray(0, 32));
  // "wx": two nodes started on one data dir must not each write a key for the other to overwrite.
  fs.writeFileSync(file, `${seed}\n`, { mode: 0o600, flag: "wx" });
  return key;
}

function readKeyFile(file: string): NodeKey | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const seed = fromB64uExact(text.trim(), 32);
  if (!seed) throw new Error(`${file} does not hold a node key (b64u of a 32-byte seed)`);
  return nodeKeyFromSeed(seed);
}

/** Where the node key lives: the key file if set, else node.key in the data dir, else nowhere. */
export function keyFilePath(
  keyFile: string | null | undefined,
  dataDir: string | null | undefined,
): string | null {
  if (keyFile) return keyFile;
  return dataDir ? path.join(dataDir, "node.key") : null;
}
