/**
 * Reads a Chromium trace (chromium.startTracing → stopTracing, Trace Event Format JSON): each
 * renderer's main-thread time by kind of work, and the app's User Timing spans as the trace saw them.
 */
import { percentile } from "./stats";

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  id?: string;
  id2?: { local?: string; global?: string };
  args?: { name?: string };
}

export const TRACE_CATEGORIES = ["toplevel", "devtools.timeline", "blink.user_timing", "v8.execute", "v8"];

const KINDS: Record<string, string> = {
  FunctionCall: "scripting",
  EvaluateScript: "scripting",
  "v8.evaluateModule": "scripting",
  RunMicrotasks: "scripting",
  TimerFire: "scripting",
  EventDispatch: "scripting",
  UpdateLayoutTree: "style + layout",
  Layout: "style + layout",
  PrePaint: "paint",
  Paint: "paint",
  Layerize: "paint",
  UpdateLayer: "paint",
  Commit: "paint",
  MinorGC: "GC",
  MajorGC: "GC",
  "V8.GC_SCAVENGER": "GC",
  "V8.GC_MARK_COMPACTOR": "GC",
  ParseHTML: "parse",
};

export interface RendererSummary {
  pid: number;
  /** Kind of work → ms of self time on the main thread. */
  kinds: Record<string, number>;
  /** Time inside top-level slices (tasks) on the main thread, ms. */
  busy: number;
  /** User Timing span name → its durations in ms. */
  spans: Record<string, number[]>;
}

export function summarizeTrace(json: string): RendererSummary[] {
  const parsed = JSON.parse(json) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const mainThreads = new Set<string>();
  for (const e of events)
    if (e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain")
      mainThreads.add(`${e.pid}:${e.tid}`);
  const byPid = new Map<number, RendererSummary>();
  const summary = (pid: number) => {
    let found = byPid.get(pid);
    if (!found) {
      found = { pid, kinds: {}, busy: 0, spans: {} };
      byPid.set(pid, found);
    }
    return found;
  };
  const open = new Map<string, number>();
  const slices = new Map<string, TraceEvent[]>();
  for (const e of events) {
    if (e.cat.includes("blink.user_timing") && e.name.startsWith("wisp:")) {
      const key = `${e.pid}:${e.name}:${e.id ?? e.id2?.local ?? e.id2?.global ?? ""}`;
      if (e.ph === "b") open.set(key, e.ts);
      const began = open.get(key);
      if (e.ph === "e" && began !== undefined) {
        open.delete(key);
        (summary(e.pid).spans[e.name] ??= []).push((e.ts - began) / 1000);
      }
      continue;
    }
    const thread = `${e.pid}:${e.tid}`;
    if (e.ph !== "X" || e.dur === undefined || !mainThreads.has(thread)) continue;
    let list = slices.get(thread);
    if (!list) slices.set(thread, (list = []));
    list.push(e);
  }
  for (const [thread, list] of slices) addSelfTimes(summary(Number(thread.split(":")[0])), list);
  return [...byPid.values()].filter((s) => s.busy > 0 || Object.keys(s.spans).length > 0);
}

/**
 * Self time per kind: a slice's duration minus its children's, so a Layout forced inside a
 * FunctionCall counts as layout and not twice. Slices of one thread nest (Trace Event Format).
 */
function addSelfTimes(s: RendererSummary, list: TraceEvent[]): void {
  list.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const stack: { end: number; kind: string; self: number }[] = [];
  const close = (until: number) => {
    while (stack.length > 0 && stack[stack.length - 1].end <= until) {
      const done = stack.pop() as { kind: string; self: number };
      if (done.kind) s.kinds[done.kind] = (s.kinds[done.kind] ?? 0) + done.self / 1000;
    }
  };
  for (const e of list) {
    close(e.ts);
    const dur = e.dur ?? 0;
    if (stack.length === 0) s.busy += dur / 1000;
    const parent = stack[stack.length - 1];
    if (parent) parent.self -= dur;
    stack.push({ end: e.ts + dur, kind: KINDS[e.name] ?? (stack.length === 0 ? "other" : ""), self: dur });
  }
  close(Number.POSITIVE_INFINITY);
}

/** A Markdown table of one renderer's work per message and its spans' medians. */
export function traceTable(label: string, s: RendererSummary, messages: number): string {
  const per = (v: number) => `${(v / messages).toFixed(2)} ms`;
  const lines = [
    `| ${label}: main thread per message | ms |`,
    "| --- | --- |",
    `| busy (all tasks) | ${per(s.busy)} |`,
  ];
  for (const [kind, total] of Object.entries(s.kinds).sort((a, b) => b[1] - a[1]))
    lines.push(`| ${kind} | ${per(total)} |`);
  for (const [name, durations] of Object.entries(s.spans).sort())
    lines.push(`| span ${name} (p50 of ${durations.length}) | ${percentile(durations, 50).toFixed(2)} ms |`);
  return lines.join("\n");
}
