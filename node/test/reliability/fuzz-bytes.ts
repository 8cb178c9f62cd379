/** Byte-level mutations of a stream: bit flips, byte sets, inserts, deletes, truncation, forged length prefixes. */
import { concatBytes, FRAME_HEADER_BYTES } from "@wisp/lib";
import fc from "fast-check";

export type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "set"; at: number; value: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "delete"; at: number; count: number }
  | { kind: "truncate"; at: number }
  | { kind: "prefix"; at: number; length: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.constantFrom(0, 0x7f, 0x80, 0xff) }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 9 }),
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 9 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("prefix" as const),
    at: fc.nat(),
    length: fc.oneof(fc.nat(600), fc.constantFrom(0xffff_ffff, 0x8000_0000, 4 * 1024 * 1024 + 1)),
  }),
);

export function mutate(stream: Uint8Array, m: Mutation): Uint8Array {
  const at = m.at % (stream.length + 1);
  switch (m.kind) {
    case "flip":
    case "set": {
      if (at === stream.length) return stream;
      const out = stream.slice();
      out[at] = m.kind === "flip" ? out[at] ^ (1 << m.bit) : m.value;
      return out;
    }
    case "insert":
      return concatBytes(stream.subarray(0, at), m.bytes, stream.subarray(at));
    case "delete":
      return concatBytes(stream.subarray(0, at), stream.subarray(Math.min(stream.length, at + m.count)));
    case "truncate":
      return stream.slice(0, at);
    case "prefix": {
      const header = new Uint8Array(FRAME_HEADER_BYTES);
      new DataView(header.buffer).setUint32(0, m.length, false);
      return concatBytes(stream.subarray(0, at), header, stream.subarray(at));
    }
  }
}

/** Cuts stream at the given offsets (sorted, clamped, empty chunks allowed). */
export function chunked(stream: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = cuts.map((c) => c % (stream.length + 1)).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(stream.slice(from, point));
    from = point;
  }
  chunks.push(stream.slice(from));
  return chunks;
}
