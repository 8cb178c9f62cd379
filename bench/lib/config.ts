/** What every row is given: quick mode (tiny counts, for npm test), a log line sink, a scratch folder. */
export interface BenchConfig {
  quick: boolean;
  log: (line: string) => void;
  /** A scratch folder for job files, removed after the run. */
  tmp: string;
}

/** Picks the full or the quick value. */
export function pick<T>(config: BenchConfig, full: T, quick: T): T {
  return config.quick ? quick : full;
}
