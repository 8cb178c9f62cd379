/** Serializing answers: status line, header block and body, as one write where the body is text. */
import { STATUS_CODES } from "node:http";
import type { ApiAnswer } from "../exchange";

/** What the connection adds to every answer's own headers. */
export interface Framing {
  /** The answer to a HEAD request: headers only. */
  head: boolean;
  close: boolean;
}

const statusLines = new Map<number, string>();
// Most answers share a few frozen header objects; each is serialized once.
const headerBlocks = new WeakMap<object, string>();
let dateSecond = -1;
let dateField = "";

/** The head, and the body as the answer has it (a string is written with the head, in one write). */
export function serializeAnswer(
  answer: ApiAnswer,
  framing: Framing,
): { head: string; body: Uint8Array | string | null } {
  const { status, body } = answer;
  const noBody = status === 204 || status === 304;
  let length = "";
  if (!noBody)
    length = `content-length: ${typeof body === "string" ? Buffer.byteLength(body) : (body?.byteLength ?? 0)}\r\n`;
  const head = `${statusLine(status)}${headerBlock(answer.headers)}${length}${trailingFields(framing.close)}`;
  return { head, body: framing.head || noBody ? null : body };
}

/** An answer the server gives itself (malformed request, timeout), always closing. */
export function errorAnswerText(status: number, code: string, message: string): string {
  const body = JSON.stringify({ error: { code, message } });
  return `${statusLine(status)}content-type: application/json\r\naccess-control-allow-origin: *\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${trailingFields(true)}${body}`;
}

function statusLine(status: number): string {
  let line = statusLines.get(status);
  if (line === undefined) {
    line = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Unknown"}\r\n`;
    statusLines.set(status, line);
  }
  return line;
}

function headerBlock(headers: Readonly<Record<string, string>>): string {
  let block = headerBlocks.get(headers);
  if (block !== undefined) return block;
  block = "";
  for (const [name, value] of Object.entries(headers)) block += `${name}: ${value}\r\n`;
  if (Object.isFrozen(headers)) headerBlocks.set(headers, block);
  return block;
}

function trailingFields(close: boolean): string {
  return `${dateHeader()}${close ? "connection: close\r\n" : "connection: keep-alive\r\n"}\r\n`;
}

function dateHeader(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateField = `date: ${new Date(now).toUTCString()}\r\n`;
  }
  return dateField;
}
