/**
 * The arithmetic of `npm run bench`: medians and ranges of repeated measurements, ratios against
 * a bare baseline, and the table that shows them against their goals. Pure, so it is tested
 * without running anything.
 */

export interface Series {
  /** Each run's value (seconds, or bytes for sizes). */
  values: number[];
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('no measurements');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted.at(-1) as number, runs: sorted.length };
}

/** One line of the bench table: a measurement, optionally against a baseline, and its goal. */
export interface BenchRow {
  name: string;
  unit: 's' | 'MB';
  measured: Summary;
  /** What the measurement is compared with (bare Tripwire, a bare compile, the prototype tarball). */
  baseline?: { name: string; summary: Summary };
  /** `ratio`: measured/baseline median must be at most `limit`; `absolute`: the median must be. */
  goal: { kind: 'ratio' | 'absolute'; limit: number };
}

export interface BenchResult extends BenchRow {
  ratio?: number;
  met: boolean;
}

export function evaluate(row: BenchRow): BenchResult {
  const ratio = row.baseline === undefined ? undefined : row.measured.median / row.baseline.summary.median;
  const value = row.goal.kind === 'ratio' ? ratio : row.measured.median;
  return { ...row, ratio, met: value !== undefined && value <= row.goal.limit };
}

function show(summary: Summary, unit: BenchRow['unit']): string {
  const digits = unit === 'MB' ? 2 : summary.median < 10 ? 2 : 1;
  const one = (value: number) => value.toFixed(digits);
  return summary.min === summary.max ? `${one(summary.median)} ${unit}` : `${one(summary.median)} ${unit} (${one(summary.min)}–${one(summary.max)})`;
}

export function benchTable(results: readonly BenchResult[]): string {
  const rows = [
    ['measurement', 'median (min–max)', 'runs', 'baseline: median (min–max)', 'ratio', 'goal', 'met'],
    ...results.map((result) => [
      result.name,
      show(result.measured, result.unit),
      String(result.measured.runs),
      result.baseline === undefined ? '' : `${result.baseline.name}: ${show(result.baseline.summary, result.unit)}`,
      result.ratio === undefined ? '' : result.ratio.toFixed(2),
      result.goal.kind === 'ratio' ? `ratio <= ${result.goal.limit.toFixed(2)}` : `<= ${result.goal.limit} ${result.unit}`,
      result.met ? 'yes' : 'NO',
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}
