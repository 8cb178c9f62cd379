// Bundles the node and the CLI into node/dist with esbuild; skips the work when dist is newer than every source.
import { existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { sodiumBinding } from "./sodium-binding.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
// The node is CommonJS: an ES module's loader costs an idle node ~0.9 MiB of RSS (docs/performance.md).
// The CLI, which runs for a moment, stays an ES module (it awaits at its top level).
const outputs = {
  "wisp-node.cjs": { entry: join(here, "src/main.ts"), format: "cjs" },
  "wisp.mjs": { entry: join(here, "src/cli/wisp.ts"), format: "esm" },
};
const sources = [
  join(here, "src"),
  join(root, "lib/src"),
  join(here, "package.json"),
  join(root, "lib/package.json"),
  join(here, "sodium-binding.mjs"),
  fileURLToPath(import.meta.url),
];
const force = process.argv.includes("--force");
const quiet = process.argv.includes("--quiet");

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function upToDate() {
  const built = Object.keys(outputs).map((name) => join(here, "dist", name));
  if (!built.every((file) => existsSync(file))) return false;
  const oldestOutput = Math.min(...built.map((file) => statSync(file).mtimeMs));
  return sources.every((source) => !existsSync(source) || newestMtime(source) < oldestOutput);
}

if (!force && upToDate()) {
  if (!quiet) console.log("[wisp] node/dist is up to date");
  process.exit(0);
}

// Build beside dist and rename into place, so a node starting meanwhile never runs half a file.
const staging = join(here, "dist", `.staging-${process.pid}`);
for (const [name, { entry, format }] of Object.entries(outputs)) {
  await build({
    entryPoints: [entry],
    outfile: join(staging, name),
    bundle: true,
    platform: "node",
    format,
    target: "node20",
    minify: true,
    sourcemap: "linked",
    legalComments: "none",
    logLevel: "warning",
    // sodium-native's JS is bundled; its native addon is loaded from its own package folder.
    plugins: [sodiumBinding],
    // Bundled CommonJS code may call require(); an ES module has none, so give it one.
    banner:
      format === "esm"
        ? {
            js: 'import { createRequire as __wispRequire } from "node:module"; const require = __wispRequire(import.meta.url);',
          }
        : {},
  });
}
for (const file of readdirSync(staging)) renameSync(join(staging, file), join(here, "dist", file));
rmSync(staging, { recursive: true, force: true });
if (!quiet) console.log("[wisp] built node/dist/wisp-node.cjs and node/dist/wisp.mjs");
