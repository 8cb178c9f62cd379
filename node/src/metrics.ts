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
