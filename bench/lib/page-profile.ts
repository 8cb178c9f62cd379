/**
 * WISP_BENCH_PROFILE=1: the browser row also records a V8 CPU profile of each page (CDP
 * Profiler) during its traced messages and prints the functions with the most self time. The
 * app is then built without minifying, so the names are the source's.
 */
import type { Page } from "playwright-core";

export const profiling = process.env.WISP_BENCH_PROFILE === "1";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export async function startProfile(page: Page): Promise<() => Promise<string>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Profiler.start");
  return async () => {
    const { profile } = (await cdp.send("Profiler.stop")) as unknown as {
      profile: { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] };
    };
    await cdp.detach();
    const perSample = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
    const self = new Map<string, number>();
    for (const node of profile.nodes) {
      const { functionName, url, lineNumber } = node.callFrame;
      const file = url.split("/").pop() ?? "";
      const name = `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
      self.set(name, (self.get(name) ?? 0) + (node.hitCount ?? 0) * perSample);
    }
    const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
    return top.map(([name, msTotal]) => `${msTotal.toFixed(1).padStart(8)} ms  ${name}`).join("\n");
  };
}
