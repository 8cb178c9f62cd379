/**
 * What the CLI remembers besides its identity: my display name and the groups I am in (every
 * signed state seen, so the head can be recomputed). A JSON file next to the identity file.
 */
import { open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import {
  groupHead,
  type OwnEdit,
  type SignedGroupState,
  type VerifiedGroupState,
  verifyGroupState,
} from "@wisp/lib";
import { UsageError } from "./args";
import type { SentText } from "./sent-texts";

export interface CliState {
  profile?: { name: string; updatedAt: number };
  /** Per address, the `updatedAt` of the profile last sent there (cli/profile.ts). */
  profileSentAt?: Record<string, number>;
  /** Per group: every signed state seen, and my own changes still watched (cli/group-edits.ts). */
  groups: Record<string, { states: SignedGroupState[]; edits?: OwnEdit[] }>;
  /** Texts I sent, by envelope id, for their NACKs and receipts (cli/sent-texts.ts). */
  sent?: Record<string, SentText>;
}

const MAX_STATES_PER_GROUP = 256;

/** One state per identity: `identity.json` → `identity.state.json` beside it. */
export function statePathFor(identityPath: string): string {
  return join(dirname(identityPath), `${basename(identityPath).replace(/\.json$/, "")}.state.json`);
}

export async function readCliState(path: string): Promise<CliState> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { groups: {} };
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const data = JSON.parse(text) as CliState;
    return { ...data, groups: data.groups ?? {} };
  } catch {
    throw new UsageError(`${path} is not JSON; delete it to start over`);
  }
}

/** How long a change waits for another wisp's change to the same file before it gives up. */
const LOCK_WAIT_MS = 5_000;
/** A lock older than this was left by a wisp that died while writing: nothing holds it for longer. */
const LOCK_STALE_MS = 10_000;

/**
 * Reads the file, applies `change` and writes it, while no other wisp process (a `poll --follow`
 * beside a `send`) changes it: each change applies to what the file holds now, never to what a
 * command read before it waited on the network.
 * The file is replaced whole (written beside it, then renamed), so a crash cannot leave half of it.
 */
export async function updateCliState(path: string, change: (state: CliState) => void): Promise<CliState> {
  const lock = await takeLock(path);
  try {
    const state = await readCliState(path);
    change(state);
    const next = `${path}.next`;
    await writeFile(next, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    await rename(next, path);
    return state;
  } finally {
    await rm(lock, { force: true });
  }
}

async function takeLock(path: string): Promise<string> {
  const lock = `${path}.lock`;
  const until = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await (await open(lock, "wx", 0o600)).close();
      return lock;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST")
        throw new UsageError(`cannot lock ${path}: ${(error as Error).message}`);
    }
    if (await isStale(lock)) {
      await rm(lock, { force: true });
      continue;
    }
    if (Date.now() > until)
      throw new UsageError(`${path} is locked by another wisp; delete ${lock} if none is running`);
    await delay(5 + Math.random() * 10);
  }
}

async function isStale(lock: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(lock)).mtimeMs > LOCK_STALE_MS;
  } catch {
    return false;
  }
}

/** Keeps, per address, the later of the two profile versions sent there. */
export function mergeProfileSentAt(into: CliState, from: CliState): void {
  const merged = { ...into.profileSentAt };
  for (const [address, at] of Object.entries(from.profileSentAt ?? {}))
    merged[address] = Math.max(merged[address] ?? -1, at);
  into.profileSentAt = merged;
}

/** The verified states of a group and its head (null while its first state is missing). */
export function headOf(
  state: CliState,
  gid: string,
): { head: VerifiedGroupState | null; verified: VerifiedGroupState[] } {
  const verified = (state.groups[gid]?.states ?? []).map(verifyGroupState).filter((v) => v !== null);
  return { head: groupHead(gid, verified), verified };
}

const MAX_GROUPS_WITHOUT_ME = 8;

/**
 * States that arrived in a poll: kept for a group I know or one that names me; a stranger's
 * groups that never name me are capped (a long chain comes in parts, the first may not name me).
 */
export function receiveStates(
  state: CliState,
  gid: string,
  states: readonly SignedGroupState[],
  me: string,
): boolean {
  const known = gid in state.groups;
  const withoutMe = Object.keys(state.groups).filter(
    (g) => !headOf(state, g).head?.state.members.includes(me),
  );
  if (!known && withoutMe.length >= MAX_GROUPS_WITHOUT_ME) return false;
  return addStates(state, gid, states);
}

/** Adds states (duplicates ignored); answers whether anything new was kept. */
export function addStates(state: CliState, gid: string, states: readonly SignedGroupState[]): boolean {
  const group = (state.groups[gid] ??= { states: [] });
  const known = new Set(group.states.map((s) => s.sig));
  let added = false;
  for (const s of states) {
    if (known.has(s.sig) || group.states.length >= MAX_STATES_PER_GROUP || !verifyGroupState(s)) continue;
    group.states.push({ state: s.state, sig: s.sig });
    known.add(s.sig);
    added = true;
  }
  return added;
}
