import { describe, expect, it } from "vitest";
import { clockTime, durationText, linkParts } from "../src/format";
import { failureText } from "../src/views/Bubble";

describe("format", () => {
  it("writes times without a leading zero on the hour", () => {
    const evening = new Date(2026, 11, 1, 20, 27).getTime();
    const text = clockTime(evening);
    expect(text).not.toMatch(/^0/);
    expect(text).toMatch(/8:27|20:27/);
  });

  it("says a TTL as people do", () => {
    expect(durationText(86_400_000)).toBe("24 h");
    expect(durationText(5_000)).toBe("5 s");
    expect(durationText(90 * 60_000)).toBe("1.5 h");
    expect(durationText(30 * 60_000)).toBe("30 min");
  });

  it("makes only http and https links, without trailing punctuation", () => {
    expect(linkParts("see https://example.com/a?b=1, then")).toEqual([
      { text: "see " },
      { text: "https://example.com/a?b=1", href: "https://example.com/a?b=1" },
      { text: ", then" },
    ]);
    expect(linkParts("javascript:alert(1) and data:text/html,x")).toEqual([
      { text: "javascript:alert(1) and data:text/html,x" },
    ]);
    expect(linkParts("(http://a.example)")).toEqual([
      { text: "(" },
      { text: "http://a.example", href: "http://a.example" },
      { text: ")" },
    ]);
    expect(linkParts("")).toEqual([]);
  });

  it("names the node's real TTL in the NACK text, with a capital", () => {
    const base = {
      id: "x",
      peer: "p",
      out: true,
      text: "t",
      sentAt: 1_000,
      at: 1_000,
      status: "failed" as const,
    };
    expect(failureText({ ...base, expiresAt: 6_010 }, 86_400_000)).toBe("Not delivered — expired after 5 s");
    expect(failureText(base, 86_400_000)).toBe("Not delivered — expired after 24 h");
    expect(failureText({ ...base, error: "too large" }, 0)).toBe("Not sent — too large");
  });
});
