/**
 * Maintenance timings from the environment, for test rings and soaks that need a ring to notice
 * crashes and repair in seconds: WISP_STABILIZE_MS (Chord stabilize and fix-fingers; the
 * predecessor check runs at twice it) and WISP_REPAIR_MS (the store's repair round; expired
 * copies and stray entries are kept twice it). Unset keeps the defaults. Not part of PROTOCOL.md.
 */
import type { ChordOptions } from "./chord/chord-node";
import type { MailboxOptions } from "./store/options";

export interface Tuning {
  chord: Partial<Omit<ChordOptions, "addr">>;
  mailbox: Partial<MailboxOptions>;
}

export type TuningResult = { ok: true; tuning: Tuning } | { ok: false; error: string };

const MIN_MS = 10;
const MAX_MS = 3_600_000;

export function tuningFromEnv(env: Record<string, string | undefined>): TuningResult {
  const tuning: Tuning = { chord: {}, mailbox: {} };
  const stabilize = readMs(env, "WISP_STABILIZE_MS");
  if (typeof stabilize === "string") return { ok: false, error: stabilize };
  if (stabilize !== null)
    tuning.chord = { stabilizeMs: stabilize, fixFingersMs: stabilize, checkPredecessorMs: 2 * stabilize };
  const repair = readMs(env, "WISP_REPAIR_MS");
  if (typeof repair === "string") return { ok: false, error: repair };
  if (repair !== null) tuning.mailbox = { repairMs: repair };
  return { ok: true, tuning };
}

/** The value in ms, null when unset, or the error sentence. */
function readMs(env: Record<string, string | undefined>, name: string): number | null | string {
  const text = env[name]?.trim();
  if (text === undefined || text === "") return null;
  if (!/^\d+$/.test(text)) return `${name} expected an integer, got "${env[name]}"`;
  const value = Number(text);
  if (value < MIN_MS || value > MAX_MS) return `${name} expected ${MIN_MS}..${MAX_MS}, got ${value}`;
  return value;
}
