/**
 * The web app runs its Ed25519 and X25519 on WebCrypto only (no noble fallback: docs/webclient.md,
 * "Size"). In a browser whose WebCrypto lacks them it says so instead of starting; with them it starts.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../build-app";
import { addressOf, CHROMIUM, CHROMIUM_ARGS, UI_TIMEOUT } from "./helpers";
import { type StaticServer, serveStatic } from "./static-server";

const SHOTS = fileURLToPath(new URL("../../../test-results/webclient/", import.meta.url));

/** Runs in the page before the app: WebCrypto as in a browser without Ed25519 and X25519. */
function withoutEdwardsCurves() {
  const subtle = globalThis.crypto.subtle;
  const importKey = subtle.importKey.bind(subtle);
  const missing = new Set(["ed25519", "x25519"]);
  subtle.importKey = ((format: string, data: unknown, algorithm: AlgorithmIdentifier, ...rest: unknown[]) => {
    const name = typeof algorithm === "string" ? algorithm : algorithm.name;
    if (missing.has(name.toLowerCase()))
      return Promise.reject(new DOMException("Unrecognized name.", "NotSupportedError"));
    return (importKey as (...args: unknown[]) => Promise<CryptoKey>)(format, data, algorithm, ...rest);
  }) as SubtleCrypto["importKey"];
}

describe.runIf(existsSync(CHROMIUM))("the web app's WebCrypto", () => {
  let outDir = "";
  let site: StaticServer | null = null;
  let browser: Browser | null = null;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), "wisp-webcrypto-"));
    await buildApp(outDir);
    site = await serveStatic(outDir);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  }, 60_000);

  it("is all the app needs: it starts and shows the new identity's address", async () => {
    const page = await (await browser!.newContext()).newPage();
    await page.goto(`${site!.url}/`);
    await addressOf(page);
    await page.screenshot({ path: join(SHOTS, "webcrypto-start.png") });
  }, 60_000);

  it("missing Ed25519 and X25519: the page says why Wisp cannot start", async () => {
    const page = await (await browser!.newContext()).newPage();
    await page.addInitScript(withoutEdwardsCurves);
    await page.goto(`${site!.url}/`);
    const message = page.getByText("Wisp could not start: this browser has no WebCrypto Ed25519 and X25519");
    await message.waitFor({ timeout: UI_TIMEOUT });
    expect(await page.locator("#my-address").count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, "webcrypto-missing.png") });
  }, 60_000);
});
