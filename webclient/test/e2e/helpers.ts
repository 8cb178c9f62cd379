/** What the browser tests share: a world of nodes, site and Chromium, waiting for nodes, and driving the app as a person does. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { expect } from "vitest";
import { type NodeHandle, startNode } from "../../../node/src/index";
import { buildApp } from "../build-app";
import { CHROMIUM, CHROMIUM_ARGS } from "./chromium";
import { type StaticServer, serveStatic } from "./static-server";

export { CHROMIUM, CHROMIUM_ARGS };
export const UI_TIMEOUT = 20_000;

export async function waitForHealth(apiUrl: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(`${apiUrl}/v1/health`, { signal: AbortSignal.timeout(2_000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${apiUrl} never became healthy`);
}

/** Both nodes point at each other: with a 5 s TTL a message must not wait for a repair round. */
export async function waitForRing(ring: NodeHandle[]): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const views = await Promise.all(
      ring.map((node) =>
        fetch(`${node.apiUrl}/v1/node`, { signal: AbortSignal.timeout(2_000) })
          .then(
            (r) =>
              r.json() as Promise<{ predecessor: { addr: string } | null; successors: { addr: string }[] }>,
          )
          .catch(() => null),
      ),
    );
    const settled = views.every((view, k) => {
      const other = ring[(k + 1) % ring.length].addr;
      return view?.predecessor?.addr === other && view.successors[0]?.addr === other;
    });
    if (settled) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the two nodes never formed a ring");
}

export async function addressOf(page: Page): Promise<string> {
  const field = page.locator("#my-address");
  await field.waitFor({ timeout: UI_TIMEOUT });
  const address = await field.inputValue();
  expect(address).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return address;
}

export async function addContact(page: Page, address: string, name: string): Promise<void> {
  if (!(await page.getByLabel("Address", { exact: true }).isVisible()))
    await page.getByRole("button", { name: "New chat", exact: true }).click();
  await page.getByLabel("Address", { exact: true }).fill(address);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Add contact" }).click();
  await page.locator(".conv-title h2", { hasText: name }).waitFor({ timeout: UI_TIMEOUT });
}

export async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByLabel("Message", { exact: true });
  await composer.fill(text);
  await composer.press("Enter");
  await page.locator(".row.out .bubble", { hasText: text }).waitFor({ timeout: UI_TIMEOUT });
}

export function texts(page: Page, side: "in" | "out"): Promise<string[]> {
  return page.locator(`.row.${side} .bubble .text`).allTextContents();
}

export function incomingTexts(page: Page): Promise<string[]> {
  return texts(page, "in");
}

export function outgoingTexts(page: Page): Promise<string[]> {
  return texts(page, "out");
}

export async function statusOf(page: Page, text: string): Promise<string | null> {
  const bubbles = page.locator(".row.out .bubble").filter({ has: page.locator(".text", { hasText: text }) });
  return bubbles.last().getAttribute("data-status");
}

export async function waitStatus(
  page: Page,
  text: string,
  status: string,
  timeout = UI_TIMEOUT,
): Promise<void> {
  await expect.poll(() => statusOf(page, text), { timeout, interval: 100 }).toBe(status);
}

/** Two nodes in one ring, the built app on a static server, and Chromium: what every browser test needs. */
export interface World {
  outDir: string;
  site: StaticServer;
  nodes: NodeHandle[];
  browser: Browser;
  contexts: BrowserContext[];
}

export async function startWorld(ttlMs?: number): Promise<World> {
  const outDir = mkdtempSync(join(tmpdir(), "wisp-e2e-"));
  await buildApp(outDir);
  const site = await serveStatic(outDir);
  const options = { host: "127.0.0.1", port: 0, apiPort: 0, replicas: 2, ...(ttlMs ? { ttlMs } : {}) };
  const first = await startNode(options);
  const nodes = [first, await startNode({ ...options, bootstrap: first.addr })];
  for (const node of nodes) await waitForHealth(node.apiUrl);
  await waitForRing(nodes);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  return { outDir, site, nodes, browser, contexts: [] };
}

/** Stops everything `startWorld` started; safe on a partly started world. */
export async function stopWorld(world: World | null): Promise<void> {
  if (!world) return;
  for (const c of world.contexts) await c.close().catch(() => {});
  await world.browser.close();
  for (const node of world.nodes) await node.stop();
  await world.site.close();
  rmSync(world.outDir, { recursive: true, force: true });
}
