/**
 * The web app as a person feels it: Alice and Bob in two headless Chromium pages, each with the
 * other's chat open, on nodes 1 and 2 of three bin/wisp-node processes. Alice sends messages one
 * after another; the probe (bench/lib/page-probe.ts) times, inside the pages and on one time
 * base, her Enter → her own bubble, → the text on Bob's screen, → ✓✓ on her bubble. The app's
 * User Timing spans say where the time goes; a second, shorter run under a Chromium trace says
 * what the main threads did. Last, Bob's chat is filled with 2,000 messages and the time to
 * render an arriving one is measured (open → DOM, and the frame that paints it).
 */
import { existsSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { CHROMIUM } from "../../webclient/test/e2e/chromium";
import { breakdownTable, type Timeline, timelines } from "../lib/browser-breakdown";
import {
  type AppPage,
  addContact,
  addressOf,
  sendAndWait,
  startBrowserStage,
  takeRecord,
} from "../lib/browser-session";
import { type BenchConfig, pick } from "../lib/config";
import { profiling, startProfile } from "../lib/page-profile";
import type { Row } from "../lib/row";
import { latencyOf, ms, percentile, sleep } from "../lib/stats";
import { summarizeTrace, TRACE_CATEGORIES, traceTable } from "../lib/trace-summary";
import { browserCrypto } from "./browser-crypto";

const WARM_UP = 5;
const GAP_MS = 100;
const COMMAND =
  "npm run bench (bench/rows/browser.ts: 2 × headless Chromium, 3 × bin/wisp-node, in-page probe)";

export async function browserRows(config: BenchConfig): Promise<Row[]> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing`);
  const messages = pick(config, 50, 3);
  const traced = pick(config, 20, 2);
  const longChat = pick(config, 2_000, 200);
  const arrivals = pick(config, 20, 2);
  const stage = await startBrowserStage();
  try {
    const alice = await stage.open(0);
    const bob = await stage.open(1);
    await addContact(alice.page, bob.address, "Bob");
    await addContact(bob.page, alice.address, "Alice");
    for (let i = 0; i < WARM_UP; i++) await sendAndWait(alice.page, bob.page, `warm-up ${i}`);
    await takeRecord(alice.page);
    await takeRecord(bob.page);

    const load = loadavg()[0];
    const lines = await exchange(alice, bob, "m", messages);
    const breakdown = breakdownTable(lines);
    config.log(`browser breakdown (${lines.length} messages, load ${load.toFixed(2)}):\n${breakdown}`);

    const profiles = profiling ? [await startProfile(alice.page), await startProfile(bob.page)] : [];
    await stage.browser.startTracing(undefined, { categories: TRACE_CATEGORIES });
    await exchange(alice, bob, "t", traced);
    for (const [i, stop] of profiles.entries())
      config.log(
        `CPU profile of ${i === 0 ? "Alice" : "Bob"}, ${traced} messages, self time:\n${await stop()}`,
      );
    const traceJson = (await stage.browser.stopTracing()).toString("utf8");
    // WISP_BENCH_TRACE=file keeps the trace for chrome://tracing or Perfetto.
    if (process.env.WISP_BENCH_TRACE) writeFileSync(process.env.WISP_BENCH_TRACE, traceJson);
    const trace = summarizeTrace(traceJson);
    // The browser's other renderers (its start page, extensions' hosts) do next to nothing.
    for (const renderer of trace.filter((r) => r.busy / traced >= 0.5)) {
      const label = renderer.spans["wisp:seal"]
        ? "Alice"
        : renderer.spans["wisp:receipt"]
          ? "Bob"
          : `pid ${renderer.pid}`;
      config.log(`trace, ${traced} messages:\n${traceTable(label, renderer, traced)}`);
    }

    const chat = await longChatRender(alice, bob, longChat, arrivals);
    const crypto = await browserCrypto(
      stage.browser,
      `${stage.nodes[0].apiUrl}/v1/health`,
      pick(config, 200, 5),
    );
    return [
      latencyRow(
        "browser: own bubble",
        lines.map((l) => l.ownBubble),
        "p50 ≤ 16 ms",
        (p50) => p50 <= 16,
        load,
        lines.map((l) => l.ownPainted),
      ),
      latencyRow(
        "browser: peer screen",
        lines.map((l) => l.peerScreen),
        "p50 ≤ 25 ms, p99 ≤ 60 ms",
        (p50, p99) => p50 <= 25 && p99 <= 60,
        load,
        lines.map((l) => l.peerPainted),
      ),
      latencyRow(
        "browser: ✓✓",
        lines.map((l) => l.ticks),
        "p50 ≤ 50 ms",
        (p50) => p50 <= 50,
        load,
        [],
        stepValues(lines),
      ),
      {
        row: "browser: long chat, arriving message",
        figure: `render p50 ${ms(chat.render.p50)}, p99 ${ms(chat.render.p99)}; answer → painted frame p50 ${ms(chat.frame.p50)} (${chat.render.count} arrivals in a ${longChat.toLocaleString("en-US")}-message chat)`,
        target: "render ≤ 16 ms",
        met: chat.render.p50 <= 16,
        command: COMMAND,
        values: {
          renderP50Ms: chat.render.p50,
          renderP99Ms: chat.render.p99,
          frameP50Ms: chat.frame.p50,
          longTasks: chat.longTasks,
        },
        note: `open → bubble in the DOM, in Bob's page with ${longChat} messages in the open chat; ${chat.longTasks} long tasks (> 50 ms) meanwhile`,
      },
      crypto,
    ];
  } finally {
    await stage.close();
  }
}

