/** The web app's weight: every .js and .css file of webclient/dist, gzipped (level 9), summed. */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT } from "../lib/build";
import type { BenchConfig } from "../lib/config";
import type { Row } from "../lib/row";

const TARGET = 60 * 1000;

export async function webApp(config: BenchConfig): Promise<Row> {
  const dist = join(ROOT, "webclient/dist");
  if (!existsSync(join(dist, "index.html"))) {
    config.log("webclient/dist is missing: npm run build -w webclient");
    execFileSync("npm", ["run", "build", "-w", "webclient"], { cwd: ROOT, stdio: "ignore" });
  }
  const files = walk(dist).filter((file) => /\.(js|mjs|css)$/.test(file));
  if (files.length === 0) throw new Error("webclient/dist holds no .js or .css file");
  let raw = 0;
  let gzipped = 0;
  for (const file of files) {
    const bytes = readFileSync(file);
    raw += bytes.length;
    gzipped += gzipSync(bytes, { level: 9 }).length;
  }
  return {
    row: "web app",
    figure: `${(gzipped / 1000).toFixed(1)} KB gzipped (${(raw / 1000).toFixed(1)} KB raw, ${files.length} files)`,
    target: "≤ 60 KB",
    met: gzipped <= TARGET,
    command: "npm run bench (bench/rows/webapp.ts: gzip -9 of webclient/dist/**/*.{js,css})",
    values: { gzipBytes: gzipped, rawBytes: raw, files: files.length },
  };
}

function walk(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
