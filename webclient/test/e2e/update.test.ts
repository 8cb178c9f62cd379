/**
 * A new build reaches an installed app through its service worker: the page offers the new
 * version, and Reload switches to it. The node serves the app from a folder rebuilt in between.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NodeHandle, startNode } from "../../../node/src/index";
import { buildApp } from "../build-app";
import { addressOf, CHROMIUM, CHROMIUM_ARGS, UI_TIMEOUT } from "./helpers";

const SHOTS = fileURLToPath(new URL("../../../test-results/webclient/", import.meta.url));

describe.runIf(existsSync(CHROMIUM))("a new version of the web app", () => {
  let outDir = "";
  let node: NodeHandle | null = null;
  let browser: Browser | null = null;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), "wisp-update-"));
    await buildApp(outDir, { bootstrap: "http://127.0.0.1:9" });
    node = await startNode({ port: 0, apiPort: 0, webRoot: outDir });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await node?.stop();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  }, 60_000);

  const script = (page: Page) => page.locator('script[type="module"]').getAttribute("src");

  it("is offered with a reload prompt and taken on Reload", async () => {
    const page = await (await browser!.newContext()).newPage();
    await page.goto(`${node!.apiUrl}/`);
    const address = await addressOf(page);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
      timeout: UI_TIMEOUT,
    });
    const before = await script(page);

    // Another built-in node makes another bundle, hence another worker.
    await buildApp(outDir, { bootstrap: "http://127.0.0.1:10" });
    await page.reload();
    await page.getByText("A new version of Wisp is ready.").waitFor({ timeout: UI_TIMEOUT });
    expect(await script(page)).toBe(before);
    await page.screenshot({ path: join(SHOTS, "update-prompt.png") });
    const reloaded = page.waitForEvent("load");
    await page.getByRole("button", { name: "Reload" }).click();
    await reloaded;
    expect(await addressOf(page)).toBe(address);
    expect(await script(page)).not.toBe(before);
    expect(await page.getByText("A new version of Wisp is ready.").count()).toBe(0);
  }, 120_000);
});
