/**
 * Length-prefixed frames for node-to-node streams: a u32 big-endian payload length, then the
 * payload. The streaming decoder returns hostile input as an error value and refuses an oversized
 * length prefix before it allocates anything.
 */

/** Bytes of the length prefix in front of every frame. */
export const FRAME_HEADER_BYTES = 4;

const MAX_U32 = 0xffff_ffff;

/** What `FrameDecoder.push` yields: every payload completed so far, or why the stream is bad. */
export type FrameResult = { ok: true; frames: Uint8Array[] } | { ok: false; error: string };

function checkMaxBytes(maxBytes: number): void {
  if (!Number.isInteger(maxBytes) || maxBytes < 0 || maxBytes > MAX_U32) {
    throw new RangeError(`maxBytes must be an integer in [0, ${MAX_U32}], got ${maxBytes}`);
  }
}

function tooLarge(length: number, maxBytes: number): string {
  return `frame of ${length} bytes exceeds the ${maxBytes}-byte limit`;
}

/**
 * Writes the length prefix of a `payloadLength`-byte frame into `target[0..4)`, so a caller can
 * encode a payload straight behind it without a second copy. Throws RangeError when the payload
 * exceeds `maxBytes`.
 */
export function writeFrameHeader(target: Uint8Array, payloadLength: number, maxBytes: number): void {
  checkMaxBytes(maxBytes);
  if (!Number.isInteger(payloadLength) || payloadLength < 0) {
    throw new RangeError(`payload length must be a non-negative integer, got ${payloadLength}`);
  }
  if (payloadLength > maxBytes) throw new RangeError(tooLarge(payloadLength, maxBytes));
  if (target.length < FRAME_HEADER_BYTES) {
    throw new RangeError(`frame header needs ${FRAME_HEADER_BYTES} bytes, got ${target.length}`);
  }
  target[0] = payloadLength >>> 24;
  target[1] = (payloadLength >>> 16) & 0xff;
  target[2] = (payloadLength >>> 8) & 0xff;
  target[3] = payloadLength & 0xff;
}

/** One frame: the length prefix followed by `payload`. Throws RangeError when it exceeds `maxBytes`. */
export function encodeFrame(payload: Uint8Array, maxBytes: number): Uint8Array {
  if (!(payload instanceof Uint8Array)) throw new RangeError("payload must be a Uint8Array");
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(frame, payload.length, maxBytes);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

function readU32(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0
  );
}

/**
 * Splits a byte stream into frame payloads. Chunks may end anywhere: inside a length prefix,
 * inside a payload, or hold several frames. It holds at most one partial frame, and only the bytes
 * that arrived of it: a peer that announces a large frame and sends little makes it hold little
 * (no allocation at the announced size). Payloads that arrive whole inside one chunk are returned
 * as views of that chunk, without a copy. After an error every later push returns it too.
 */
export class FrameDecoder {
  private readonly header = new Uint8Array(FRAME_HEADER_BYTES);
  private headerFill = 0;
  /** The announced length of the partial payload, or -1 between frames. */
  private bodyLength = -1;
  private parts: Uint8Array[] = [];
  private bodyFill = 0;
  private failure: string | null = null;
  /** Read position in the chunk being pushed; a field so reading a prefix allocates nothing. */
  private cursor = 0;

  constructor(readonly maxBytes: number) {
    checkMaxBytes(maxBytes);
  }

  /** Bytes held of the frame in progress (0 between frames). */
  get buffered(): number {
    return this.bodyLength >= 0 ? this.bodyFill : this.headerFill;
  }

  push(chunk: Uint8Array): FrameResult {
    if (this.failure !== null) return { ok: false, error: this.failure };
    const frames: Uint8Array[] = [];
    this.cursor = 0;
    while (this.cursor < chunk.length) {
      if (this.bodyLength < 0) {
        const length = this.readLength(chunk);
        if (length < 0) break; // the prefix continues in the next chunk
        if (length > this.maxBytes) return this.fail(tooLarge(length, this.maxBytes));
        if (chunk.length - this.cursor >= length) {
          frames.push(chunk.subarray(this.cursor, this.cursor + length));
          this.cursor += length;
          continue;
        }
        this.bodyLength = length;
        this.bodyFill = 0;
      }
      const take = Math.min(chunk.length - this.cursor, this.bodyLength - this.bodyFill);
      // A copy: the caller may reuse the chunk's memory once push returns.
      this.parts.push(chunk.slice(this.cursor, this.cursor + take));
      this.bodyFill += take;
      this.cursor += take;
      if (this.bodyFill === this.bodyLength) {
        frames.push(this.joinParts());
        this.bodyLength = -1;
      }
    }
    return { ok: true, frames };
  }

  /** The next length prefix, advancing the cursor past it, or -1 when the chunk ends inside it. */
  private readLength(chunk: Uint8Array): number {
    if (this.headerFill === 0 && chunk.length - this.cursor >= FRAME_HEADER_BYTES) {
      this.cursor += FRAME_HEADER_BYTES;
      return readU32(chunk, this.cursor - FRAME_HEADER_BYTES);
    }
    const take = Math.min(chunk.length - this.cursor, FRAME_HEADER_BYTES - this.headerFill);
    this.header.set(chunk.subarray(this.cursor, this.cursor + take), this.headerFill);
    this.headerFill += take;
    this.cursor += take;
    if (this.headerFill < FRAME_HEADER_BYTES) return -1;
    this.headerFill = 0;
    return readU32(this.header, 0);
  }

  private joinParts(): Uint8Array {
    const parts = this.parts;
    this.parts = [];
    if (parts.length === 1) return parts[0];
    const body = new Uint8Array(this.bodyLength);
    let at = 0;
    for (const part of parts) {
      body.set(part, at);
      at += part.length;
    }
    return body;
  }

  private fail(error: string): FrameResult {
    this.failure = error;
    this.bodyLength = -1;
    this.parts = [];
    this.headerFill = 0;
    return { ok: false, error };
  }
}
