/**
 * Mutations that make exactly one field of a valid node-to-node message invalid: wrong type, wrong
 * length, huge arrays, huge strings, deep nesting, NaN and out-of-range numbers, missing keys,
 * unknown tags. The valid messages and their field specs live in fuzz-messages.ts.
 */
import { toB64u } from "@wisp/lib";
import fc from "fast-check";
import type { WireMessage } from "../../src/transport/transport";
import { bytes, type Spec, type Valid } from "./fuzz-messages";

export interface Target {
  tag: string;
  path: (string | number)[];
  spec: Spec;
}

const MISSING = Symbol("missing");
type Hostile = unknown | typeof MISSING;

/** Every field (and nested field) of every valid message that a mutation can break. */
export function targets(messages: Valid[]): { base: WireMessage; target: Target }[] {
  const out: { base: WireMessage; target: Target }[] = [];
  for (const { message, spec } of messages) {
    const add = (path: (string | number)[], s: Spec) => {
      out.push({ base: message, target: { tag: message.t, path, spec: s } });
      if (s.type === "object")
        for (const [key, inner] of Object.entries(s.fields)) add([...path, key], inner);
      if (s.type === "nullable" && s.inner.type === "object")
        for (const [key, inner] of Object.entries(s.inner.fields)) add([...path, key], inner);
      if (s.type === "array") add([...path, 0], s.item);
      if (s.type === "pair") for (const [i, inner] of s.items.entries()) add([...path, i], inner);
    };
    out.push({ base: message, target: { tag: message.t, path: ["t"], spec: { type: "tag" } } });
    for (const [key, s] of Object.entries(spec)) {
      const dotted = key.split(".");
      if (dotted.length === 1) add([key], s);
      else add([dotted[0], Number(dotted[1])], s);
    }
  }
  return out;
}

/** Shared, built once: 100,000 levels of [ ] and arrays of 100,000 items. */
export const DEEP: unknown[] = (() => {
  let value: unknown[] = [];
  for (let i = 0; i < 100_000; i++) value = [value];
  return named(value, "<100,000 levels of [ ]>");
})();
const HUGE_ARRAY = named(
  Array.from({ length: 100_000 }, (_, i) => i),
  "<array of 100,000 numbers>",
);
const HUGE_STRING = "A".repeat(100_000);

/** Values that are never valid wherever a JSON field is expected to hold an object or a scalar. */
const wrongShape: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "", "x", [], {}),
  fc.constantFrom(DEEP, HUGE_ARRAY, { length: 3, 0: "a" }, { __proto__: null, x: 1 }),
  fc.jsonValue({ maxDepth: 3 }),
);

function notThis(value: unknown): (x: unknown) => boolean {
  return (x) => !Object.is(x, value);
}

/** fast-check prints these by name in a failure report instead of recursing 100,000 levels. */
function named<T extends object>(value: T, name: string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => name, enumerable: false });
  return value;
}

