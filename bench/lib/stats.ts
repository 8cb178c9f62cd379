/** Small statistics over samples: percentiles by nearest rank, medians of runs. */

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

export interface Latency {
  p50: number;
  p99: number;
  count: number;
}

export function latencyOf(samplesMs: readonly number[]): Latency {
  return { p50: percentile(samplesMs, 50), p99: percentile(samplesMs, 99), count: samplesMs.length };
}

/** The median of each field over several runs. */
export function medianOfRuns(runs: readonly Latency[]): Latency {
  return {
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    count: runs.reduce((sum, r) => sum + r.count, 0),
  };
}

export function nowMs(): number {
  return performance.now();
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  return value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(1)} ms`;
}

export function count(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
