/** Bundles the bench's own processes (bench-node, loadgen) with esbuild, once per run, into a temp folder. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { sodiumBinding } from "../../node/sodium-binding.mjs";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface BenchBuild {
  benchNode: string;
  loadgen: string;
  dispose(): void;
}

let built: Promise<BenchBuild> | null = null;

export function benchBuild(): Promise<BenchBuild> {
  built ??= bundle();
  return built;
}

async function bundle(): Promise<BenchBuild> {
  const outdir = mkdtempSync(join(tmpdir(), "wisp-bench-"));
  await build({
    entryPoints: {
      "bench-node": join(ROOT, "bench/procs/bench-node.ts"),
      loadgen: join(ROOT, "bench/procs/loadgen.ts"),
    },
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // Readable names in --cpu-prof profiles; minifying changes nothing that a benchmark sees.
    minify: false,
    logLevel: "warning",
    // sodium-native as node/build.mjs bundles it (its prebuilt addon loaded directly, no node:assert),
    // so that the bench node is the node that ships; require() resolves from the repository.
    plugins: [sodiumBinding],
    banner: {
      js: `import { createRequire as __wispRequire } from "node:module"; const require = __wispRequire(${JSON.stringify(join(ROOT, "package.json"))});`,
    },
  });
  return {
    benchNode: join(outdir, "bench-node.mjs"),
    loadgen: join(outdir, "loadgen.mjs"),
    dispose() {
      rmSync(outdir, { recursive: true, force: true });
      built = null;
    },
  };
}
