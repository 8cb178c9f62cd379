/**
 * The payloads of the TCP transport's frames (docs/node-protocol.md, "Transport and framing"):
 * request/answer envelopes as JSON.
 */

/** Remote reasons are short codes and messages, never stack traces. */
const MAX_REASON_CHARS = 500;

const textDecoder = new TextDecoder();

export type Envelope = { i: number; q?: unknown; r?: unknown; e?: unknown };

/** The object in a frame with a valid request id, or null for anything else. */
export function parseFrame(frame: Uint8Array): Envelope | null {
  let value: unknown;
  try {
    value = JSON.parse(textDecoder.decode(frame));
  } catch {
    return null;
  }
  if (!isObject(value)) return null;
  const id = (value as Envelope).i;
  return Number.isSafeInteger(id) && id >= 0 ? (value as Envelope) : null;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function errorJson(id: number, reason: string): string {
  return JSON.stringify({ i: id, e: reason });
}

export function reasonOf(error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return reason.slice(0, MAX_REASON_CHARS);
}
