/** Serializing answers: status line, header block and body, as one write where the body is text. */
import type { ApiAnswer } from "../exchange";
import { reasonPhrase } from "./reason-phrases";

/** What the connection adds to every answer's own headers. */
interface Framing {
  /** The answer to a HEAD request: headers only. */
  head: boolean;
  close: boolean;
}

/**
 * Writes the answers of one server. Most answers share a few frozen header objects, each
 * serialized once; the Date field is made once a second.
 */
export class AnswerWriter {
  private headerBlocks = new WeakMap<object, string>();
  private dateSecond = -1;
  private dateField = "";

  /** `fixed`: header lines added to every answer (HSTS over TLS), each ending in CRLF. */
  constructor(private readonly fixed = "") {}

  /** The head, and the body as the answer has it (a string is written with the head, in one write). */
  serialize(answer: ApiAnswer, framing: Framing): { head: string; body: Uint8Array | string | null } {
    const { status, body } = answer;
    const noBody = status === 204 || status === 304;
    const length = noBody ? "" : `content-length: ${bodyBytes(body)}\r\n`;
    const head = `${statusLine(status)}${this.headerBlock(answer.headers)}${this.fixed}${length}${this.trailingFields(framing.close)}`;
    return { head, body: framing.head || noBody ? null : body };
  }

  /** An answer the server gives itself (malformed request, timeout), always closing. */
  errorText(status: number, code: string, message: string): string {
    const body = JSON.stringify({ error: { code, message } });
    return `${statusLine(status)}content-type: application/json\r\naccess-control-allow-origin: *\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${this.trailingFields(true)}${body}`;
  }

  private headerBlock(headers: Readonly<Record<string, string>>): string {
    let block = this.headerBlocks.get(headers);
    if (block !== undefined) return block;
    block = "";
    for (const [name, value] of Object.entries(headers)) block += `${name}: ${value}\r\n`;
    if (Object.isFrozen(headers)) this.headerBlocks.set(headers, block);
    return block;
  }

  private trailingFields(close: boolean): string {
    return `${this.dateHeader()}${close ? "connection: close\r\n" : "connection: keep-alive\r\n"}\r\n`;
  }

  private dateHeader(): string {
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (second !== this.dateSecond) {
      this.dateSecond = second;
      this.dateField = `date: ${new Date(now).toUTCString()}\r\n`;
    }
    return this.dateField;
  }
}

function bodyBytes(body: ApiAnswer["body"]): number {
  return typeof body === "string" ? Buffer.byteLength(body) : (body?.byteLength ?? 0);
}

function statusLine(status: number): string {
  return `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n`;
}
