/**
 * The web app on the real web (issue 13), in Chromium against three real nodes that each serve
 * the built app: it learns the ring, fails over when its node dies and comes back when it
 * returns, notifies while hidden, locks, and opens from its cache with every node stopped.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NodeHandle, type StartNodeOptions, startNode } from "../../../node/src/index";
import { buildApp } from "../build-app";
import {
  addContact,
  addressOf,
  CHROMIUM,
  CHROMIUM_ARGS,
  incomingTexts,
  send,
  statusOf,
  UI_TIMEOUT,
  waitForHealth,
} from "./helpers";

const SHOTS = fileURLToPath(new URL("../../../test-results/webclient/", import.meta.url));
const FAST_RING = { stabilizeMs: 100, fixFingersMs: 200 };

/** Counts the notifications the app shows (and still shows them). */
const COUNT_NOTIFICATIONS = () => {
  const w = window as unknown as { shownNotifications: { title: string; body?: string }[] };
  w.shownNotifications = [];
  const Real = window.Notification;
  class Counting extends Real {
    constructor(title: string, options?: NotificationOptions) {
      w.shownNotifications.push({ title, body: options?.body });
      super(title, options);
    }
  }
  Object.defineProperty(Counting, "permission", { get: () => Real.permission });
  Object.defineProperty(Counting, "requestPermission", { value: Real.requestPermission.bind(Real) });
  window.Notification = Counting;
};

