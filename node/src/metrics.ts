/** A tiny Prometheus registry: counters and gauges with optional labels, text exposition format. */
type Labels = Record<string, string>;

/** A counter series with its labels resolved (Metrics.counterOf). */
export interface Counter {
  inc(by?: number): void;
}

interface Series {
  help: string;
  type: "counter" | "gauge";
  values: Map<string, number>;
  read?: () => number;
}

export class Metrics {
  private series = new Map<string, Series>();

  counter(name: string, help: string): void {
    this.define(name, help, "counter");
  }

  /** A gauge whose value is read when /metrics is scraped. */
  gauge(name: string, help: string, read: () => number): void {
    this.define(name, help, "gauge").read = read;
  }

  inc(name: string, labels: Labels = {}, by = 1): void {
    const series = this.series.get(name);
    if (!series) throw new Error(`metric ${name} is not defined`);
    const key = labelKey(labels);
    series.values.set(key, (series.values.get(key) ?? 0) + by);
  }

  /**
   * One series of a counter with fixed labels, resolved once for the hot paths: its `inc` is
   * `inc(name, labels, by)` without finding the series and building the label key per call.
   */
  counterOf(name: string, labels: Labels = {}): Counter {
    const series = this.series.get(name);
    if (!series) throw new Error(`metric ${name} is not defined`);
    const key = labelKey(labels);
    const { values } = series;
    return { inc: (by = 1) => void values.set(key, (values.get(key) ?? 0) + by) };
  }

  get(name: string, labels: Labels = {}): number {
    const series = this.series.get(name);
    if (series?.read) return series.read();
    return series?.values.get(labelKey(labels)) ?? 0;
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, series] of this.series) {
      lines.push(`# HELP ${name} ${series.help}`, `# TYPE ${name} ${series.type}`);
      if (series.read) {
        lines.push(`${name} ${series.read()}`);
        continue;
      }
      if (series.values.size === 0) lines.push(`${name} 0`);
      for (const [key, value] of series.values) lines.push(`${name}${key} ${value}`);
    }
    return `${lines.join("\n")}\n`;
  }

  private define(name: string, help: string, type: Series["type"]): Series {
    const existing = this.series.get(name);
    if (existing) return existing;
    const series: Series = { help, type, values: new Map() };
    this.series.set(name, series);
    return series;
  }
}

/** The series key of a label set: `{a="1",b="2"}`, names sorted, values escaped; "" without labels. */
function labelKey(labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length === 0) return "";
  names.sort();
  return `{${names.map((name) => `${name}="${escapeLabelValue(labels[name])}"`).join(",")}}`;
}

/** The text format's escapes in a label value: backslash, double quote and line feed. */
function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
}

/** Why a node refused something it could not verify or would not hold (docs/security.md, "Refusals"). */
export type RefusalCause =
  | "handshake"
  | "bad_frame"
  | "frame_budget"
  | "stalled_frame"
  | "unread_answers"
  | "in_flight"
  | "connection_cap"
  | "request"
  | "proof"
  | "copies"
  | "share"
  | "rate_limited";

export type RefusalSink = (cause: RefusalCause, peer: string, detail?: string) => void;

export interface RefusalLogOptions {
  /** A (cause, peer) logged is logged again at most this often, with how many were left unlogged. */
  logEveryMs: number;
  /** (cause, peer) pairs remembered; the least recently refused is forgotten first. */
  remembered: number;
}

interface Logged {
  at: number;
  unlogged: number;
}

/**
 * Every refusal counted in `wisp_refused_total{cause}`, and logged once per cause and peer (then
 * at most every `logEveryMs`), so a peer that sends a thousand bad frames costs one log line.
 */
export class Refusals {
  private logged: Map<string, Logged> = new Map();

  constructor(
    private readonly metrics: Metrics,
    private readonly log: (event: string, fields: Record<string, unknown>) => void,
    private readonly now: () => number = Date.now,
    private readonly options: RefusalLogOptions = { logEveryMs: 60_000, remembered: 4_096 },
  ) {
    metrics.counter("wisp_refused_total", "Requests, frames and connections refused, by cause");
  }

  readonly refuse: RefusalSink = (cause, peer, detail) => {
    this.metrics.inc("wisp_refused_total", { cause });
    const key = `${cause} ${peer}`;
    const now = this.now();
    const last = this.logged.get(key);
    if (last && now - last.at < this.options.logEveryMs) {
      last.unlogged++;
      return;
    }
    this.logged.delete(key);
    this.logged.set(key, { at: now, unlogged: 0 });
    if (this.logged.size > this.options.remembered)
      this.logged.delete(this.logged.keys().next().value as string);
    const fields: Record<string, unknown> = { cause, peer: peer.slice(0, 120) };
    if (detail) fields.detail = detail.slice(0, 200);
    if (last?.unlogged) fields.unlogged = last.unlogged;
    this.log("refused", fields);
  };
}
