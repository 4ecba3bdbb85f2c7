/**
 * One table for every benchmark. Each row is a figure of ours next to a baseline measured in the same run,
 * so the ratio stays meaningful on a shared, noisy machine; the absolute numbers are there for reference.
 */
export interface ResultRow {
  section: string;
  name: string;
  unit: string;
  ours: number;
  /** What `baseline` names, measured in the same run; absent for pure counts (errors must be 0). */
  baseline?: { name: string; value: number };
  /** ours ÷ baseline (or the figure the target speaks of, when it is not that quotient). */
  ratio?: number;
  /** Human-readable target, e.g. "≥ 0.9"; absent for figures reported for reference only. */
  target?: string;
  met?: boolean;
}

/**
 * A row comparing ours with a baseline. `pairedRatio` is the median of ratios taken run by run (each run of
 * ours right next to a run of the baseline), which drift on the machine affects less than a ratio of medians.
 */
export function ratioRow(
  row: Omit<ResultRow, 'ratio' | 'met' | 'baseline'> & { baseline: { name: string; value: number } },
  check?: { target: string; met: (ratio: number) => boolean },
  pairedRatio?: number,
): ResultRow {
  const ratio = pairedRatio ?? row.ours / row.baseline.value;
  return { ...row, ratio, ...(check ? { target: check.target, met: check.met(ratio) } : {}) };
}

const format = (value: number | undefined): string => {
  if (value === undefined) return '';
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Number.isInteger(value)) return String(value);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(value === Math.round(value) ? 0 : 3);
};

/** A Markdown table: readable in a terminal and pasteable into the README as is. */
export function renderTable(rows: readonly ResultRow[]): string {
  const header = ['Benchmark', 'Ours', 'Baseline', 'Ratio', 'Target', 'Met'];
  const lines = rows.map((row) => [
    `${row.section}: ${row.name}`,
    `${format(row.ours)} ${row.unit}`.trim(),
    row.baseline ? `${format(row.baseline.value)} ${row.unit} (${row.baseline.name})` : '',
    row.ratio === undefined ? '' : format(row.ratio),
    row.target ?? '',
    row.met === undefined ? '' : row.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const render = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [render(header), render(widths.map((width) => '-'.repeat(width))), ...lines.map(render)].join('\n');
}
