/** The size budget of the web app: JS+CSS gzipped, printed by every build and guarded by a test. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Plugin } from "vite";

/** The issues' budget for the whole app, worker included; size.test.ts holds every build to it. */
export const SIZE_BUDGET_BYTES = 60 * 1024;

export interface SizeReport {
  files: { name: string; bytes: number; gzipBytes: number }[];
  gzipTotal: number;
}

export function measure(files: { name: string; content: string | Uint8Array }[]): SizeReport {
  const measured = files
    .filter((f) => /\.(m?js|css)$/.test(f.name))
    .map((f) => {
      const bytes = typeof f.content === "string" ? new TextEncoder().encode(f.content) : f.content;
      return { name: f.name, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
    });
  return { files: measured, gzipTotal: measured.reduce((n, f) => n + f.gzipBytes, 0) };
}

/** Measures a built dist directory (every .js and .css below it). */
export function measureDir(dir: string): SizeReport {
  const files: { name: string; content: Uint8Array }[] = [];
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub))) {
      const rel = sub ? `${sub}/${entry}` : entry;
      if (statSync(join(dir, rel)).isDirectory()) walk(rel);
      else files.push({ name: rel, content: readFileSync(join(dir, rel)) });
    }
  };
  walk("");
  return measure(files);
}

/** Sizes in KB of 1024 bytes, as the budget is counted, everywhere the size is printed. */
export function formatKb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

export function formatReport(report: SizeReport): string {
  const kb = formatKb;
  const lines = report.files.map((f) => `  ${f.name}  ${kb(f.bytes)} → ${kb(f.gzipBytes)} gzip`);
  const over = report.gzipTotal - SIZE_BUDGET_BYTES;
  const verdict = over <= 0 ? "within" : `OVER (by ${over} bytes)`;
  lines.push(
    `wisp webclient: JS+CSS ${kb(report.gzipTotal)} gzipped, ${verdict} the ${kb(SIZE_BUDGET_BYTES)} budget`,
  );
  return lines.join("\n");
}

/** Prints the gzip size after the bundle is written. */
export function sizeReportPlugin(): Plugin {
  return {
    name: "wisp-size-report",
    apply: "build",
    writeBundle(_options, bundle) {
      const files = Object.values(bundle).map((item) =>
        item.type === "chunk"
          ? { name: item.fileName, content: item.code }
          : { name: item.fileName, content: item.source },
      );
      console.log(formatReport(measure(files)));
    },
  };
}
