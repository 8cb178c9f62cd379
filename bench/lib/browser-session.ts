/**
 * The browser row's stage: the built web app served by node 1 of three bin/wisp-node processes,
 * headless /usr/bin/chromium (never a downloaded browser) with the flags of the browser test, and
 * pages of the app with the probe (page-probe.ts) installed before the app runs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { buildApp } from "../../webclient/test/build-app";
import { CHROMIUM, CHROMIUM_ARGS } from "../../webclient/test/e2e/chromium";
import { ringConsistent } from "../rows/e2e";
import { installProbe, type ProbeRecord } from "./page-probe";
import { profiling } from "./page-profile";
import { type NodeProcess, spawnWispNode } from "./processes";

const NODES = 3;
const UI_TIMEOUT = 30_000;

export interface AppPage {
  context: BrowserContext;
  page: Page;
  address: string;
  nodeUrl: string;
}

export interface BrowserStage {
  browser: Browser;
  nodes: NodeProcess[];
  open(nodeIndex: number): Promise<AppPage>;
  close(): Promise<void>;
}

export async function startBrowserStage(): Promise<BrowserStage> {
  const site = mkdtempSync(join(tmpdir(), "wisp-bench-app-"));
  const nodes: NodeProcess[] = [];
  const contexts: BrowserContext[] = [];
  let browser: Browser | null = null;
  const close = async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(site, { recursive: true, force: true });
  };
  try {
    // WISP_BENCH_APP=dir serves an app built elsewhere (an older commit, to compare at the same load).
    const given = process.env.WISP_BENCH_APP;
    if (!given) await buildApp(site, { minify: !profiling });
    nodes.push(await spawnWispNode({ WISP_WEB_ROOT: given || site }));
    for (let i = 1; i < NODES; i++) nodes.push(await spawnWispNode({ WISP_BOOTSTRAP: nodes[0].addr }));
    await ringConsistent(nodes, 60_000);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  } catch (error) {
    await close();
    throw error;
  }
  const started = browser;
  return {
    browser: started,
    nodes,
    async open(nodeIndex) {
      const context = await started.newContext({ viewport: { width: 1100, height: 720 } });
      contexts.push(context);
      // tsx (esbuild's keepNames) wraps functions in __name(), which the page does not have.
      await context.addInitScript({ content: `var __name = (f) => f; (${installProbe.toString()})();` });
      const page = await context.newPage();
      page.on("pageerror", (error) => process.stderr.write(`[bench] page error: ${error.message}\n`));
      const nodeUrl = nodes[nodeIndex].apiUrl;
      await page.goto(`${nodes[0].apiUrl}/?node=${encodeURIComponent(nodeUrl)}`);
      // A ?node= link only proposes its node, and only one other than the node serving the app:
      // the app uses it once the person confirms.
      if (nodeUrl !== nodes[0].apiUrl)
        await page.getByRole("button", { name: "Use this node" }).click({ timeout: UI_TIMEOUT });
      const address = await addressOf(page);
      await page.locator('.conn[data-state="connected"]').waitFor({ timeout: UI_TIMEOUT });
      return { context, page, address, nodeUrl };
    },
    close,
  };
}

export async function addressOf(page: Page): Promise<string> {
  const field = page.locator("#my-address");
  await field.waitFor({ timeout: UI_TIMEOUT });
  return field.inputValue();
}

export async function addContact(page: Page, address: string, name: string): Promise<void> {
  await page.getByRole("button", { name: "New chat", exact: true }).click();
  await page.getByLabel("Address", { exact: true }).fill(address);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Add contact" }).click();
  await page.locator(".conv-title h2", { hasText: name }).waitFor({ timeout: UI_TIMEOUT });
}

/** Types `text` into the open chat and presses Enter; resolves once the sender sees two ticks. */
export async function sendAndWait(sender: Page, receiver: Page, text: string): Promise<void> {
  const composer = sender.locator("#composer-text");
  await composer.fill(text);
  const both = Promise.all([
    sender.evaluate((t) => (window as unknown as ProbeWindow).__probe.delivered(t), text),
    receiver.evaluate((t) => (window as unknown as ProbeWindow).__probe.arrived(t), text),
  ]);
  both.catch(() => {});
  await composer.press("Enter");
  await withTimeout(both, 15_000, `"${text}" not delivered in 15 s`);
}

export function takeRecord(page: Page): Promise<ProbeRecord> {
  return page.evaluate(() => (window as unknown as ProbeWindow).__probe.take());
}

/** The page's window as the probe leaves it (evaluate's callbacks run in the page, so they name it inline). */
interface ProbeWindow {
  __probe: {
    delivered(text: string): Promise<void>;
    arrived(text: string): Promise<void>;
    take(): ProbeRecord;
  };
}

async function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
