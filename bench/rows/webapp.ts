/**
 * The web app's weight, measured exactly as every build prints it and size.test.ts checks it
 * (webclient/scripts/size.ts: gzip -9 of every .js and .css file of webclient/dist, summed).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { formatKb, measureDir, SIZE_BUDGET_BYTES } from "../../webclient/scripts/size";
import { ROOT } from "../lib/build";
import type { BenchConfig } from "../lib/config";
import type { Row } from "../lib/row";

export async function webApp(config: BenchConfig): Promise<Row> {
  const dist = join(ROOT, "webclient/dist");
  if (!existsSync(join(dist, "index.html"))) {
    config.log("webclient/dist is missing: npm run build -w webclient");
    execFileSync("npm", ["run", "build", "-w", "webclient"], { cwd: ROOT, stdio: "ignore" });
  }
  const { files, gzipTotal } = measureDir(dist);
  if (files.length === 0) throw new Error("webclient/dist holds no .js or .css file");
  const raw = files.reduce((n, f) => n + f.bytes, 0);
  return {
    row: "web app",
    figure: `${formatKb(gzipTotal)} gzipped (${formatKb(raw)} raw, ${files.length} files)`,
    target: "≤ 60 KB",
    met: gzipTotal <= SIZE_BUDGET_BYTES,
    command: "npm run bench (bench/rows/webapp.ts: webclient/scripts/size.ts on webclient/dist)",
    values: { gzipBytes: gzipTotal, rawBytes: raw, files: files.length },
  };
}
