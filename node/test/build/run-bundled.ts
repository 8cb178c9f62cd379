/** Bundles a script with esbuild as node/build.mjs does and runs it in a child Node.js from node/ (where its packages resolve). */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const NODE_DIR = join(dirname(fileURLToPath(import.meta.url)), "../..");

export async function runBundled(
  source: string,
  options: { plugins?: Plugin[]; nodeFlags?: string[] } = {},
): Promise<{ code: string; out: string }> {
  const result = await build({
    stdin: { contents: source, resolveDir: NODE_DIR, loader: "js" },
    bundle: true,
    platform: "node",
    format: "esm",
    write: false,
    logLevel: "silent",
    plugins: options.plugins ?? [],
    banner: {
      js: 'import { createRequire as __r } from "node:module"; const require = __r(import.meta.url);',
    },
  });
  const code = result.outputFiles[0]?.text ?? "";
  const flags = [...(options.nodeFlags ?? []), "--input-type=module", "-e", code];
  const out = execFileSync(process.execPath, flags, { cwd: NODE_DIR, encoding: "utf8" });
  return { code, out };
}
