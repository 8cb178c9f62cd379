/**
 * User Timing spans of the engine ("wisp:seal", "wisp:open", …): a Chromium trace shows them under
 * blink.user_timing, and `npm run bench`'s browser row reads them to say where the time goes.
 */
export interface Timing {
  now(): number;
  /** Records the span from `startMs` (a {@link Timing.now} value) to now. */
  span(name: string, startMs: number, detail?: Record<string, unknown>): void;
}

export const noTiming: Timing = { now: () => 0, span: () => {} };

/** Measures are cleared after this many, so a long session never grows the browser's buffer. */
const KEEP_MEASURES = 2_000;

export function userTiming(perf: Performance = performance): Timing {
  let recorded = 0;
  return {
    now: () => perf.now(),
    span(name, startMs, detail) {
      perf.measure(name, { start: startMs, end: perf.now(), detail });
      if (++recorded % KEEP_MEASURES === 0) perf.clearMeasures();
    },
  };
}
