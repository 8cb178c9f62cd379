import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ChunkedDecoder, type ChunkedProgress } from "../../../src/api/http1/chunked";
import { chunked } from "../../reliability/fuzz-bytes";

/** Feeds `pieces` one after another as a connection would; answers the last progress and the bytes left over. */
function decode(decoder: ChunkedDecoder, pieces: Buffer[]): { last: ChunkedProgress; rest: Buffer } {
  let pending = Buffer.alloc(0);
  let last: ChunkedProgress = { kind: "more", used: 0 };
  for (const piece of pieces) {
    pending = Buffer.concat([pending, piece]);
    last = decoder.feed(pending);
    if (last.kind === "error") return { last, rest: pending };
    pending = pending.subarray(last.used);
    if (last.kind === "done")
      return { last, rest: Buffer.concat([pending, ...pieces.slice(pieces.indexOf(piece) + 1)]) };
  }
  return { last, rest: pending };
}

function encode(body: Buffer, sizes: number[], extension = ""): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= body.length) break;
    const piece = body.subarray(at, at + Math.max(1, size));
    parts.push(Buffer.from(`${piece.length.toString(16)}${extension}\r\n`), piece, Buffer.from("\r\n"));
    at += piece.length;
  }
  if (at < body.length) {
    const piece = body.subarray(at);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from("0\r\n\r\n"));
  return Buffer.concat(parts);
}

/** The stream cut at the given offsets, as the Buffers a socket would deliver. */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  return chunked(bytes, cuts).map((piece) => Buffer.from(piece));
}

describe("ChunkedDecoder", () => {
  it("decodes any body, chunked any way, split across reads anywhere, and leaves what follows", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3_000 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.constantFrom("", ";ext=1", ';name="v"'),
        (body, sizes, cuts, extension) => {
          const next = Buffer.from("GET / HTTP/1.1\r\n");
          const wire = Buffer.concat([encode(Buffer.from(body), sizes, extension), next]);
          const decoder = new ChunkedDecoder(10_000);
          const { last, rest } = decode(decoder, split(wire, cuts));
          expect(last.kind).toBe("done");
          expect(Buffer.concat(decoder.chunks).equals(Buffer.from(body))).toBe(true);
          expect(rest.equals(next)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("skips trailer fields", () => {
    const decoder = new ChunkedDecoder(100);
    const { last } = decode(decoder, [Buffer.from("3\r\nabc\r\n0\r\nX-Trailer: 1\r\nY: 2\r\n\r\n")]);
    expect(last.kind).toBe("done");
    expect(Buffer.concat(decoder.chunks).toString()).toBe("abc");
  });

  it("keeps at most cap + 1 bytes and says it overflowed", () => {
    const decoder = new ChunkedDecoder(10);
    decode(decoder, [Buffer.from(`20\r\n${"x".repeat(32)}\r\n`)]);
    expect(decoder.overflowed).toBe(true);
    expect(decoder.size).toBe(32);
    expect(Buffer.concat(decoder.chunks).length).toBe(11);
  });

  it.each([
    ["a size that is not hex", "zz\r\nab\r\n0\r\n\r\n"],
    ["a size of 9 hex digits", "100000000\r\n"],
    ["data longer than its size", "2\r\nabc\r\n0\r\n\r\n"],
    ["a bare LF after the size", "2\nab\r\n0\r\n\r\n"],
    ["an endless size line", `1;${"e".repeat(5_000)}`],
    ["an endless trailer", `0\r\n${"X-T: 1\r\n".repeat(3_000)}`],
  ])("refuses %s", (_, wire) => {
    const { last } = decode(new ChunkedDecoder(100), [Buffer.from(wire)]);
    expect(last.kind).toBe("error");
  });
});
