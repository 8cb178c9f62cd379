/**
 * One HTTP/1.1 connection: reads request heads and bodies from the socket, hands each complete
 * request to the API, writes the answer, and keeps the connection alive or closes it. Requests
 * are answered one at a time in order; pipelined ones wait in the buffer (bounded).
 */

import type { Socket } from "node:net";
import type { ApiHandler } from "../context";
import type { ApiAnswer } from "../exchange";
import type { AnswerWriter } from "./answer";
import { ChunkedDecoder } from "./chunked";
import { Http1Request } from "./http1-request";
import { parseRequestHead, type RequestHead } from "./request-head";

interface ConnectionLimits {
  /** Largest request head (request line and fields) in bytes; longer heads are answered 431. */
  maxHeadBytes: number;
  /** Largest body buffered before the route runs; a longer one reaches it cut (bodyComplete false). */
  maxBodyBytes: number;
}

/** What the server's sweep compares with its timeouts. */
type Phase = "idle" | "receiving" | "busy";

const CRLF2 = "\r\n\r\n";
const LINGER_MS = 2_000;

export class Http1Connection {
  phase: Phase = "idle";
  /** Date.now() when the current phase (or, while receiving, the current request) began. */
  since = Date.now();
  /** Whether this connection has answered a request yet: the first request has the headers timeout. */
  served = false;
  /** Bytes received and not parsed yet; joined into `buffer` only while parsing. */
  private chunks: Buffer[] = [];
  private size = 0;
  /** The last 3 bytes received, so a CRLFCRLF split across reads is seen. */
  private tail = "";
  private buffer: Buffer | null = null;
  private head: RequestHead | null = null;
  private decoder: ChunkedDecoder | null = null;
  private current: Http1Request | null = null;
  private peerEnded = false;
  private closed = false;
  private readonly clientAddr: string;

