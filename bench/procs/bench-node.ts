/**
 * A node process for the throughput and memory rows: startNode with the per-client rate limit
 * lifted (every load-generator connection comes from 127.0.0.1, one bucket). Otherwise the code and
 * defaults of bin/wisp-node. One JSON line per event on stdout; SIGUSR2 runs a full GC and prints
 * the memory; SIGTERM stops it.
 */
import { startNode } from "../../node/src/index";

const port = Number(process.env.BENCH_API_PORT ?? 0);
const unlimited = { burst: 1e12, perSecond: 1e12, maxBuckets: 16 };

function line(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);
}

function memory(): Record<string, number> {
  const usage = process.memoryUsage();
  return {
    rss: usage.rss,
    heapTotal: usage.heapTotal,
    heapUsed: usage.heapUsed,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
  };
}

const node = await startNode({
  port: 0,
  apiPort: port,
  api: { rateLimit: unlimited, mailboxRateLimit: unlimited },
});
line("listening", { apiUrl: node.apiUrl, addr: node.addr, pid: process.pid });

process.on("SIGUSR2", () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  setTimeout(() => {
    gc?.();
    line("memory", { ...memory(), entries: node.mailboxes.entryCount(), gc: gc !== undefined ? 1 : 0 });
  }, 50);
});
process.on("SIGTERM", () => {
  void node.stop().then(() => process.exit(0));
});
