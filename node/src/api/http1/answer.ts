/** Serializing answers: status line, header block and body, as one write where the body is JSON. */
import { STATUS_CODES } from "node:http";
import { JsonResponse } from "../respond";

/** What the connection adds to every answer's own headers. */
export interface Framing {
  /** The answer to a HEAD request: headers only. */
  head: boolean;
  close: boolean;
}

const statusLines = new Map<number, string>();
// The JSON answers share a few frozen header objects; each is serialized once.
const headerBlocks = new WeakMap<object, string>();
let dateSecond = -1;
let dateField = "";

/** The whole answer as a string (JSON bodies) or a head and a body (other answers). */
export async function serializeAnswer(
  response: Response | JsonResponse,
  framing: Framing,
): Promise<{ head: string; body: Uint8Array | string | null }> {
  if (response instanceof JsonResponse) {
    const length = Buffer.byteLength(response.payload);
    const head = `${statusLine(response.status)}${headerBlock(response.rawHeaders)}content-length: ${length}\r\n${trailingFields(framing.close)}`;
    return { head, body: framing.head ? null : response.payload };
  }
  const bytes = response.body ? new Uint8Array(await response.arrayBuffer()) : null;
  let fields = "";
  response.headers.forEach((value, name) => {
    if (name !== "content-length" && name !== "connection" && name !== "transfer-encoding")
      fields += `${name}: ${value}\r\n`;
  });
  const noBody = response.status === 204 || response.status === 304;
  if (!noBody) fields += `content-length: ${bytes?.byteLength ?? 0}\r\n`;
  const head = `${statusLine(response.status)}${fields}${trailingFields(framing.close)}`;
  return { head, body: framing.head || noBody ? null : bytes };
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
