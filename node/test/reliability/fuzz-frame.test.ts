/**
 * Fuzzes lib's streaming FrameDecoder with random and mutated byte streams cut into random chunks:
 * it never throws, never holds more than one frame's worth, agrees with a whole-stream reference
 * parser, and once it reports an error (a value) it keeps reporting it.
 */
import { concatBytes, encodeFrame, FRAME_HEADER_BYTES, FrameDecoder, type FrameResult } from "@wisp/lib";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { chunked, mutate, mutation } from "./fuzz-bytes";
import { CaseCounter, cases, fuzzTimeout, params } from "./fuzz-config";

const counter = new CaseCounter("frame decoder");
afterAll(() => counter.report());

interface Decoded {
  frames: Uint8Array[];
  error: string | null;
}

/** The frames of a whole stream, read front to back; written apart from the decoder on purpose. */
function reference(stream: Uint8Array, maxBytes: number): Decoded {
  const frames: Uint8Array[] = [];
  let at = 0;
  while (stream.length - at >= FRAME_HEADER_BYTES) {
    const view = new DataView(stream.buffer, stream.byteOffset + at, FRAME_HEADER_BYTES);
    const length = view.getUint32(0, false);
    if (length > maxBytes)
      return { frames, error: `frame of ${length} bytes exceeds the ${maxBytes}-byte limit` };
    if (stream.length - at - FRAME_HEADER_BYTES < length) break;
    frames.push(stream.slice(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length));
    at += FRAME_HEADER_BYTES + length;
  }
  return { frames, error: null };
}

/** Pushes every chunk, checking after each push what the decoder may hold and answer. */
function decodeChunks(chunks: Uint8Array[], maxBytes: number): Decoded {
  const decoder = new FrameDecoder(maxBytes);
  const frames: Uint8Array[] = [];
  let error: string | null = null;
  for (const chunk of chunks) {
    const result: FrameResult = decoder.push(chunk);
    expect(decoder.buffered).toBeLessThanOrEqual(Math.max(maxBytes, FRAME_HEADER_BYTES));
    if (!result.ok) {
      expect(typeof result.error).toBe("string");
      if (error !== null) expect(result.error).toBe(error);
      error = result.error;
      continue;
    }
    expect(error).toBeNull();
    for (const frame of result.frames) {
      expect(frame.length).toBeLessThanOrEqual(maxBytes);
      frames.push(frame.slice());
    }
  }
  if (error !== null) expect(decoder.push(new Uint8Array([0, 0, 0, 0]))).toEqual({ ok: false, error });
  return { frames, error };
}

const maxBytesArb = fc.oneof(
  fc.integer({ min: 0, max: 64 }),
  fc.integer({ min: 65, max: 700 }),
  fc.constant(4 * 1024 * 1024),
);
const payloads = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 });
const cutsArb = fc.array(fc.nat(4_000), { maxLength: 24 });

function check(stream: Uint8Array, cuts: number[], maxBytes: number): void {
  const expected = reference(stream, maxBytes);
  const actual = decodeChunks(chunked(stream, cuts), maxBytes);
  expect(actual.error).toBe(expected.error);
  // Frames completed in the same chunk as the error are dropped with it; never any other frame.
  expect(actual.frames).toEqual(expected.frames.slice(0, actual.frames.length));
  if (expected.error === null) expect(actual.frames).toEqual(expected.frames);
}

describe("fuzz: FrameDecoder", () => {
  it(
    "random bytes in random chunks: frames or an error value, as the reference parser says",
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2_000 }), cutsArb, maxBytesArb, (stream, cuts, maxBytes) => {
          counter.add("random");
          check(stream, cuts, maxBytes);
        }),
        params(cases(1_500, 40_000)),
      );
    },
    fuzzTimeout(),
  );

  it(
    "valid frame streams with mutations (bit flips, inserts, deletes, cuts, forged prefixes)",
    () => {
      fc.assert(
        fc.property(
          payloads,
          fc.array(mutation, { minLength: 1, maxLength: 4 }),
          cutsArb,
          maxBytesArb,
          (list, mutations, cuts, maxBytes) => {
            counter.add("mutated");
            const limit = Math.max(maxBytes, 300);
            let stream: Uint8Array = concatBytes(...list.map((p) => encodeFrame(p, limit)));
            for (const m of mutations) stream = mutate(stream, m);
            check(stream, cuts, maxBytes);
          },
        ),
        params(cases(2_000, 50_000)),
      );
    },
    fuzzTimeout(),
  );

  it(
    "byte-by-byte and one-chunk deliveries agree on every stream",
    () => {
      fc.assert(
        fc.property(
          payloads,
          fc.array(mutation, { maxLength: 2 }),
          maxBytesArb,
          (list, mutations, maxBytes) => {
            counter.add("byte-by-byte");
            let stream: Uint8Array = concatBytes(...list.map((p) => encodeFrame(p, 4 * 1024 * 1024)));
            for (const m of mutations) stream = mutate(stream, m);
            const bytes = Array.from(stream, (b) => Uint8Array.of(b));
            const whole = decodeChunks([stream], maxBytes);
            const trickled = decodeChunks(bytes, maxBytes);
            expect(trickled.error).toBe(whole.error);
            if (whole.error === null) expect(trickled.frames).toEqual(whole.frames);
          },
        ),
        params(cases(500, 10_000)),
      );
    },
    fuzzTimeout(),
  );
});