  constructor(
    private readonly socket: Socket,
    private readonly handler: ApiHandler,
    private readonly limits: ConnectionLimits,
    private readonly writer: AnswerWriter,
    private readonly log: (message: string) => void,
  ) {
    // Read once: a closed socket forgets it. The API finds the client's group (client-address.ts).
    this.clientAddr = socket.remoteAddress ?? "";
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("end", () => this.onEnd());
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.onClose());
  }

  /** True while the head of the current request is parsed and its body is still arriving. */
  get headParsed(): boolean {
    return this.head !== null;
  }

  /** Answers 408 to a request that is too slow to arrive, or drops an idle or stuck connection. */
  timedOut(): void {
    if (this.phase !== "receiving") return void this.socket.destroy();
    this.fail(408, "the request did not arrive in time");
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    if (this.phase === "idle") this.enter("receiving");
    const seam = this.tail;
    this.chunks.push(chunk);
    this.size += chunk.length;
    this.tail = lastBytes(seam, chunk);
    if (this.phase === "busy") {
      if (this.size > this.limits.maxHeadBytes + this.limits.maxBodyBytes) this.socket.pause();
      return;
    }
    if (!this.worthParsing(seam, chunk)) return;
    this.process();
  }

  /**
   * Whether the bytes received complete what the parser waits for. Until they do, chunks are only
   * collected: a request trickled in many small reads is joined once, not once per read.
   */
  private worthParsing(seam: string, chunk: Buffer): boolean {
    if (this.head === null) {
      if (this.size > this.limits.maxHeadBytes) return true;
      if (chunk.indexOf(CRLF2, 0, "latin1") >= 0) return true;
      return `${seam}${chunk.toString("latin1", 0, 3)}`.includes(CRLF2);
    }
    return this.decoder !== null || this.size >= (this.head.contentLength as number);
  }

  /** Parses as far as the buffer goes; dispatches a request once it is complete. */
  private process(): void {
    this.buffer = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.chunks = [];
    this.size = 0;
    this.parse();
    if (this.buffer === null) return;
    this.chunks.push(this.buffer);
    this.size = this.buffer.length;
    this.tail = lastBytes("", this.buffer);
    this.buffer = null;
  }

  private parse(): void {
    while (!this.closed && this.phase !== "busy") {
      if (this.head === null) {
        if (this.buffer === null || !this.readHead()) return;
        continue;
      }
      if (this.buffer === null || !this.readBody()) return;
    }
  }

  private readHead(): boolean {
    this.dropBlankLines();
    const buffer = this.buffer;
    if (buffer === null) return false;
    const end = buffer.indexOf(CRLF2, 0, "latin1");
    if (end < 0 ? buffer.length > this.limits.maxHeadBytes : end > this.limits.maxHeadBytes) {
      this.fail(431, "the request head is too long");
      return false;
    }
    if (end < 0) return false;
    const parsed = parseRequestHead(buffer.toString("latin1", 0, end));
    if (!parsed.ok) {
      this.fail(parsed.status, parsed.message);
      return false;
    }
    this.head = parsed.head;
    this.consume(end + 4);
    const { contentLength, chunked, expectContinue } = parsed.head;
    if (chunked) this.decoder = new ChunkedDecoder(this.limits.maxBodyBytes);
    else if (contentLength === null || contentLength === 0) this.dispatch(NO_BODY, true);
    else if (contentLength > this.limits.maxBodyBytes) this.dispatch(NO_BODY, false);
    else if (expectContinue && (this.buffer?.length ?? 0) < contentLength)
      this.socket.write("HTTP/1.1 100 Continue\r\n\r\n");
    return true;
  }

  /** RFC 9112 §2.2: empty lines before a request line are ignored; dropped, they cannot pile up. */
  private dropBlankLines(): void {
    const buffer = this.buffer as Buffer;
    let start = 0;
    while (buffer.length >= start + 2 && buffer[start] === 13 && buffer[start + 1] === 10) start += 2;
    if (start > 0) this.consume(start);
  }

  private readBody(): boolean {
    const head = this.head as RequestHead;
    if (this.decoder === null) {
      const length = head.contentLength as number;
      if (this.buffer === null || this.buffer.length < length) return false;
      const body = this.buffer.length === length ? this.buffer : this.buffer.subarray(0, length);
      this.consume(length);
      this.dispatch(body, true);
      return true;
    }
    const progress = this.decoder.feed(this.buffer as Buffer);
    if (progress.kind === "error") {
      this.fail(400, `malformed chunked body: ${progress.message}`);
      return false;
    }
    this.consume(progress.used);
    if (progress.kind === "done") {
      this.dispatch(Buffer.concat(this.decoder.chunks), true);
      return true;
    }
    if (this.decoder.overflowed) this.dispatch(Buffer.concat(this.decoder.chunks), false);
    return false;
  }

  private consume(bytes: number): void {
    const buffer = this.buffer as Buffer;
    this.buffer = bytes >= buffer.length ? null : buffer.subarray(bytes);
  }

  private dispatch(body: Uint8Array, bodyRead: boolean): void {
    const request = new Http1Request(this.head as RequestHead, body, bodyRead);
    this.current = request;
    this.enter("busy");
    let answered: Promise<ApiAnswer>;
    try {
      answered = this.handler(request, { clientAddr: this.clientAddr });
    } catch (error) {
      answered = Promise.reject(error);
    }
    answered
      .then((response) => this.answer(request, response, bodyRead))
      .catch((error: Error) => {
        this.log(`http handler failed: ${error?.message}`);
        this.fail(500, "the node failed to answer", "internal");
      });
  }

  private answer(request: Http1Request, response: ApiAnswer, bodyRead: boolean): void {
    const head = this.head as RequestHead;
    if (this.closed) return;
    if (this.peerEnded && request.watched) return void this.socket.destroy();
    const close = !bodyRead || !head.keepAlive || this.peerEnded;
    const { head: text, body } = this.writer.serialize(response, { head: head.method === "HEAD", close });
    if (typeof body === "string") this.socket.write(text + body);
    else {
      this.socket.cork();
      this.socket.write(text);
      if (body !== null && body.byteLength > 0) this.socket.write(body);
      this.socket.uncork();
    }
    this.served = true;
    this.head = null;
    this.decoder = null;
    this.current = null;
    if (close) {
      this.closeAfterWrite(bodyRead);
      return;
    }
    this.enter(this.size === 0 ? "idle" : "receiving");
    if (this.socket.isPaused()) this.socket.resume();
    if (this.size === 0) return;
    if (this.socket.writableNeedDrain) this.socket.once("drain", () => this.process());
    else this.process();
  }

  private closeAfterWrite(bodyRead: boolean): void {
    this.closed = true;
    this.socket.end();
    // A body we never read may still be arriving: drop the socket soon instead of draining it.
    if (!bodyRead) setTimeout(() => this.socket.destroy(), LINGER_MS).unref();
  }

  /** Answers an error the server finds itself and closes the connection. */
  private fail(status: number, message: string, code = "bad_request"): void {
    if (this.closed) return;
    this.closed = true;
    this.current?.abort(new Error(message));
    if (!this.socket.writable) return void this.socket.destroy();
    this.socket.end(this.writer.errorText(status, code, message));
    setTimeout(() => this.socket.destroy(), LINGER_MS).unref();
  }

  private onEnd() {
    this.peerEnded = true;
    if (this.phase === "busy") return this.current?.abort(new Error("the client went away"));
    if (this.head !== null) return this.fail(400, "the request body broke off before its end");
    if (this.size > 0) return this.fail(400, "malformed HTTP request");
    this.closed = true;
    this.socket.end();
  }

  private onClose(): void {
    this.closed = true;
    this.current?.abort(new Error("the client went away"));
    this.current = null;
  }

  private enter(phase: Phase): void {
    this.phase = phase;
    this.since = Date.now();
  }
}

const NO_BODY = new Uint8Array(0);

function lastBytes(before: string, chunk: Buffer): string {
  if (chunk.length >= 3) return chunk.toString("latin1", chunk.length - 3);
  return `${before}${chunk.toString("latin1")}`.slice(-3);
}
