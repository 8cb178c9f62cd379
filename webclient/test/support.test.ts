import { describe, expect, it } from "vitest";
import { BACKOFF_MAX_MS, backoffMs, connectionState } from "../src/connection";

describe("connection state and backoff", () => {
  it("names the state from failures in a row and the browser's online flag", () => {
    expect(connectionState(0, false, true)).toBe("connecting");
    expect(connectionState(0, true, true)).toBe("connected");
    expect(connectionState(1, true, true)).toBe("reconnecting");
    expect(connectionState(3, true, true)).toBe("offline");
    expect(connectionState(0, true, false)).toBe("offline");
  });

  it("backs off exponentially with jitter, capped", () => {
    expect(backoffMs(0)).toBe(0);
    expect(backoffMs(1, () => 0)).toBe(500);
    expect(backoffMs(1, () => 1)).toBe(1_000);
    expect(backoffMs(4, () => 1)).toBe(8_000);
    expect(backoffMs(50, () => 1)).toBe(BACKOFF_MAX_MS);
    for (let n = 1; n < 40; n++) expect(backoffMs(n)).toBeLessThanOrEqual(BACKOFF_MAX_MS);
  });
});
