/** The steps of the group scenario (groups.test.ts): a person in a browser page, screenshots, the CLI, a bubble's menu. */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { runCli } from "../../../node/src/cli/run";
import { addressOf, UI_TIMEOUT, type World } from "./helpers";

export const SHOTS = fileURLToPath(new URL("../../../test-results/webclient/groups/", import.meta.url));
export const DESKTOP = { width: 1100, height: 720 };
export const PHONE = { width: 390, height: 760 };

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

export async function person(world: World, nodeUrl: string, name: string, picture = false) {
  const context = await world.browser.newContext({ viewport: DESKTOP });
  world.contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error(`${name}: page error: ${error.message}`));
  page.on("dialog", (dialog) => void dialog.accept());
  await page.goto(`${world.site.url}/?node=${encodeURIComponent(nodeUrl)}`);
  // A ?node= link only proposes its node: the person confirms it.
  await page.getByRole("button", { name: "Use this node" }).click({ timeout: UI_TIMEOUT });
  const address = await addressOf(page);
  await page.locator('.conn[data-state="connected"]').waitFor({ timeout: UI_TIMEOUT });
  await page.getByRole("button", { name: "Settings", exact: true }).click();
  await page.getByLabel("Display name").fill(name);
  if (picture) {
    await page.getByLabel("Picture").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: PNG });
    await page.locator('.profile-row img.avatar[src^="data:image/jpeg"]').waitFor({ timeout: UI_TIMEOUT });
  }
  await page.getByRole("button", { name: "Save name" }).click();
  await page.getByText("Saved. Your contacts see this name.").waitFor({ timeout: UI_TIMEOUT });
  await page.getByRole("button", { name: "Back to chats" }).click();
  return { page, address };
}

/** The same screen four ways: desktop and phone, light and dark. */
export async function shoot(page: Page, name: string): Promise<void> {
  for (const [size, viewport] of [
    ["desktop", DESKTOP],
    ["phone", PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(SHOTS, `${name}-${size}-${scheme}.png`) });
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize(DESKTOP);
}

export function cli(identity: string, nodeUrl: string) {
  return async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli([...argv, "--identity", identity, "--node", nodeUrl], {
      env: {},
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      signal: new AbortController().signal,
    });
    if (code !== 0) throw new Error(`wisp ${argv.join(" ")}: exit ${code}: ${err.join(" ")}`);
    return out;
  };
}

export const bubble = (page: Page, text: string) =>
  page
    .locator(".row .bubble")
    .filter({ has: page.locator(".text", { hasText: text }) })
    .last();
export const menu = async (page: Page, text: string, item: string) => {
  await bubble(page, text).hover();
  await bubble(page, text).getByRole("button", { name: "Message menu" }).click();
  await page.getByRole("menuitem", { name: item }).click();
};
