/**
 * Renders public/icon.svg into the PNG icons the manifest names (icon-192.png, icon-512.png),
 * with the system Chromium: `npx tsx webclient/scripts/icons.ts`. Run it after changing the SVG.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const publicDir = fileURLToPath(new URL("../public/", import.meta.url));
const svg = readFileSync(`${publicDir}icon.svg`, "utf8");
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
try {
  for (const size of [192, 512]) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    await page.setContent(
      `<style>html,body{margin:0}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`,
    );
    await page.screenshot({ path: `${publicDir}icon-${size}.png` });
    await page.close();
  }
} finally {
  await browser.close();
}
