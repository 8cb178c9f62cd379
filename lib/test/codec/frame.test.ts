import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { concatBytes, toHex, utf8 } from "../../src/bytes";
import { encodeFrame, FRAME_HEADER_BYTES, FrameDecoder, writeFrameHeader } from "../../src/codec/frame";

const MiB4 = 4 * 1024 * 1024;

/** Cuts `bytes` at the given points (sorted, deduplicated, clamped), keeping empty pieces too. */
function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    pieces.push(bytes.subarray(start, point));
    start = point;
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}

type Decoded = { frames: Uint8Array[]; error: string | null };

function decodeAll(pieces: Uint8Array[], maxBytes: number): Decoded {
  const decoder = new FrameDecoder(maxBytes);
  const frames: Uint8Array[] = [];
  for (const piece of pieces) {
    const result = decoder.push(piece);
    if (!result.ok) return { frames, error: result.error };
    // Copy: payloads may be views of the pushed chunk.
    for (const frame of result.frames) frames.push(frame.slice());
  }
  return { frames, error: null };
}

/** Reference parser over the whole stream at once. */
function referenceDecode(bytes: Uint8Array, maxBytes: number): Decoded {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: Uint8Array[] = [];
  let offset = 0;
  while (bytes.length - offset >= FRAME_HEADER_BYTES) {
    const length = view.getUint32(offset);
    if (length > maxBytes)
      return { frames, error: `frame of ${length} bytes exceeds the ${maxBytes}-byte limit` };
    if (bytes.length - offset - FRAME_HEADER_BYTES < length) break;
    frames.push(bytes.slice(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + length));
    offset += FRAME_HEADER_BYTES + length;
  }
  return { frames, error: null };
}

const payloads = fc.array(fc.uint8Array({ minLength: 0, maxLength: 300 }), { maxLength: 12 });

describe("encodeFrame", () => {
  it("prefixes the payload with its u32 big-endian length", () => {
    expect(toHex(encodeFrame(utf8("hi"), 10))).toBe("000000026869");
    expect(toHex(encodeFrame(new Uint8Array(0), 0))).toBe("00000000");
    const header = new Uint8Array(4);
    writeFrameHeader(header, 0x01020304, 0xffffffff);
    expect(toHex(header)).toBe("01020304");
  });

  it("throws RangeError on misuse", () => {
    expect(() => encodeFrame(new Uint8Array(11), 10)).toThrow(
      new RangeError("frame of 11 bytes exceeds the 10-byte limit"),
    );
    expect(() => encodeFrame(new Uint8Array(1), -1)).toThrow(RangeError);
    expect(() => encodeFrame(new Uint8Array(1), 1.5)).toThrow(RangeError);
    expect(() => encodeFrame(new Uint8Array(1), 2 ** 32)).toThrow(RangeError);
    expect(() => encodeFrame("hi" as unknown as Uint8Array, 10)).toThrow(RangeError);
    expect(() => writeFrameHeader(new Uint8Array(3), 1, 10)).toThrow(RangeError);
    expect(() => new FrameDecoder(-5)).toThrow(RangeError);
  });
});

