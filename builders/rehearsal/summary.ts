import type { LegRecord } from './leg.js';

/**
 * The rehearsal's summary table, in Markdown (GitHub's job summary renders it; a terminal reads it
 * as it is): one row per catalog platform, in catalog order, so a platform whose leg left no
 * record shows as such instead of disappearing.
 */

const ICONS: Record<string, string> = { passed: '✅ passed', failed: '❌ failed', 'not run': '⚪ not run' };

export function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

export function formatSeconds(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes} min ${seconds % 60} s` : `${seconds} s`;
}

/** Labels of the figures the ABI gate records (seed's AbiFigures: maxGlibc, needed, interpreter). */
const ABI_LABELS: Record<string, string> = { maxGlibc: 'newest GLIBC needed', needed: 'NEEDED', interpreter: 'interpreter' };

/** The ABI gate's figures, e.g. `newest GLIBC needed 2.17; NEEDED libc.so.6 libm.so.6`; others as recorded. */
export function formatAbi(abi: Record<string, unknown> | undefined): string {
  if (abi === undefined) return '— (no `abi` in artifacts.json)';
  const text = (value: unknown): string =>
    Array.isArray(value) ? value.join(' ') : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  const known = Object.keys(ABI_LABELS).filter((key) => key in abi);
  const others = Object.keys(abi).filter((key) => !(key in ABI_LABELS));
  if (!('maxGlibc' in abi) && 'needed' in abi) known.unshift('maxGlibc');
  return [...known, ...others].map((key) => `${ABI_LABELS[key] ?? key} ${key in abi ? text(abi[key]) : 'none'}`).join('; ');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function summaryTable(platforms: readonly string[], records: readonly LegRecord[], title = 'Release rehearsal'): string {
  const rows = platforms.map((platform) => {
    const record = records.find((entry) => entry.platform === platform);
    if (record === undefined) return [platform, '❌ no record (the leg did not finish)', '', '', '', ''];
    const install = `${ICONS[record.install.outcome] ?? record.install.outcome}${record.install.reason === undefined ? '' : `: ${record.install.reason}`}`;
    return [
      platform,
      ICONS[record.build] ?? record.build,
      record.buildSeconds === undefined ? '' : formatSeconds(record.buildSeconds),
      record.asset === undefined ? '' : formatSize(record.asset.size),
      record.build === 'passed' ? formatAbi(record.abi) : '',
      install,
    ];
  });
  const passed = platforms.filter((platform) => legPassed(records, platform)).length;
  return [
    `## ${title}: ${passed} of ${platforms.length} platforms built and passed the install test`,
    '',
    '| platform | build | build time | asset size | ABI (from the ABI gate) | agent-style install test |',
    '|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
    '',
  ].join('\n');
}

function legPassed(records: readonly LegRecord[], platform: string): boolean {
  const record = records.find((entry) => entry.platform === platform);
  return record?.build === 'passed' && record.install.outcome === 'passed';
}
