/**
 * Runs a one-off hot loop without TurboFan. The key grind calls libsodium ~8,000 times at start;
 * TurboFan would compile it, and the compiler's own code (~3.5 MiB of the node binary) would then
 * stay resident for the life of a node that may not need it for long (docs/performance.md).
 *
 * It narrows TurboFan's function filter for the duration and puts back the process's own. (Not
 * `--max-opt`: lowering it turns `--turbofan` off by implication, and raising it again does not turn
 * it back on, which left the whole node unoptimized.)
 */

/** Loaded at the first grind: node:v8 adds ~0.2 MiB to the idle RSS of a node started with its key file. */
const setFlagsFromString = (flags: string): void =>
  process.getBuiltinModule("node:v8").setFlagsFromString(flags);

const NO_FUNCTION = "~";

export function unoptimized<T>(work: () => T): T {
  setFlagsFromString(`--turbo-filter=${NO_FUNCTION}`);
  try {
    return work();
  } finally {
    setFlagsFromString(`--turbo-filter=${turboFilterOfProcess()}`);
  }
}

const V8_DEFAULT_TURBO_FILTER = "*";

/** The filter the process was started with (`--turbo-filter=F` in its flags or NODE_OPTIONS), else V8's default. */
export function turboFilterOfProcess(
  flags: readonly string[] = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)],
): string {
  let filter = V8_DEFAULT_TURBO_FILTER;
  for (const flag of flags) {
    const match = /^--turbo[-_]filter=(\S+)$/.exec(flag);
    if (match?.[1]) filter = match[1];
  }
  return filter;
}