/** Values certain to be invalid for a field of this spec (MISSING: the key is deleted). */
export function invalidFor(spec: Spec, valid: unknown): fc.Arbitrary<Hostile> {
  const missing = fc.constant(MISSING);
  const notString = fc.oneof(
    wrongShape.filter((x) => typeof x !== "string"),
    fc.constantFrom(1e308, -0, 2 ** 53),
  );
  const badB64 = fc.constantFrom(
    "!!!!",
    "AAAA====",
    "a b",
    "A+/=",
    "\u00e9\u00e9",
    "A".repeat(3) + "\u0000",
    HUGE_STRING,
  );
  switch (spec.type) {
    case "tag":
      return fc
        .oneof(
          fc.string({ maxLength: 60 }).filter((s) => !s.startsWith("chord.") && !s.startsWith("store.")),
          fc.constantFrom(
            "__proto__",
            "constructor",
            "toString",
            "hasOwnProperty",
            "chord.pong",
            "store.put.ok",
            "chord.PING",
            "store",
            " chord.ping",
          ),
          notString,
          missing,
        )
        .filter(notThis(valid));
    case "b64u":
      return fc.oneof(
        notString,
        badB64,
        fc
          .integer({ min: 0, max: 300 })
          .filter((n) => n !== spec.bytes)
          .map((n) => toB64u(bytes(n, n))),
        missing,
      );
    case "ct":
      return fc.oneof(
        notString,
        badB64.filter((s) => s !== HUGE_STRING),
        fc.constant("A".repeat(70_000)),
        missing,
      );
    case "hex64":
      return fc.oneof(
        notString,
        fc.constantFrom(
          "AB".repeat(32),
          "ab".repeat(31),
          "ab".repeat(33),
          "zz".repeat(32),
          `0x${"a".repeat(62)}`,
          HUGE_STRING,
        ),
        fc.string({ maxLength: 70 }).filter((s) => !/^[0-9a-f]{64}$/.test(s)),
        missing,
      );
    case "time":
      return fc.oneof(
        fc.constantFrom(
          -1,
          1.5,
          Number.NaN,
          Number.POSITIVE_INFINITY,
          Number.NEGATIVE_INFINITY,
          2 ** 53,
          1e308,
          "1000",
          null,
          true,
          [],
          {},
        ),
        fc.integer({ max: -1 }),
        missing,
      );
    case "wait":
      return fc.oneof(
        fc.constantFrom(-1, 25_001, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 1e308, "0", null, [], {}),
        fc.integer({ min: 25_001 }),
        missing,
      );
    case "addr":
      return fc.oneof(
        notString,
        fc.constantFrom("", "x".repeat(256), HUGE_STRING),
        fc.string({ minLength: 1, maxLength: 40 }).filter(notThis(valid)),
        missing,
      );
    case "const":
      return fc.oneof(
        wrongShape.filter(notThis(spec.value)),
        fc.constantFrom("1", 2, 0, "MSG", "nack ", " msg"),
        missing,
      );
    case "object":
      return fc.oneof(
        wrongShape.filter((x) => typeof x !== "object" || x === null || Array.isArray(x)),
        missing,
      );
    case "bool":
      return fc.oneof(
        wrongShape.filter((x) => typeof x !== "boolean"),
        fc.constantFrom("true", 1, 0),
        missing,
      );
    case "shortString":
      return fc.oneof(notString, fc.constant("x".repeat(300)), fc.constant(HUGE_STRING));
    case "index":
      return fc.oneof(
        fc.constantFrom(-1, 0.5, Number.NaN, "0", null, [], {}),
        fc.integer({ min: spec.below, max: 2 ** 40 }),
      );
    case "pair":
      // A valid pair holds two exact base64url ids; none of these does.
      return fc.oneof(wrongShape, fc.constant(["a", "b", "c"]), missing);
    case "nullable":
      // NaN and ±Infinity are excluded: JSON carries them as null, which is valid here.
      return fc.oneof(
        wrongShape.filter(
          (x) =>
            x !== null &&
            !(typeof x === "number" && !Number.isFinite(x)) &&
            (typeof x !== "object" || Array.isArray(x)),
        ),
        missing,
      );
    case "array":
      return fc.oneof(
        wrongShape.filter((x) => !Array.isArray(x)),
        fc.constant(MISSING),
        // One more than allowed, each item the valid one (max 0: no limit).
        fc.constant(
          spec.max === 0
            ? MISSING
            : named(
                Array.from({ length: spec.max + 1 }, () => (valid as unknown[])[0]),
                `<${spec.max + 1} copies of a valid item>`,
              ),
        ),
      );
  }
}

function get(value: unknown, path: (string | number)[]): unknown {
  let at = value as Record<string | number, unknown>;
  for (const key of path) at = at?.[key] as Record<string | number, unknown>;
  return at;
}

/** A deep copy of base with the field at path replaced by value (or deleted). */
export function mutated(base: WireMessage, path: (string | number)[], value: Hostile): WireMessage {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (value === MISSING) delete at[last];
  else at[last] = value;
  return copy as WireMessage;
}

/** A mutation of one field of one valid message, certain to make it invalid. */
export function hostileMessage(messages: Valid[]): fc.Arbitrary<WireMessage> {
  return fc
    .constantFrom(...targets(messages))
    .chain(({ base, target }) =>
      invalidFor(target.spec, get(base, target.path)).map((value) => mutated(base, target.path, value)),
    );
}
