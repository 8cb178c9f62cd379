/**
 * What the CLI remembers besides its identity: my display name and the groups I am in (every
 * signed state seen, so the head can be recomputed). A JSON file next to the identity file.
 */
import { readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
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

export async function writeCliState(path: string, state: CliState): Promise<void> {
  await writeFile(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/**
 * Reads the file again, applies `change` and writes it: for a command that read the state, then
 * waited on the network, while another wisp process (a `poll --follow`) may have written it.
 */
export async function updateCliState(path: string, change: (state: CliState) => void): Promise<void> {
  const state = await readCliState(path);
  change(state);
  await writeCliState(path, state);
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
