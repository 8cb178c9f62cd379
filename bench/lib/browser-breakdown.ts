/**
 * Where a browser message's time goes: per message, the app's User Timing spans (both pages, one
 * time base) lined up from Alice's Enter to the two ticks on her screen.
 */
import type { ProbeRecord, ProbeSpan } from "./page-probe";
import { percentile } from "./stats";

export interface Timeline {
  text: string;
  ownBubble: number;
  /** Enter → the animation frame that paints Alice's bubble. */
  ownPainted: number;
  peerScreen: number;
  /** Enter → the animation frame that paints the text on Bob's screen. */
  peerPainted: number;
  ticks: number;
  /** Step name → [start after Enter, duration] in ms. */
  steps: Record<string, [number, number]>;
}

/** The steps in the order a message passes them; a name says which page runs it. */
export const STEPS = [
  "A seal",
  "A IndexedDB",
  "A store request",
  "node: store → B's long-poll answer",
  "B open",
  "B render (open → DOM)",
  "B IndexedDB",
  "B receipt (until it leaves)",
  "B long-poll re-armed",
  "B receipt → A's long-poll answer",
  "A open receipt",
  "A render ✓✓ (open → DOM)",
] as const;

export function timelines(alice: ProbeRecord, bob: ProbeRecord, texts: readonly string[]): Timeline[] {
  const out: Timeline[] = [];
  for (const text of texts) {
    const enter = alice.enter[text];
    const id = alice.idOf[text];
    if (enter === undefined || !id) continue;
    const steps: Record<string, [number, number]> = {};
    const put = (name: string, span: { start: number; end: number } | undefined) => {
      if (span) steps[name] = [span.start - enter, span.end - span.start];
    };
    put("A seal", find(alice.spans, "wisp:seal", id));
    put("A IndexedDB", find(alice.spans, "wisp:idb", id));
    const store = find(alice.spans, "wisp:store", id);
    put("A store request", store);
    const answer = find(bob.spans, "wisp:poll", id);
    if (store && answer) put("node: store → B's long-poll answer", { start: store.start, end: answer.end });
    const opened = find(bob.spans, "wisp:open", id);
    put("B open", opened);
    if (opened && bob.arrived[text] !== undefined)
      put("B render (open → DOM)", { start: opened.end, end: bob.arrived[text] });
    put("B IndexedDB", find(bob.spans, "wisp:idb", id));
    const receipt = find(bob.spans, "wisp:receipt", id);
    put("B receipt (until it leaves)", receipt);
    if (answer)
      put(
        "B long-poll re-armed",
        bob.spans.find((s) => s.name === "wisp:rearm" && s.start >= answer.end - 0.01),
      );
    const receiptOpen = find(alice.spans, "wisp:open", id);
    const receiptId = receiptOpen?.detail?.id;
    const receiptAnswer =
      typeof receiptId === "string" ? find(alice.spans, "wisp:poll", receiptId) : undefined;
    if (receipt && receiptAnswer)
      put("B receipt → A's long-poll answer", { start: receipt.start, end: receiptAnswer.end });
    put("A open receipt", receiptOpen);
    if (receiptOpen && alice.delivered[text] !== undefined)
      put("A render ✓✓ (open → DOM)", { start: receiptOpen.end, end: alice.delivered[text] });
    out.push({
      text,
      ownBubble: alice.shown[text] - enter,
      ownPainted: alice.painted[text] - enter,
      peerScreen: bob.arrived[text] - enter,
      peerPainted: bob.painted[text] - enter,
      ticks: alice.delivered[text] - enter,
      steps,
    });
  }
  return out;
}

/** The span named `name` about message `id` (its detail's id, or one of its ids). */
function find(spans: readonly ProbeSpan[], name: string, id: string): ProbeSpan | undefined {
  return spans.find((s) => {
    if (s.name !== name || !s.detail) return false;
    const { id: one, ids, for: about } = s.detail as { id?: string; ids?: string[]; for?: string[] };
    if (name === "wisp:open" && about) return about.includes(id);
    return one === id || (Array.isArray(ids) && ids.includes(id));
  });
}

/** One Markdown table: each step's median start after Enter and median duration. */
export function breakdownTable(lines: readonly Timeline[]): string {
  const rows = [
    "| step | starts after Enter (p50) | takes (p50) | takes (p99) | seen in |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const step of STEPS) {
    const found = lines.map((l) => l.steps[step]).filter((s): s is [number, number] => s !== undefined);
    if (found.length === 0) {
      rows.push(`| ${step} | – | – | – | 0 |`);
      continue;
    }
    const start = percentile(
      found.map((s) => s[0]),
      50,
    );
    const took = found.map((s) => s[1]);
    rows.push(
      `| ${step} | ${start.toFixed(1)} ms | ${percentile(took, 50).toFixed(1)} ms | ${percentile(took, 99).toFixed(1)} ms | ${found.length} |`,
    );
  }
  return rows.join("\n");
}