describe.runIf(existsSync(CHROMIUM))("web app across nodes (failover, offline, notifications, lock)", () => {
  let outDir = "";
  let browser: Browser | null = null;
  const nodes: NodeHandle[] = [];
  const contexts: BrowserContext[] = [];
  let alice: { page: Page; address: string };
  let bob: { page: Page; address: string };

  const start = async (options: StartNodeOptions) => {
    const node = await startNode({
      host: "127.0.0.1",
      replicas: 3,
      webRoot: outDir,
      chord: FAST_RING,
      ...options,
    });
    await waitForHealth(node.apiUrl);
    return node;
  };

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), "wisp-reach-"));
    mkdirSync(SHOTS, { recursive: true });
    await buildApp(outDir);
    const first = await start({ port: 0, apiPort: 0 });
    nodes.push(first);
    for (let i = 0; i < 2; i++) nodes.push(await start({ port: 0, apiPort: 0, bootstrap: first.addr }));
    for (let i = 0; i < 200 && !nodes.every((n) => n.chord.successors().length === 2); i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    for (const node of nodes) await node.stop();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  }, 60_000);

  async function openAt(url: string): Promise<{ page: Page; address: string }> {
    const context = await browser!.newContext({ viewport: { width: 1100, height: 720 } });
    await context.grantPermissions(["notifications"], { origin: url });
    await context.addInitScript(COUNT_NOTIFICATIONS);
    contexts.push(context);
    const page = await context.newPage();
    page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
    await page.goto(`${url}/`);
    const address = await addressOf(page);
    await connected(page);
    return { page, address };
  }

  const connected = (page: Page, timeout = UI_TIMEOUT) =>
    page.locator('[data-state="connected"]').first().waitFor({ timeout });
  const inUse = (page: Page) => page.locator('.node-row[data-in-use="true"]').getAttribute("data-url");
  const openSettings = (page: Page) => page.getByRole("button", { name: "Settings", exact: true }).click();
  const closePanel = (page: Page) => page.locator(".panel-header .icon-button").click();

  /**
   * Desktop and phone width, light and dark. `side` scrolls that element of the side panel into
   * view; on a phone the open chat covers the panel, so it is closed for the shot and reopened.
   */
  async function shoot(page: Page, name: string, side?: string): Promise<void> {
    let closedChat = false;
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [width, device] of [
        [1100, "desktop"],
        [390, "phone"],
      ] as const) {
        await page.setViewportSize({ width, height: width > 600 ? 720 : 780 });
        const back = page.locator(".conv-bar .back");
        if (side !== undefined && (await back.isVisible())) {
          await back.click();
          closedChat = true;
        }
        if (side) await page.locator(side).scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(SHOTS, `reach-${name}-${device}-${scheme}.png`) });
      }
    }
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize({ width: 1100, height: 720 });
    if (closedChat) await reopenChat(page);
  }

  /** Opens Bob's chat again with Settings still open beside it. */
  async function reopenChat(page: Page): Promise<void> {
    await closePanel(page);
    await page.locator(".chat-item", { hasText: "Bob" }).click();
    await openSettings(page);
  }

  it("uses the node that served it and learns the ring's other nodes", async () => {
    alice = await openAt(nodes[0].apiUrl);
    bob = await openAt(nodes[1].apiUrl);
    await addContact(alice.page, bob.address, "Bob");
    await addContact(bob.page, alice.address, "Alice");
    await openSettings(alice.page);
    for (const node of nodes.slice(1))
      await alice.page
        .locator(`.node-row[data-url="${node.apiUrl}"][data-health="up"]`)
        .waitFor({ timeout: UI_TIMEOUT });
    expect(await inUse(alice.page)).toBe(nodes[0].apiUrl);
    await shoot(alice.page, "node-list", "#node-heading");
  }, 120_000);

  it("is connected through another node within 3 s of its node dying, and loses no message", async () => {
    await send(bob.page, "before node 1 dies");
    await expect
      .poll(() => incomingTexts(alice.page), { timeout: UI_TIMEOUT })
      .toContain("before node 1 dies");
    const died = Date.now();
    await nodes[0].stop();
    await send(bob.page, "while node 1 is down");
    await send(alice.page, "sent by Alice as node 1 died");
    await expect.poll(() => inUse(alice.page), { timeout: 3_000, interval: 50 }).not.toBe(nodes[0].apiUrl);
    await connected(alice.page, 3_000);
    const switchedMs = Date.now() - died;
    expect(switchedMs).toBeLessThan(3_000);
    await expect
      .poll(() => incomingTexts(alice.page), { timeout: UI_TIMEOUT })
      .toContain("while node 1 is down");
    await shoot(alice.page, "node-list-failed-over", "#node-heading");
    console.log(`failover: connected through ${await inUse(alice.page)} ${switchedMs} ms after node 1 died`);
  }, 60_000);

  it("goes back to its node within 2 s of it answering again", async () => {
    const old = nodes[0];
    nodes[0] = await start({ port: old.port, apiPort: old.apiPort, bootstrap: nodes[1].addr });
    const back = Date.now();
    await expect.poll(() => inUse(alice.page), { timeout: 2_000, interval: 50 }).toBe(old.apiUrl);
    const backMs = Date.now() - back;
    await send(bob.page, "after node 1 is back");
    await expect
      .poll(() => incomingTexts(alice.page), { timeout: UI_TIMEOUT })
      .toContain("after node 1 is back");
    console.log(`return: back on node 1 ${backMs} ms after it answered`);
    await closePanel(alice.page);
  }, 60_000);

  it("notifies once per message while hidden, with the sender's name, and not for a muted chat", async () => {
    await openSettings(alice.page);
    await alice.page.getByRole("button", { name: "Turn on notifications" }).click();
    await alice.page.locator('[data-notify="on"]').waitFor({ timeout: UI_TIMEOUT });
    await shoot(alice.page, "notifications-on", "#notify-heading");
    await closePanel(alice.page);
    await alice.page.locator(".chat-item", { hasText: "Bob" }).click();
    await alice.page.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    const shown = () =>
      alice.page.evaluate(() => (window as unknown as { shownNotifications: unknown[] }).shownNotifications);
    await send(bob.page, "first while hidden");
    await send(bob.page, "second while hidden");
    await expect.poll(shown, { timeout: UI_TIMEOUT }).toHaveLength(2);
    expect(await shown()).toEqual([
      { title: "Bob", body: "New message" },
      { title: "Bob", body: "New message" },
    ]);
    await alice.page.getByRole("button", { name: "Mute this chat" }).click();
    await send(bob.page, "third, muted");
    await expect.poll(() => incomingTexts(alice.page), { timeout: UI_TIMEOUT }).toContain("third, muted");
    expect(await shown()).toHaveLength(2);
    await shoot(alice.page, "chat-muted");
  }, 60_000);

  it("sends a message queued during a network drop within 2 s of the browser being online again", async () => {
    const context = alice.page.context();
    await context.setOffline(true);
    await alice.page.locator('.conn[data-state="offline"]').waitFor({ timeout: UI_TIMEOUT });
    await send(alice.page, "written while offline");
    expect(await statusOf(alice.page, "written while offline")).toBe("sending");
    const online = Date.now();
    await context.setOffline(false);
    await expect
      .poll(() => statusOf(alice.page, "written while offline"), { timeout: 2_000, interval: 50 })
      .not.toBe("sending");
    console.log(`online: queued message stored ${Date.now() - online} ms after the browser was online`);
    await expect
      .poll(() => incomingTexts(bob.page), { timeout: UI_TIMEOUT })
      .toContain("written while offline");
  }, 60_000);

  it("locks with a passphrase, asks for it on open, and still exports the identity", async () => {
    await openSettings(alice.page);
    await alice.page.getByLabel("Passphrase", { exact: true }).fill("a long passphrase");
    await alice.page.getByLabel("Repeat it").fill("a long passphrase");
    await alice.page.getByRole("button", { name: "Lock with passphrase" }).click();
    await alice.page.locator('[data-lock="on"]').waitFor({ timeout: UI_TIMEOUT });
    await alice.page.reload();
    await alice.page.getByText("Wisp is locked").waitFor({ timeout: UI_TIMEOUT });
    await shoot(alice.page, "lock-screen");
    await alice.page.getByPlaceholder("Passphrase").fill("not the passphrase");
    await alice.page.getByRole("button", { name: "Unlock" }).click();
    await alice.page.getByRole("alert").waitFor({ timeout: UI_TIMEOUT });
    expect(await alice.page.getByRole("alert").textContent()).toContain("does not open");
    await alice.page.getByPlaceholder("Passphrase").fill("a long passphrase");
    await alice.page.getByRole("button", { name: "Unlock" }).click();
    expect(await addressOf(alice.page)).toBe(alice.address);
    await openSettings(alice.page);
    const downloading = alice.page.waitForEvent("download");
    await alice.page.getByRole("button", { name: "Export identity" }).click();
    const file = join(outDir, "alice.json");
    await (await downloading).saveAs(file);
    const { parseIdentityFile } = await import("@wisp/lib");
    const { readFileSync } = await import("node:fs");
    const parsed = parseIdentityFile(readFileSync(file, "utf8"));
    expect(parsed.ok && parsed.file.identity.address).toBe(alice.address);
    await closePanel(alice.page);
  }, 60_000);

  it("opens from its cache with every node stopped, and shows its history", async () => {
    expect(await alice.page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    for (const node of nodes) await node.stop();
    await alice.page.reload();
    await alice.page.getByPlaceholder("Passphrase").fill("a long passphrase");
    await alice.page.getByRole("button", { name: "Unlock" }).click();
    await addressOf(alice.page);
    await alice.page.locator(".chat-item", { hasText: "Bob" }).click();
    await expect
      .poll(() => incomingTexts(alice.page), { timeout: UI_TIMEOUT })
      .toEqual(
        expect.arrayContaining(["before node 1 dies", "while node 1 is down", "after node 1 is back"]),
      );
    expect(await alice.page.locator(".conn").getAttribute("data-state")).not.toBe("connected");
    await alice.page.getByText("No node answers.").waitFor({ timeout: UI_TIMEOUT });
    await alice.page.screenshot({ path: join(SHOTS, "reach-offline-from-cache.png") });

    // A node comes back: "Reconnect now" (or the pool's own probe a second later) finds it.
    // When the probe wins, the banner and its button are gone before the click lands.
    const old = nodes[1];
    nodes[1] = await start({ port: old.port, apiPort: old.apiPort });
    const reconnect = alice.page.getByRole("button", { name: "Reconnect now" }).click();
    await Promise.race([reconnect, connected(alice.page, 5_000)]);
    reconnect.catch(() => undefined);
    await connected(alice.page, 5_000);
  }, 60_000);
});
