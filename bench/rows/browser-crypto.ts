/**
 * lib's crypto inside a Chromium page, noble against the WebCrypto backend (bench/lib/page-crypto.ts,
 * bundled for the page by esbuild): what a seal, an open and a retrieve signature cost the web app.
 */
import { join } from "node:path";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { ROOT } from "../lib/build";
import type { Row } from "../lib/row";
import { ms } from "../lib/stats";

export async function browserCrypto(browser: Browser, secureUrl: string, runs: number): Promise<Row> {
  const bundled = await build({
    entryPoints: [join(ROOT, "bench/lib/page-crypto.ts")],
    bundle: true,
    write: false,
    format: "iife",
    globalName: "wispPageCrypto",
    platform: "browser",
    target: "es2022",
    logLevel: "warning",
  });
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // WebCrypto's Ed25519 and X25519 need a secure context: a page on 127.0.0.1 is one.
    await page.goto(secureUrl);
    await page.addScriptTag({ content: bundled.outputFiles[0].text });
    const v = await page.evaluate(
      (n) =>
        (
          window as unknown as {
            wispPageCrypto: { measurePageCrypto(n: number): Promise<Record<string, number>> };
          }
        ).wispPageCrypto.measurePageCrypto(n),
      runs,
    );
    return {
      row: "browser: lib crypto in the page",
      figure: `seal: noble ${ms(v.nobleSealMs)} (${ms(v.nobleSealKnownRecipientMs)} with the recipient's keys derived once), WebCrypto ${ms(v.webCryptoSealMs)}; open: noble ${ms(v.nobleOpenMs)}, WebCrypto ${ms(v.webCryptoOpenMs)}; retrieve signature: noble ${ms(v.nobleSignRetrieveMs)}, WebCrypto ${ms(v.webCryptoSignRetrieveMs)}; same bytes: ${v.sameBytes === 1 ? "yes" : "NO"}`,
      target: "printed (same bytes as noble)",
      // Printed only, unless the two backends disagreed: that is a failure whatever the times.
      met: v.sameBytes === 1 ? null : false,
      command: "npm run bench (bench/rows/browser-crypto.ts: lib bundled into a headless Chromium page)",
      values: v,
    };
  } finally {
    await context.close();
  }
}