async function exchange(alice: AppPage, bob: AppPage, prefix: string, count: number): Promise<Timeline[]> {
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const text = `${prefix}${i} — the quick brown fox jumps over the lazy dog`;
    texts.push(text);
    await sendAndWait(alice.page, bob.page, text);
    // Let Bob's write and acknowledgement finish: messages one after another, not a burst.
    await sleep(GAP_MS);
  }
  return timelines(await takeRecord(alice.page), await takeRecord(bob.page), texts);
}

function latencyRow(
  row: string,
  samples: number[],
  target: string,
  met: (p50: number, p99: number) => boolean,
  load: number,
  painted: number[] = [],
  extra: Record<string, number> = {},
): Row {
  const l = latencyOf(samples);
  const frame = percentile(painted, 50);
  const framed = painted.length > 0 ? `; the frame that paints it p50 ${ms(frame)}` : "";
  return {
    row,
    figure: `p50 ${ms(l.p50)}, p99 ${ms(l.p99)} (${l.count} messages)${framed}`,
    target,
    met: met(l.p50, l.p99),
    command: COMMAND,
    values: {
      p50Ms: l.p50,
      p99Ms: l.p99,
      messages: l.count,
      loadavg1: load,
      ...(painted.length > 0 ? { paintedFrameP50Ms: frame } : {}),
      ...extra,
    },
    note: `from Alice's Enter, in the pages (performance.timeOrigin + now, MutationObserver); load average ${load.toFixed(2)} at start`,
  };
}

function stepValues(lines: readonly Timeline[]): Record<string, number> {
  const out: Record<string, number> = {};
  const names = new Set(lines.flatMap((l) => Object.keys(l.steps)));
  for (const name of names) {
    const took = lines.map((l) => l.steps[name]?.[1]).filter((v): v is number => v !== undefined);
    out[`step p50 ms: ${name}`] = percentile(took, 50);
  }
  return out;
}

/** Bob's chat gets `size` stored messages (written to IndexedDB, then a reload); Alice sends `count` more. */
async function longChatRender(alice: AppPage, bob: AppPage, size: number, count: number) {
  await bob.page.evaluate(
    ({ peer, size }) =>
      new Promise<void>((resolve, reject) => {
        const request = indexedDB.open("wisp");
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const db = request.result;
          const tx = db.transaction("messages", "readwrite");
          const store = tx.objectStore("messages");
          const now = Date.now();
          for (let i = 0; i < size; i++) {
            const at = now - (size - i) * 90_000;
            const id = `seed${String(i).padStart(6, "0")}`.padEnd(22, "A");
            const out = i % 3 === 0;
            store.put({
              id,
              peer,
              out,
              text: `earlier message ${i}: ${"lorem ipsum ".repeat(1 + (i % 5))}`,
              sentAt: at,
              at,
              ...(out ? { status: "delivered" } : {}),
            });
          }
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    { peer: alice.address, size },
  );
  await bob.page.reload();
  await addressOf(bob.page);
  await bob.page.locator(".chat-item", { hasText: "Alice" }).click();
  await bob.page.locator(".bubble", { hasText: `earlier message ${size - 1}:` }).waitFor({ timeout: 60_000 });
  await bob.page.locator('.conn[data-state="connected"]').waitFor({ timeout: 30_000 });
  await takeRecord(alice.page);
  await takeRecord(bob.page);
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const text = `long chat ${i}`;
    texts.push(text);
    await sendAndWait(alice.page, bob.page, text);
    await sleep(GAP_MS);
  }
  const record = await takeRecord(bob.page);
  const render: number[] = [];
  const frame: number[] = [];
  for (const text of texts) {
    const id = record.idOf[text];
    const opened = record.spans.find((s) => s.name === "wisp:open" && s.detail?.id === id);
    const answer = record.spans.find(
      (s) => s.name === "wisp:poll" && (s.detail?.ids as string[] | undefined)?.includes(id),
    );
    if (opened) render.push(record.arrived[text] - opened.end);
    if (answer && record.painted[text] !== undefined) frame.push(record.painted[text] - answer.end);
  }
  return { render: latencyOf(render), frame: latencyOf(frame), longTasks: record.longTasks.length };
}
