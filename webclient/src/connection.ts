/** How the app talks about its link to the node, and how long it waits before trying again. */

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "offline";

/** After this many failures in a row the node counts as gone, not just briefly unreachable. */
export const OFFLINE_AFTER_FAILURES = 3;
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_MAX_MS = 30_000;

export function connectionState(
  consecutiveFailures: number,
  everConnected: boolean,
  online: boolean,
): ConnectionState {
  if (!online) return "offline";
  if (consecutiveFailures === 0) return everConnected ? "connected" : "connecting";
  if (consecutiveFailures >= OFFLINE_AFTER_FAILURES) return "offline";
  return "reconnecting";
}

/** Exponential backoff with full jitter in its upper half, so many clients do not retry in step. */
export function backoffMs(consecutiveFailures: number, random: () => number = Math.random): number {
  if (consecutiveFailures <= 0) return 0;
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(consecutiveFailures - 1, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
