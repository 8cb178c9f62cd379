/** The CLI's identity file: the web app's export format (kind "wisp-identity"), written with mode 0600. */
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fromB64uExact, type Identity, identityFromSeed, toB64u } from "@wisp/lib";
import { UsageError } from "./args";

export function defaultIdentityPath(env: Record<string, string | undefined>): string {
  return env.WISP_IDENTITY || join(env.HOME || homedir(), ".wisp", "identity.json");
}

export function identityFileText(identity: Identity): string {
  const file = {
    kind: "wisp-identity",
    v: 1,
    address: identity.address,
    seed: toB64u(identity.seed),
    contacts: [],
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

export async function writeIdentityFile(path: string, identity: Identity, force: boolean): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    await writeFile(path, identityFileText(identity), { mode: 0o600, flag: force ? "w" : "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new UsageError(`${path} exists already; pass --force to replace it (the old identity is lost)`);
    }
    throw error;
  }
  // An existing file keeps its mode on overwrite; the seed must never be readable by others.
  await chmod(path, 0o600);
}

export async function readIdentityFile(path: string): Promise<Identity> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new UsageError(`no identity at ${path}; run \`wisp keygen\` first`);
    }
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not JSON; expected a Wisp identity file`);
  }
  if (typeof data !== "object" || data === null || data.kind !== "wisp-identity") {
    throw new UsageError(`${path} is not a Wisp identity file (no "kind": "wisp-identity")`);
  }
  const seed = typeof data.seed === "string" ? fromB64uExact(data.seed, 32) : null;
  if (!seed) throw new UsageError(`${path}: "seed" expected 32 bytes of base64url`);
  const identity = identityFromSeed(seed);
  if (typeof data.address === "string" && data.address !== identity.address) {
    throw new UsageError(`${path}: "address" does not match the seed; the file is damaged`);
  }
  return identity;
}
