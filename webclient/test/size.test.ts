import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { formatReport, measureDir, SIZE_BUDGET_BYTES } from "../scripts/size";
import { buildApp } from "./build-app";

const outDir = mkdtempSync(join(tmpdir(), "wisp-size-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

it("builds a web app of at most 60 KB (61,440 bytes) gzipped JS+CSS, the service worker included", async () => {
  await buildApp(outDir);
  const report = measureDir(outDir);
  expect(report.files.some((f) => f.name.endsWith(".js"))).toBe(true);
  expect(report.files.some((f) => f.name.endsWith(".css"))).toBe(true);
  expect(report.gzipTotal, formatReport(report)).toBeLessThanOrEqual(SIZE_BUDGET_BYTES);
});