describe("FrameDecoder", () => {
  it("round-trips random payload lists over random chunkings", () => {
    fc.assert(
      fc.property(payloads, fc.array(fc.nat(4000), { maxLength: 20 }), (list, cuts) => {
        const stream = concatBytes(...list.map((p) => encodeFrame(p, 300)));
        const decoded = decodeAll(chunked(stream, cuts), 300);
        expect(decoded.error).toBeNull();
        expect(decoded.frames).toEqual(list);
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips when the stream is cut at every single point, and byte by byte", () => {
    fc.assert(
      fc.property(payloads, (list) => {
        const stream = concatBytes(...list.map((p) => encodeFrame(p, 300)));
        for (let cut = 0; cut <= stream.length; cut++) {
          expect(decodeAll(chunked(stream, [cut]), 300).frames).toEqual(list);
        }
        const bytes = Array.from({ length: stream.length }, (_, i) => i);
        expect(decodeAll(chunked(stream, bytes), 300).frames).toEqual(list);
      }),
      { numRuns: 40 },
    );
  });

  it("returns payloads packed several to a chunk and holds nothing between frames", () => {
    const decoder = new FrameDecoder(16);
    const stream = concatBytes(
      encodeFrame(utf8("a"), 16),
      encodeFrame(utf8("bc"), 16),
      encodeFrame(utf8("d"), 16),
    );
    const first = decoder.push(stream.subarray(0, stream.length - 2));
    expect(first).toEqual({ ok: true, frames: [utf8("a"), utf8("bc")] });
    expect(decoder.buffered).toBe(3);
    expect(decoder.push(stream.subarray(stream.length - 2))).toEqual({ ok: true, frames: [utf8("d")] });
    expect(decoder.buffered).toBe(0);
  });

  it("decodes zero-length frames, alone, packed and split", () => {
    const empty = encodeFrame(new Uint8Array(0), 8);
    const decoder = new FrameDecoder(8);
    expect(decoder.push(new Uint8Array(0))).toEqual({ ok: true, frames: [] });
    expect(decoder.push(concatBytes(empty, empty, empty))).toEqual({
      ok: true,
      frames: [new Uint8Array(0), new Uint8Array(0), new Uint8Array(0)],
    });
    expect(decoder.push(empty.subarray(0, 3))).toEqual({ ok: true, frames: [] });
    expect(decoder.push(empty.subarray(3))).toEqual({ ok: true, frames: [new Uint8Array(0)] });
  });

  it("accepts a frame of exactly the limit", () => {
    const payload = new Uint8Array(100).fill(7);
    expect(decodeAll([encodeFrame(payload, 100)], 100)).toEqual({ frames: [payload], error: null });
  });

  describe("oversized length prefix", () => {
    const RealUint8Array = globalThis.Uint8Array;
    let allocations = 0;
    const countAllocations = () => {
      allocations = 0;
      globalThis.Uint8Array = class extends RealUint8Array {
        // biome-ignore lint/suspicious/noExplicitAny: forwards every constructor overload
        constructor(...args: any[]) {
          super(...(args as []));
          allocations++;
        }
      } as Uint8ArrayConstructor;
    };
    afterEach(() => {
      globalThis.Uint8Array = RealUint8Array;
    });

    it("is refused as soon as the prefix is complete, before any allocation", () => {
      const decoder = new FrameDecoder(MiB4);
      const prefix = new RealUint8Array([0x00, 0x98, 0x96, 0x7f]); // 9,999,999
      countAllocations();
      expect(decoder.push(prefix.subarray(0, 2))).toEqual({ ok: true, frames: [] });
      const result = decoder.push(prefix.subarray(2));
      globalThis.Uint8Array = RealUint8Array;
      expect(result).toEqual({ ok: false, error: "frame of 9999999 bytes exceeds the 4194304-byte limit" });
      expect(allocations).toBe(0);
      expect(decoder.buffered).toBe(0);
    });

    it("and an allowed prefix allocates nothing at its announced size: only the bytes that came are held", () => {
      const decoder = new FrameDecoder(MiB4);
      countAllocations();
      decoder.push(new RealUint8Array([0x00, 0x3f, 0xff, 0xff, 1, 2])); // announces 4 MiB − 1
      globalThis.Uint8Array = RealUint8Array;
      expect(allocations).toBe(0);
      expect(decoder.buffered).toBe(2);
      const rest = new RealUint8Array(0x3f_ffff - 2).fill(7);
      const result = decoder.push(rest);
      expect(result.ok && result.frames[0].length).toBe(0x3f_ffff);
      expect(result.ok && [...result.frames[0].subarray(0, 3)]).toEqual([1, 2, 7]);
      expect(decoder.buffered).toBe(0);
    });

    it("keeps failing after the error, whatever comes next", () => {
      const decoder = new FrameDecoder(10);
      const error = "frame of 4294967295 bytes exceeds the 10-byte limit";
      expect(decoder.push(new Uint8Array([0xff, 0xff, 0xff, 0xff, 1, 2]))).toEqual({ ok: false, error });
      expect(decoder.push(encodeFrame(utf8("ok"), 10))).toEqual({ ok: false, error });
    });
  });

  it("answers garbage with frames or an error value, agreeing with a whole-stream parser", () => {
    const piece = fc.oneof(
      fc.uint8Array({ maxLength: 40 }).map((p) => encodeFrame(p, 40)),
      fc.uint8Array({ minLength: 1, maxLength: 12 }),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 10 }),
        fc.array(fc.nat(600), { maxLength: 12 }),
        fc.integer({ min: 0, max: 64 }),
        (pieces, cuts, maxBytes) => {
          const stream = concatBytes(...pieces);
          const expected = referenceDecode(stream, maxBytes);
          const actual = decodeAll(chunked(stream, cuts), maxBytes);
          expect(actual.error).toBe(expected.error);
          // Payloads completed in the same chunk as the error are dropped with it.
          expect(expected.frames.slice(0, actual.frames.length)).toEqual(actual.frames);
          if (expected.error === null) expect(actual.frames).toEqual(expected.frames);
        },
      ),
      { numRuns: 500 },
    );
  });
});
