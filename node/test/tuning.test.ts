import { describe, expect, it } from "vitest";
import { tuningFromEnv } from "../src/tuning";

describe("tuningFromEnv", () => {
  it("keeps the defaults when unset", () => {
    expect(tuningFromEnv({})).toEqual({ ok: true, tuning: { chord: {}, mailbox: {} } });
    expect(tuningFromEnv({ WISP_STABILIZE_MS: " ", WISP_REPAIR_MS: "" })).toEqual({
      ok: true,
      tuning: { chord: {}, mailbox: {} },
    });
  });

  it("sets stabilize, fix-fingers, the predecessor check at twice it, and the repair round", () => {
    expect(tuningFromEnv({ WISP_STABILIZE_MS: "250", WISP_REPAIR_MS: "1000" })).toEqual({
      ok: true,
      tuning: {
        chord: { stabilizeMs: 250, fixFingersMs: 250, checkPredecessorMs: 500 },
        mailbox: { repairMs: 1000 },
      },
    });
  });

  it("answers a precise error for a bad value", () => {
    expect(tuningFromEnv({ WISP_STABILIZE_MS: "fast" })).toEqual({
      ok: false,
      error: 'WISP_STABILIZE_MS expected an integer, got "fast"',
    });
    expect(tuningFromEnv({ WISP_REPAIR_MS: "5" })).toEqual({
      ok: false,
      error: "WISP_REPAIR_MS expected 10..3600000, got 5",
    });
  });
});
