/** The CLI's identity file: lib's identity-file codec (the web app's format), written with mode 0600. */
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { encodeIdentityFile, type Identity, parseIdentityFile } from "@wisp/lib";
import { UsageError } from "./args";

export function defaultIdentityPath(env: Record<string, string | undefined>): string {
  return env.WISP_IDENTITY || join(env.HOME || homedir(), ".wisp", "identity.json");
}

export async function writeIdentityFile(path: string, identity: Identity, force: boolean): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    await writeFile(path, encodeIdentityFile(identity), { mode: 0o600, flag: force ? "w" : "wx" });
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
  const parsed = parseIdentityFile(text);
  if (!parsed.ok) throw new UsageError(`${path}: ${parsed.error}`);
  return parsed.file.identity;
}
