/** Time, injected so tests and the simulator can drive it. Only main.ts picks the system clock. */
export interface Clock {
  now(): number;
  /** Runs fn once after ms; returns a function that cancels it. */
  setTimeout(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};

/** Resolves after ms on clock. */
export function sleepOn(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimeout(resolve, ms);
  });
}

/** Runs fn under a deadline of ms measured on clock, and under the caller's signal. */
export async function withDeadline<T>(
  clock: Clock,
  ms: number,
  outer: AbortSignal | undefined,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const cancel = clock.setTimeout(() => controller.abort(), ms);
  const onOuterAbort = () => controller.abort();
  outer?.addEventListener("abort", onOuterAbort, { once: true });
  if (outer?.aborted) controller.abort();
  try {
    return await fn(controller.signal);
  } finally {
    cancel();
    outer?.removeEventListener("abort", onOuterAbort);
  }
}

/**
 * Runs task every ms on clock, each run timed from the end of the one before, until the returned
 * function is called.
 */
export function repeatOn(clock: Clock, ms: number, task: () => Promise<void>): () => void {
  let stopped = false;
  let cancelTimer = () => {};
  const schedule = () => {
    if (stopped) return;
    cancelTimer = clock.setTimeout(() => {
      task().then(schedule, schedule);
    }, ms);
  };
  schedule();
  return () => {
    stopped = true;
    cancelTimer();
  };
}

/** A clock that moves only when told to; timers fire in order during advance(). */
export class ManualClock implements Clock {
  private timers: { at: number; seq: number; fn: () => void }[] = [];
  private seq = 0;

  constructor(private current = 0) {}

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): () => void {
    const timer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.current = next.at;
      next.fn();
    }
    this.current = target;
  }
}
