// Installs what a fresh clone lacks: npm packages (from the lockfile) and Debian's Chromium.
import { execSync } from "node:child_process";
import { existsSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
const run = (cmd) => execSync(cmd, { cwd: root, stdio: "inherit" });

if (!existsSync(`${root}node_modules/.bin/vitest`)) {
  console.log("[wisp] installing npm packages (npm ci)…");
  run("npm ci --no-audit --no-fund");
}

const wantsBrowser = !process.argv.includes("--no-browser");
if (wantsBrowser && !existsSync("/usr/bin/chromium")) {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot) {
    console.log("[wisp] installing Debian's Chromium for the browser tests…");
    run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium");
  } else {
    console.warn(
      "[wisp] /usr/bin/chromium is missing: run `sudo apt-get install -y chromium`; browser tests will fail.",
    );
  }
}
