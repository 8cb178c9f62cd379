/**
 * Builds src/service-worker.ts into sw.js beside the app, with the list of this build's files
 * (the shell it caches) and a version hashed from their contents, so every new build is a new
 * worker. sw.js is a .js file of the bundle: the size budget counts it.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";
import type { Plugin } from "vite";

const SOURCE = fileURLToPath(new URL("../src/service-worker.ts", import.meta.url));
const PUBLIC = fileURLToPath(new URL("../public/", import.meta.url));
export const WORKER_FILE = "sw.js";

export function serviceWorkerPlugin(): Plugin {
  return {
    name: "wisp-service-worker",
    apply: "build",
    // After Vite's own plugins, so index.html is in the bundle.
    enforce: "post",
    async generateBundle(_options, bundle) {
      const hash = createHash("sha256");
      const files: string[] = [];
      for (const item of Object.values(bundle)) {
        files.push(item.fileName);
        hash.update(item.fileName).update(item.type === "chunk" ? item.code : item.source);
      }
      for (const name of readdirSync(PUBLIC)) {
        files.push(name);
        hash.update(name).update(readFileSync(`${PUBLIC}${name}`));
      }
      files.sort();
      const compiled = await transform(readFileSync(SOURCE, "utf8"), {
        loader: "ts",
        // A classic worker script: wrapped in a function, its top-level names are mangled too.
        format: "iife",
        minify: true,
        target: "es2022",
        define: {
          __WISP_SHELL__: JSON.stringify(files),
          __WISP_VERSION__: JSON.stringify(hash.digest("hex").slice(0, 16)),
        },
      });
      this.emitFile({ type: "asset", fileName: WORKER_FILE, source: compiled.code });
    },
  };
}
