/**
 * The web app in a real browser against real nodes: Alice and Bob, each in their own browser
 * context and on their own node of one ring, add each other, chat both ways, watch the ticks,
 * reload, and see an unread message expire into a NACK.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addContact,
  addressOf,
  CHROMIUM,
  incomingTexts,
  outgoingTexts,
  send,
  startWorld,
  statusOf,
  stopWorld,
  UI_TIMEOUT,
  type World,
  waitStatus,
} from "./helpers";

const hasBrowser = existsSync(CHROMIUM);
const browserRequired = process.env.WISP_REQUIRE_BROWSER === "1";
const TTL_MS = 5_000;
const SHOTS = fileURLToPath(new URL("../../../test-results/webclient/", import.meta.url));

if (!hasBrowser)
  console.warn(`webclient browser test: ${CHROMIUM} is missing; install it with apt-get install -y chromium`);

describe("web app in Chromium", () => {
  if (!hasBrowser && browserRequired)
    it("has Chromium, as WISP_REQUIRE_BROWSER=1 demands", () => {
      expect.fail(`${CHROMIUM} is missing and WISP_REQUIRE_BROWSER=1: the browser test cannot run`);
    });

  describe.runIf(hasBrowser)("Alice and Bob on two nodes", () => {
    let world: World | null = null;
    let outDir = "";
    let site: World["site"] | null = null;
    let browser: World["browser"] | null = null;
    let nodes: World["nodes"] = [];
    let contexts: World["contexts"] = [];

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      world = await startWorld(TTL_MS);
      ({ outDir, site, browser, nodes, contexts } = world);
    }, 120_000);

    afterAll(() => stopWorld(world), 60_000);

    async function openApp(
      nodeUrl: string,
    ): Promise<{ context: BrowserContext; page: Page; address: string }> {
      const context = await browser!.newContext({ viewport: { width: 1100, height: 720 } });
      contexts.push(context);
      const page = await context.newPage();
      page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
      await page.goto(`${site!.url}/?node=${encodeURIComponent(nodeUrl)}`);
      // A link only proposes its node: the app asks first.
      await page.getByRole("button", { name: "Use this node" }).waitFor({ timeout: UI_TIMEOUT });
      await page.screenshot({ path: join(SHOTS, "0-node-link-prompt.png") });
      await page.getByRole("button", { name: "Use this node" }).click();
      const address = await addressOf(page);
      await page.locator('.conn[data-state="connected"]').waitFor({ timeout: UI_TIMEOUT });
      return { context, page, address };
    }

    it("chats both ways with ticks, keeps history over a reload, and turns an expired message red", async () => {
      const alice = await openApp(nodes[0].apiUrl);
      const bob = await openApp(nodes[1].apiUrl);
      expect(alice.address).not.toBe(bob.address);
      await expect
        .poll(() => alice.page.getByText("Welcome to Wisp").count(), { timeout: UI_TIMEOUT })
        .toBe(1);
      await alice.page.screenshot({ path: join(SHOTS, "1-alice-first-start.png") });

      // A mistyped address gets a clear error before the right one is accepted.
      await alice.page.getByRole("button", { name: "New chat", exact: true }).click();
      await alice.page.getByLabel("Address", { exact: true }).fill(bob.address.slice(0, 40));
      await alice.page.getByLabel("Name", { exact: true }).fill("Bob");
      await alice.page.getByRole("button", { name: "Add contact" }).click();
      await expect
        .poll(() => alice.page.getByRole("alert").textContent(), { timeout: UI_TIMEOUT })
        .toContain("Address expected 43 characters, got 40");
      await alice.page.screenshot({ path: join(SHOTS, "2-alice-bad-address.png") });
      await addContact(alice.page, bob.address, "Bob");
      await addContact(bob.page, alice.address, "Alice");

      await recordStatuses(alice.page);
      await send(alice.page, "Hi Bob, this is Alice.");
      await expect
        .poll(() => incomingTexts(bob.page), { timeout: UI_TIMEOUT })
        .toContain("Hi Bob, this is Alice.");
      await waitStatus(alice.page, "Hi Bob, this is Alice.", "read");
      const seen = await alice.page.evaluate(() => (window as unknown as { statuses: string[] }).statuses);
      expect(seen.indexOf("stored")).toBeGreaterThanOrEqual(0);
      expect(seen.indexOf("stored")).toBeLessThan(seen.indexOf("read"));

      // Shift+Enter starts a new line; Enter sends.
      const composer = bob.page.getByLabel("Message", { exact: true });
      await composer.fill("Hello Alice!");
      await composer.press("Shift+Enter");
      await composer.pressSequentially("Two lines, one bubble.");
      await composer.press("Enter");
      const reply = "Hello Alice!\nTwo lines, one bubble.";
      await expect.poll(() => incomingTexts(alice.page), { timeout: UI_TIMEOUT }).toContain(reply);
      await waitStatus(bob.page, reply, "read");
      await send(alice.page, "Great, it works both ways.");
      await waitStatus(alice.page, "Great, it works both ways.", "read");
      await expect
        .poll(() => incomingTexts(bob.page), { timeout: UI_TIMEOUT })
        .toContain("Great, it works both ways.");
      await alice.page.screenshot({ path: join(SHOTS, "3-alice-chat.png") });
      await bob.page.screenshot({ path: join(SHOTS, "3-bob-chat.png") });

      // Bob's history lives in IndexedDB: a reload shows the same conversation.
      await bob.page.reload();
      await addressOf(bob.page);
      await bob.page.locator(".chat-item", { hasText: "Alice" }).click();
      await expect
        .poll(() => incomingTexts(bob.page), { timeout: UI_TIMEOUT })
        .toEqual(["Hi Bob, this is Alice.", "Great, it works both ways."]);
      expect(await outgoingTexts(bob.page)).toEqual([reply]);
      expect(await statusOf(bob.page, reply)).toBe("read");
      await bob.page.screenshot({ path: join(SHOTS, "4-bob-after-reload.png") });

      // Someone Bob never added writes: a new chat labelled with the address, until Bob names it.
      const carol = await openApp(nodes[0].apiUrl);
      await addContact(carol.page, bob.address, "Bob");
      await send(carol.page, "Hi Bob, I'm Carol.");
      const unknown = bob.page.locator(`.chat-item[data-address="${carol.address}"]`);
      await expect
        .poll(() => unknown.locator(".badge").textContent(), { timeout: UI_TIMEOUT })
        .toContain("1");
      expect(await unknown.locator(".chat-title").textContent()).toContain(carol.address.slice(0, 8));
      await bob.page.screenshot({ path: join(SHOTS, "4-bob-unknown-sender.png") });
      await unknown.click();
      expect(await bob.page.locator(".conv-title h2").textContent()).toBe(carol.address);
      expect(await incomingTexts(bob.page)).toEqual(["Hi Bob, I'm Carol."]);
      await bob.page.getByLabel("Someone new wrote to you. Give them a name:").fill("Carol");
      await bob.page.getByRole("button", { name: "Save" }).click();
      await expect
        .poll(() => bob.page.locator(".conv-title h2").textContent(), { timeout: UI_TIMEOUT })
        .toBe("Carol");
      expect(await unknown.locator(".badge").count()).toBe(0);
      await waitStatus(carol.page, "Hi Bob, I'm Carol.", "read");
      // A burst that overfills the view ends with the newest message wholly in view.
      for (let i = 1; i <= 16; i++) await send(carol.page, `Line ${i} of a burst from Carol.`);
      const belowView = (el: Element) => el.scrollHeight - el.scrollTop - el.clientHeight;
      const bobSeesNewest = async (text: string) => {
        await expect.poll(() => incomingTexts(bob.page), { timeout: UI_TIMEOUT }).toContain(text);
        await expect
          .poll(() => bob.page.locator(".messages").evaluate(belowView), { timeout: UI_TIMEOUT })
          .toBeLessThan(1);
      };
      await bobSeesNewest("Line 16 of a burst from Carol.");
      // Narrowed like a phone turned upright, the chat stays at its newest message and goes on
      // following the new ones.
      await bob.page.setViewportSize({ width: 420, height: 720 });
      await bobSeesNewest("Line 16 of a burst from Carol.");
      for (let i = 17; i <= 19; i++) await send(carol.page, `Line ${i} of a burst from Carol.`);
      await bobSeesNewest("Line 19 of a burst from Carol.");
      await bob.page.setViewportSize({ width: 1100, height: 720 });

      // With Bob's app closed nobody collects the message: after the TTL it expires and NACKs.
      await bob.page.close();
      await send(alice.page, "Are you still there?");
      await waitStatus(alice.page, "Are you still there?", "stored");
      await waitStatus(alice.page, "Are you still there?", "failed", TTL_MS + 20_000);
      const failed = alice.page.locator(".row.out", { hasText: "Are you still there?" });
      expect(await failed.getByRole("alert").textContent()).toContain("Not delivered — expired after 5 s");
      await alice.page.screenshot({ path: join(SHOTS, "5-alice-expired.png") });

      await failed.getByRole("button", { name: "Resend" }).click();
      await waitStatus(alice.page, "Are you still there?", "stored");
      expect(await alice.page.locator(".bubble.failed").count()).toBe(0);
      expect(await outgoingTexts(alice.page)).toEqual([
        "Hi Bob, this is Alice.",
        "Great, it works both ways.",
        "Are you still there?",
      ]);

      // A narrow window shows one pane at a time.
      await alice.page.setViewportSize({ width: 420, height: 720 });
      expect(await alice.page.locator(".side").isVisible()).toBe(false);
      await alice.page.screenshot({ path: join(SHOTS, "6-alice-narrow-chat.png") });
      await alice.page.getByRole("button", { name: "Back to chats" }).click();
      expect(await alice.page.locator(".side").isVisible()).toBe(true);
      expect(await alice.page.locator(".main").isVisible()).toBe(false);
      await alice.page.screenshot({ path: join(SHOTS, "7-alice-narrow-list.png") });

      // The system's dark mode is honoured.
      await alice.page.emulateMedia({ colorScheme: "dark" });
      await alice.page.setViewportSize({ width: 1100, height: 720 });
      await alice.page.locator(".chat-item", { hasText: "Bob" }).click();
      const background = await alice.page
        .locator(".side")
        .evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(background).toBe("rgb(17, 27, 33)");
      await alice.page.screenshot({ path: join(SHOTS, "8-alice-dark.png") });

      // The identity moves to another browser through its exported file, contacts included.
      await alice.page.emulateMedia({ colorScheme: "light" });
      await alice.page.getByRole("button", { name: "Settings", exact: true }).click();
      expect(await alice.page.locator('.node-row[data-in-use="true"]').getAttribute("data-url")).toBe(
        nodes[0].apiUrl,
      );
      const downloading = alice.page.waitForEvent("download");
      await alice.page.getByRole("button", { name: "Export identity" }).click();
      const file = join(outDir, "alice-identity.json");
      await (await downloading).saveAs(file);
      await alice.page.screenshot({ path: join(SHOTS, "9-alice-settings.png") });
      const moved = await openApp(nodes[1].apiUrl);
      expect(moved.address).not.toBe(alice.address);
      moved.page.once("dialog", (dialog) => void dialog.accept());
      await moved.page.getByRole("button", { name: "Settings", exact: true }).click();
      const reloaded = moved.page.waitForEvent("load");
      await moved.page.getByLabel("Import identity").setInputFiles(file);
      await reloaded;
      expect(await addressOf(moved.page)).toBe(alice.address);
      await moved.page.locator(".chat-item", { hasText: "Bob" }).waitFor({ timeout: UI_TIMEOUT });

      // Its nodes go away.
      await moved.page
        .locator('.conn[data-state="connected"]')
        .waitFor({ timeout: UI_TIMEOUT })
        .catch(async (error: Error) => {
          const conn = moved.page.locator(".conn").first();
          const state = await conn.getAttribute("data-state").catch(() => "?");
          const why = await conn.getAttribute("title").catch(() => "?");
          const requests = await moved.page.evaluate(() =>
            performance
              .getEntriesByType("resource")
              .map(
                (e) =>
                  `${e.name.split("/").slice(-2).join("/")} ${Math.round(e.startTime)}+${Math.round(e.duration)}`,
              )
              .slice(-8),
          );
          throw new Error(
            `${error.message}\nconnection: ${state} (${why}); last requests: ${requests.join(", ")}`,
          );
        });
      // With every node gone the header says so instead of failing silently.
      await nodes[0].stop();
      await nodes[1].stop();
      await moved.page
        .locator('.conn[data-state="reconnecting"], .conn[data-state="offline"]')
        .waitFor({ timeout: 40_000 });
      await moved.page.screenshot({ path: join(SHOTS, "10-node-gone.png") });
    }, 180_000);
  });
});

/** Records every delivery status any bubble shows, in order, to prove ticks go from one to two. */
async function recordStatuses(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { statuses: string[] };
    w.statuses = [];
    const note = () => {
      for (const el of document.querySelectorAll(".row.out .bubble")) {
        const status = el.getAttribute("data-status") ?? "";
        if (w.statuses[w.statuses.length - 1] !== status) w.statuses.push(status);
      }
    };
    new MutationObserver(note).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["data-status"],
    });
  });
}
