import { describe, expect, it } from "vitest";
import { ManualClock, repeatOn, sleepOn, withDeadline } from "../src/clock";

describe("clock helpers", () => {
  it("sleepOn resolves once the clock has moved past the pause", async () => {
    const clock = new ManualClock();
    let woke = false;
    const sleeping = sleepOn(clock, 50).then(() => {
      woke = true;
    });
    clock.advance(49);
    await Promise.resolve();
    expect(woke).toBe(false);
    clock.advance(1);
    await sleeping;
    expect(woke).toBe(true);
  });

  it("withDeadline aborts the task's signal at the deadline and on the caller's abort", async () => {
    const clock = new ManualClock();
    const seen: AbortSignal[] = [];
    const task = (signal: AbortSignal) => {
      seen.push(signal);
      return new Promise<string>((_, reject) =>
        signal.addEventListener("abort", () => reject(new Error("aborted"))),
      );
    };
    const timed = withDeadline(clock, 100, undefined, task);
    clock.advance(100);
    await expect(timed).rejects.toThrow("aborted");
    const outer = new AbortController();
    const cancelled = withDeadline(clock, 100, outer.signal, task);
    outer.abort();
    await expect(cancelled).rejects.toThrow("aborted");
    expect(seen.every((signal) => signal.aborted)).toBe(true);
  });

  it("withDeadline passes a finished task's result through", async () => {
    const clock = new ManualClock();
    await expect(withDeadline(clock, 100, undefined, async () => 7)).resolves.toBe(7);
  });

  it("repeatOn runs the task again only after the last run ended, until cancelled", async () => {
    const clock = new ManualClock();
    let runs = 0;
    let finish: () => void = () => {};
    const cancel = repeatOn(clock, 10, () => {
      runs++;
      return new Promise<void>((resolve) => {
        finish = resolve;
      });
    });
    clock.advance(10);
    expect(runs).toBe(1);
    clock.advance(50);
    expect(runs).toBe(1); // still running: no second run on top of it
    finish();
    await Promise.resolve();
    await Promise.resolve();
    clock.advance(10);
    expect(runs).toBe(2);
    cancel();
    finish();
    await Promise.resolve();
    await Promise.resolve();
    clock.advance(100);
    expect(runs).toBe(2);
  });
});
