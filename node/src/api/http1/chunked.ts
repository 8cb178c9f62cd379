/**
 * An incremental decoder of the chunked transfer coding (RFC 9112 §7.1): fed the bytes as they
 * arrive, it collects the data up to a cap and tells how many input bytes the body took.
 * Extensions are skipped; trailer fields are read and dropped.
 */

const MAX_LINE_BYTES = 4_096;
const MAX_TRAILER_BYTES = 16_384;
const HEX_SIZE = /^[0-9A-Fa-f]{1,8}$/;

type State = "size" | "data" | "data-end" | "trailer" | "done";

export type ChunkedProgress =
  /** `used` input bytes were consumed; the body is not complete yet. */
  | { kind: "more"; used: number }
  /** The body ended after `used` input bytes; what follows belongs to the next request. */
  | { kind: "done"; used: number }
  | { kind: "error"; message: string };

export class ChunkedDecoder {
  readonly chunks: Buffer[] = [];
  /** Decoded bytes seen, counted past the cap too. */
  size = 0;
  private state: State = "size";
  private remaining = 0;
  private lineBytes = 0;
  private trailerBytes = 0;
  private pendingLine = "";

  /** @param cap decoded bytes kept; beyond it the data is counted and dropped. */
  constructor(private readonly cap: number) {}

  get overflowed(): boolean {
    return this.size > this.cap;
  }

  feed(input: Buffer): ChunkedProgress {
    let at = 0;
    while (at < input.length) {
      if (this.state === "data") {
        const take = Math.min(this.remaining, input.length - at);
        this.keep(input.subarray(at, at + take));
        at += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = "data-end";
        continue;
      }
      const line = this.nextLine(input, at);
      if (line === "too long") return error("a chunk line is too long");
      if (line === null) return this.partialLine(input, at);
      at = line.next;
      const outcome = this.onLine(line.text);
      if (outcome) return outcome.kind === "done" ? { kind: "done", used: at } : outcome;
    }
    return { kind: "more", used: at };
  }

  /** The line that ends in input at or after `at` (its start may be pending from earlier reads). */
  private nextLine(input: Buffer, at: number): { text: string; next: number } | null | "too long" {
    // A CRLF may be split across two reads: the CR ended the last one.
    if (this.pendingLine.endsWith("\r") && input[at] === 0x0a) {
      return this.takeLine(this.pendingLine.slice(0, -1), at + 1);
    }
    const lineEnd = input.indexOf("\r\n", at, "latin1");
    const available = (lineEnd < 0 ? input.length : lineEnd) - at;
    if (this.lineBytes + available > MAX_LINE_BYTES) return "too long";
    if (lineEnd < 0) return null;
    return this.takeLine(this.pendingLine + input.toString("latin1", at, lineEnd), lineEnd + 2);
  }

  private takeLine(text: string, next: number): { text: string; next: number } {
    this.pendingLine = "";
    this.lineBytes = 0;
    return { text, next };
  }

  private partialLine(input: Buffer, at: number): ChunkedProgress {
    // A CR at the very end may be the first half of a CRLF split across two reads.
    this.pendingLine += input.toString("latin1", at);
    this.lineBytes += input.length - at;
    if (this.pendingLine.includes("\n")) return error("a bare LF in the chunked framing");
    return { kind: "more", used: input.length };
  }

  /** Handles one complete line; answers only when the body ends or is malformed. */
  private onLine(line: string): ChunkedProgress | null {
    if (line.includes("\r") || line.includes("\n")) return error("a bare CR or LF in the chunked framing");
    if (this.state === "data-end") {
      if (line !== "") return error("chunk data is longer than its size");
      this.state = "size";
      return null;
    }
    if (this.state === "trailer") {
      if (line === "") {
        this.state = "done";
        return { kind: "done", used: 0 };
      }
      this.trailerBytes += line.length + 2;
      return this.trailerBytes > MAX_TRAILER_BYTES ? error("the trailer section is too long") : null;
    }
    const semicolon = line.indexOf(";");
    const sizeText = (semicolon < 0 ? line : line.slice(0, semicolon)).trimEnd();
    if (!HEX_SIZE.test(sizeText)) return error("a chunk size is not hexadecimal");
    this.remaining = Number.parseInt(sizeText, 16);
    this.state = this.remaining === 0 ? "trailer" : "data";
    return null;
  }

  private keep(data: Buffer): void {
    const room = this.cap + 1 - this.size;
    this.size += data.length;
    if (room <= 0) return;
    // Copied: the socket's buffer may be reused once this read returns.
    this.chunks.push(Buffer.from(data.subarray(0, Math.min(room, data.length))));
  }
}

function error(message: string): ChunkedProgress {
  return { kind: "error", message };
}
