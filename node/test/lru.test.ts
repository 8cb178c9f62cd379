import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LruMap } from "../src/lru";

describe("LruMap", () => {
  it("evicts the least recently used entry, and a get makes an entry the newest", () => {
    const map = new LruMap<string, number>(2);
    map.set("a", 1);
    map.set("b", 2);
    expect(map.get("a")).toBe(1);
    map.set("c", 3);
    expect(map.get("b")).toBeUndefined();
    expect(map.get("a")).toBe(1);
    expect(map.get("c")).toBe(3);
    expect(map.size).toBe(2);
  });

  it("never holds more than max entries, and holds the max most recently used keys", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.integer({ min: 0, max: 20 })), (max, keys) => {
        const map = new LruMap<number, number>(max);
        const order: number[] = [];
        for (const key of keys) {
          if (map.get(key) === undefined) map.set(key, key);
          const at = order.indexOf(key);
          if (at >= 0) order.splice(at, 1);
          order.push(key);
        }
        expect(map.size).toBe(Math.min(max, order.length));
        for (const key of order.slice(-max)) expect(map.get(key)).toBe(key);
      }),
    );
  });

  it("refuses a bound that is not a positive integer", () => {
    expect(() => new LruMap(0)).toThrow(RangeError);
  });
});
