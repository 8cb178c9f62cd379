/** A row of the benchmark table and how the table is printed. */

export interface Row {
  /** The row's name, as in the table. */
  row: string;
  /** The measured figure, human-readable. */
  figure: string;
  target: string;
  /** null for rows that are only printed (no target). */
  met: boolean | null;
  /** The command that measured it. */
  command: string;
  /** The raw numbers behind the figure. */
  values: Record<string, number>;
  /** How the figure was taken (runs, counts), for the JSON and the docs. */
  note?: string;
}

export interface BenchReport {
  startedAt: string;
  quick: boolean;
  durationS: number;
  machine: { cpus: number; loadavgAtStart: number[]; loadavgAtEnd: number[]; node: string };
  rows: Row[];
}

export function markdownTable(rows: readonly Row[]): string {
  const lines = [
    "| row | figure | target | met | measured by |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.row} | ${r.figure} | ${r.target} | ${r.met === null ? "printed" : r.met ? "met" : "**missed**"} | \`${r.command}\` |`,
    ),
  ];
  return lines.join("\n");
}

/** A row whose measurement threw: it stays in the table with the error as its figure. */
export function failedRow(row: string, target: string, command: string, error: unknown): Row {
  const message = error instanceof Error ? error.message : String(error);
  return { row, figure: `failed: ${message.slice(0, 160)}`, target, met: false, command, values: {} };
}
