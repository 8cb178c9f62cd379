/**
 * The web app served over HTTPS by a node with a (self-signed) certificate: the page and the API
 * share the TLS origin, every answer carries HSTS, and two people chat through it. Chromium is
 * told to accept the test's certificate (--ignore-certificate-errors).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NodeHandle, startNode } from "../../../node/src/index";
import { type SelfSigned, selfSignedCert } from "../../../node/test/e2e/self-signed";
import { buildApp } from "../build-app";
import {
  addContact,
  addressOf,
  CHROMIUM,
  CHROMIUM_ARGS,
  incomingTexts,
  send,
  UI_TIMEOUT,
  waitStatus,
} from "./helpers";

const SHOTS = fileURLToPath(new URL("../../../test-results/webclient/", import.meta.url));

describe.runIf(existsSync(CHROMIUM))("web app over HTTPS", () => {
  let outDir = "";
  let tls: SelfSigned | null = null;
  let node: NodeHandle | null = null;
  let browser: Browser | null = null;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), "wisp-https-"));
    await buildApp(outDir);
    tls = selfSignedCert();
    node = await startNode({ port: 0, apiPort: 0, webRoot: outDir, tls: { cert: tls.cert, key: tls.key } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS, "--ignore-certificate-errors"],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await node?.stop();
    tls?.remove();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  }, 60_000);

  async function open(): Promise<{ page: Page; address: string; hsts: string | undefined }> {
    const context = await browser!.newContext({ viewport: { width: 1100, height: 720 } });
    const page = await context.newPage();
    page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
    const response = await page.goto(`${node!.apiUrl}/`);
    const address = await addressOf(page);
    await page.locator('.conn[data-state="connected"]').waitFor({ timeout: UI_TIMEOUT });
    return { page, address, hsts: response?.headers()["strict-transport-security"] };
  }

  it("serves the app and the API on one https origin with HSTS, and carries a chat", async () => {
    expect(node!.apiUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const alice = await open();
    const bob = await open();
    expect(alice.hsts).toBe("max-age=31536000");
    expect(await alice.page.evaluate(() => [location.protocol, isSecureContext])).toEqual(["https:", true]);
    await addContact(alice.page, bob.address, "Bob");
    await addContact(bob.page, alice.address, "Alice");
    await send(alice.page, "over TLS");
    await expect.poll(() => incomingTexts(bob.page), { timeout: UI_TIMEOUT }).toContain("over TLS");
    // Bob has the chat open and read receipts are on by default: two blue ticks.
    await waitStatus(alice.page, "over TLS", "read");
    await alice.page.getByRole("button", { name: "Settings", exact: true }).click();
    expect(await alice.page.locator('.node-row[data-in-use="true"]').getAttribute("data-url")).toBe(
      node!.apiUrl,
    );
    await alice.page.screenshot({ path: join(SHOTS, "https-settings.png") });
  }, 120_000);
});
