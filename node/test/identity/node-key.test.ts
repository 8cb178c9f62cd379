import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { nodeIdOf, puzzleBitsOf, solvesPuzzle } from "../../src/identity/node-id";
import {
  generateNodeKey,
  keyFilePath,
  loadOrCreateNodeKey,
  nodeKeyFromSeed,
} from "../../src/identity/node-key";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wisp-key-"));
  dirs.push(dir);
  return dir;
};

describe("node keys", () => {
  it("creates a key file with mode 0600 when missing and reads the same key back", () => {
    const file = path.join(tempDir(), "sub", "node.key");
    const created = loadOrCreateNodeKey(file, 4);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(puzzleBitsOf(created.publicKey)).toBeGreaterThanOrEqual(4);
    expect(loadOrCreateNodeKey(file, 4).key).toBe(created.key);
  });

  it("refuses a key file that is not a key, or whose key does not solve the ring's puzzle", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "bad.key"), "not a key\n");
    expect(() => loadOrCreateNodeKey(path.join(dir, "bad.key"), 0)).toThrow(/does not hold a node key/);
    let weak = generateNodeKey(0);
    while (puzzleBitsOf(weak.publicKey) >= 8) weak = generateNodeKey(0);
    fs.writeFileSync(
      path.join(dir, "weak.key"),
      `${Buffer.from(weak.secretKey.subarray(0, 32)).toString("base64url")}\n`,
    );
    expect(() => loadOrCreateNodeKey(path.join(dir, "weak.key"), 8)).toThrow(/does not solve/);
  });

  it("puts the key in the data dir unless a key file is named", () => {
    expect(keyFilePath("/k/node.key", "/data")).toBe("/k/node.key");
    expect(keyFilePath(null, "/data")).toBe(path.join("/data", "node.key"));
    expect(keyFilePath(null, null)).toBeNull();
  });

  it("derives the same key from a seed, and a ring id bound to key and IP", () => {
    const key = generateNodeKey(0);
    expect(nodeKeyFromSeed(key.secretKey.subarray(0, 32)).key).toBe(key.key);
    const other = generateNodeKey(0);
    const ip = Uint8Array.from([127, 0, 0, 1]);
    expect(nodeIdOf(key.publicKey, ip)).toBe(nodeIdOf(key.publicKey, ip));
    expect(nodeIdOf(key.publicKey, ip)).not.toBe(nodeIdOf(other.publicKey, ip));
    expect(nodeIdOf(key.publicKey, ip)).not.toBe(nodeIdOf(key.publicKey, Uint8Array.from([127, 0, 0, 2])));
  });

  it("generates keys that solve the puzzle asked, and checks it", () => {
    const key = generateNodeKey(10);
    expect(solvesPuzzle(key.publicKey, 10)).toBe(true);
    expect(puzzleBitsOf(key.publicKey)).toBeGreaterThanOrEqual(10);
    expect(nodeKeyFromSeed(key.secretKey.subarray(0, 32)).key).toBe(key.key);
    expect(generateNodeKey(4).key).not.toBe(generateNodeKey(4).key);
    expect(() => generateNodeKey(33)).toThrow(RangeError);
  });
});
