/**
 * The bytes of the TCP transport (docs/node-protocol.md, "Transport and framing"): JSON payloads
 * in length-prefixed frames, request/answer envelopes, and "host:port" addresses.
 */
import { FRAME_HEADER_BYTES, writeFrameHeader } from "@wisp/lib";

/** Remote reasons are short codes and messages, never stack traces. */
const MAX_REASON_CHARS = 500;

const textDecoder = new TextDecoder();

/** A frame holding `json` as UTF-8, or its payload size when that exceeds `maxBytes`. */
export function encodeFrameText(json: string, maxBytes: number): Buffer | number {
  const length = Buffer.byteLength(json);
  if (length > maxBytes) return length;
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  writeFrameHeader(frame, length, maxBytes);
  frame.write(json, FRAME_HEADER_BYTES, "utf8");
  return frame;
}

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

export function formatAddr(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

export function parseAddr(addr: string): { host: string; port: number } | null {
  const colon = addr.lastIndexOf(":");
  if (colon <= 0) return null;
  const host = addr.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const portText = addr.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  return host && port >= 1 && port <= 65535 ? { host, port } : null;
}
