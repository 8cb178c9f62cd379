/** Long-poll waiters: retrieve requests parked at a mailbox's owner until something is stored. */
import type { Clock } from "../clock";

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
