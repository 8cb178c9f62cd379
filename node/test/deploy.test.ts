/** The deployment files in deploy/ stay true: the unit verifies, and every WISP_* they set is a real setting. */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { USAGE } from "../src/config";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const UNIT = `${ROOT}deploy/wisp-node.service`;
const hasSystemd = spawnSync("systemd-analyze", ["--version"]).status === 0;

function settingsIn(text: string): string[] {
  return [...new Set(text.match(/WISP_[A-Z_]+/g) ?? [])];
}

describe("deploy/", () => {
  it.runIf(hasSystemd)("has a systemd unit that systemd-analyze verify accepts", () => {
    const verified = spawnSync("systemd-analyze", ["verify", UNIT], { encoding: "utf8", timeout: 30_000 });
    expect(verified.stderr.trim()).toBe("");
    expect(verified.status).toBe(0);
  });

  it("sets only settings the node knows, and builds with scripts that exist", () => {
    const files = ["deploy/wisp-node.service", "deploy/Containerfile", "deploy/Caddyfile", "docs/deploy.md"];
    for (const file of files) {
      const text = readFileSync(`${ROOT}${file}`, "utf8");
      for (const name of settingsIn(text)) {
        if (name === "WISP_NODE" || name === "WISP_IDENTITY") continue; // the CLI's, not the node's
        expect(USAGE, `${file} names ${name}`).toContain(name);
      }
    }
    const containerfile = readFileSync(`${ROOT}deploy/Containerfile`, "utf8");
    expect(containerfile).toContain("node node/build.mjs");
    expect(existsSync(`${ROOT}node/build.mjs`)).toBe(true);
    const webclient = JSON.parse(readFileSync(`${ROOT}webclient/package.json`, "utf8"));
    expect(webclient.scripts.build).toBeDefined();
  });
});
