/**
 * Long-poll waiters: retrieve requests parked at a mailbox's owner until something is stored.
 * Capped in total and per mailbox: a mailbox's owner polls it once at a time, so past a few
 * waiters the oldest is answered (empty) to make room for the newest, and parked fetches can
 * never turn someone's long-poll into busy polling (docs/security.md, "Limits").
 */
import type { Clock } from "../clock";

/** Long-polls one mailbox may have parked at once; an app and a CLI of one person fit well below it. */
export const MAX_WAITERS_PER_MAILBOX = 4;

export class Waiters {
  private byMailbox = new Map<string, Set<() => void>>();
  private count = 0;

  constructor(
    private clock: Clock,
    private max: number,
  ) {}

  get size(): number {
    return this.count;
  }

  /** Resolves when mailbox gets an entry, ms passed, or signal fired; at once when full. */
  wait(mailbox: string, ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted || this.count >= this.max) return Promise.resolve();
    const parked = this.byMailbox.get(mailbox);
    if (parked && parked.size >= MAX_WAITERS_PER_MAILBOX) parked.values().next().value?.();
    return new Promise((resolve) => {
      const waiters = this.byMailbox.get(mailbox) ?? new Set();
      this.byMailbox.set(mailbox, waiters);
      const done = () => {
        if (!waiters.delete(done)) return;
        this.count--;
        if (waiters.size === 0 && this.byMailbox.get(mailbox) === waiters) this.byMailbox.delete(mailbox);
        cancelTimer();
        signal?.removeEventListener("abort", done);
        resolve();
      };
      waiters.add(done);
      this.count++;
      const cancelTimer = this.clock.setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  /** Resolves every waiter of mailbox; answers how many there were. */
  wake(mailbox: string): number {
    const waiters = this.byMailbox.get(mailbox);
    if (!waiters) return 0;
    const woken = [...waiters];
    for (const done of woken) done();
    return woken.length;
  }

  wakeAll(): void {
    for (const mailbox of [...this.byMailbox.keys()]) this.wake(mailbox);
  }
}
