/**
 * Start-up: from spawning bin/wisp-node (node/dist already built) to the first 200 of /v1/health.
 * A node's first start grinds its key (the ring-id puzzle, 2^13 key pairs on average, a different
 * number every time); every later start reads it from its key file. The row judges the later
 * starts, which are what the code decides, and prints the first starts' median beside them.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../lib/build";
import { type BenchConfig, pick } from "../lib/config";
import type { Row } from "../lib/row";
import { median, ms, nowMs, sleep } from "../lib/stats";

export async function startUp(config: BenchConfig): Promise<Row> {
  const runs = pick(config, 7, 1);
  const folder = mkdtempSync(join(tmpdir(), "wisp-startup-"));
  const keyFile = { WISP_KEY_FILE: join(folder, "node.key") };
  const bin = [join(ROOT, "bin/wisp-node")];
  const viaBin: number[] = [];
  const viaDist: number[] = [];
  const firstStarts: number[] = [];
  try {
    await timeToHealth(bin, keyFile); // warm-up: file cache, and the key file written
    for (let i = 0; i < runs; i++) {
      viaBin.push(await timeToHealth(bin, keyFile));
      viaDist.push(
        await timeToHealth(["node", "--enable-source-maps", join(ROOT, "node/dist/wisp-node.cjs")], keyFile),
      );
      firstStarts.push(await timeToHealth(bin, {}));
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const figure = median(viaBin);
  const direct = median(viaDist);
  const first = median(firstStarts);
  config.log(
    `start-up: bin ${JSON.stringify(viaBin)}, dist ${JSON.stringify(viaDist)}, first starts ${JSON.stringify(firstStarts)}`,
  );
  return {
    row: "start-up",
    figure: `${ms(figure)} with its key file (node/dist/wisp-node.cjs started directly: ${ms(direct)}); a first start, grinding its key: ${ms(first)} (${ms(Math.min(...firstStarts))}–${ms(Math.max(...firstStarts))})`,
    target: "≤ 300 ms",
    met: figure <= 300,
    command: "npm run bench (bench/rows/startup.ts: spawn bin/wisp-node → GET /v1/health 200)",
    values: { medianMs: figure, distMedianMs: direct, firstStartMedianMs: first, runs },
    note: `median of ${runs} starts with a key file after a warm-up start, and of ${runs} first starts (no key file); health polled every 2 ms once the node logs "listening"`,
  };
}

async function timeToHealth(command: string[], env: Record<string, string>): Promise<number> {
  const started = nowMs();
  const proc = spawn(command[0], [...command.slice(1), "--port", "0", "--api-port", "0"], {
    env: { ...process.env, WISP_HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  try {
    const apiUrl = await new Promise<string>((resolve, reject) => {
      let buffered = "";
      const timer = setTimeout(() => reject(new Error("no listening line in 10 s")), 10_000);
      proc.stdout.on("data", (chunk: Buffer) => {
        buffered += chunk.toString();
        const match = /"apiUrl":"([^"]+)"/.exec(buffered);
        if (!match) return;
        clearTimeout(timer);
        resolve(match[1]);
      });
    });
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      const status = await fetch(`${apiUrl}/v1/health`, { signal: AbortSignal.timeout(1_000) })
        .then((r) => r.status)
        .catch(() => 0);
      if (status === 200) return nowMs() - started;
      await sleep(2);
    }
    throw new Error("no 200 from /v1/health in 10 s");
  } finally {
    proc.kill("SIGKILL");
    await exited;
  }
}
