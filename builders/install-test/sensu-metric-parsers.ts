/**
 * What the Sensu agent extracts from a check's whole output for each `output_metric_format`,
 * written from the behaviour of sensu-go's agent/transformers: the agent hands the entire output to the
 * parser, so the human-readable lines must be ones the parser ignores. Used by the install test
 * (shipped with the rehearsal) and by the wrapper tests.
 */
export interface Point {
  name: string;
  value: number;
  tags: Record<string, string>;
  timestamp?: number;
}

/** nagios_perfdata: exactly one '|' in the whole output; metrics after it, split on spaces. */
export function parseNagios(output: string): Point[] {
  const parts = output.split('|');
  if (parts.length !== 2) throw new Error(`nagios_perfdata needs exactly one '|', found ${parts.length - 1}`);
  const points: Point[] = [];
  for (const token of (parts[1] ?? '').trim().split(' ')) {
    const metric = token.trim();
    if (metric === '') continue;
    const kv = (metric.split(';')[0] ?? '').split('=');
    if (kv.length !== 2) continue;
    const value = Number.parseFloat((kv[1] ?? '').replace(/[^-\d.]/g, ''));
    if (Number.isNaN(value)) continue;
    points.push({ name: (kv[0] ?? '').replace(/ /g, '_'), value, tags: {} });
  }
  return points;
}

/** graphite_plaintext: lines of exactly three space-separated fields: path, float, integer. */
export function parseGraphite(output: string): Point[] {
  const points: Point[] = [];
  for (const line of output.trim().split('\n')) {
    const f = line.split(' ');
    if (f.length !== 3) continue;
    const value = Number(f[1]);
    if (f[1] === '' || Number.isNaN(value)) continue;
    if (!/^-?\d+$/.test(f[2] ?? '')) continue;
    points.push({ name: f[0] ?? '', value, tags: {}, timestamp: Number(f[2]) });
  }
  return points;
}

function splitUnescaped(s: string, sep: string): string[] {
  return s
    .replaceAll(`\\${sep}`, '\u0000')
    .split(sep)
    .map((p) => p.replaceAll('\u0000', sep));
}

/** influxdb_line: `measurement[,tag=v...] field=float[,...] [timestamp]`; points are measurement.field. */
export function parseInflux(output: string): Point[] {
  const points: Point[] = [];
  for (const line of output.trim().split('\n')) {
    const args = splitUnescaped(line, ' ');
    if (args.length !== 2 && args.length !== 3) continue;
    const [measurement, ...tagParts] = splitUnescaped(args[0] ?? '', ',');
    const tags: Record<string, string> = {};
    let ok = true;
    for (const t of tagParts) {
      const kv = splitUnescaped(t, '=');
      if (kv.length !== 2) ok = false;
      else tags[kv[0] ?? ''] = kv[1] ?? '';
    }
    const fields: [string, number][] = [];
    for (const f of splitUnescaped(args[1] ?? '', ',')) {
      const kv = splitUnescaped(f, '=');
      const value = Number(kv[1]);
      if (kv.length !== 2 || kv[1] === '' || Number.isNaN(value)) ok = false;
      else fields.push([kv[0] ?? '', value]);
    }
    if (!ok) continue;
    let timestamp: number | undefined;
    if (args.length === 3) {
      const ts = (args[2] ?? '').slice(0, 10);
      if (!/^-?\d+$/.test(ts)) continue;
      timestamp = Number(ts);
    }
    for (const [key, value] of fields) points.push({ name: `${measurement}.${key}`, value, tags, timestamp });
  }
  return points;
}

/** opentsdb_line: `name timestamp value tag=v [tag=v...]`, at least one tag. */
export function parseOpenTsdb(output: string): Point[] {
  const points: Point[] = [];
  outer: for (const line of output.trim().split('\n')) {
    const parts = line.split(' ');
    if (parts.length < 4) continue;
    if (!/^-?\d+$/.test(parts[1] ?? '')) continue;
    let timestamp = Number(parts[1]);
    if ((parts[1] ?? '').length === 13) timestamp = Math.floor(timestamp / 1000);
    const value = Number(parts[2]);
    if (parts[2] === '' || Number.isNaN(value)) continue;
    const tags: Record<string, string> = {};
    for (const t of parts.slice(3)) {
      const kv = t.split('=');
      if (kv.length !== 2) continue outer;
      tags[kv[0] ?? ''] = kv[1] ?? '';
    }
    points.push({ name: parts[0] ?? '', value, tags, timestamp });
  }
  return points;
}

/**
 * prometheus_text, as the exposition-format text parser reads it: comments (`#` lines other than
 * HELP and TYPE) and blank lines are skipped; HELP and TYPE come at most once per family and before
 * its samples; any other line must be a sample, and the first line that is not ends the parse
 * (samples before it are kept, as the agent keeps them).
 */
export function parsePrometheus(output: string): { points: Point[]; error?: string } {
  const points: Point[] = [];
  const help = new Set<string>();
  const type = new Set<string>();
  const sampled = new Set<string>();
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
  const lines = output.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/^[ \t]+/, '');
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)/.exec(line);
      if (m === null) continue;
      const [, kind, family] = m as unknown as [string, string, string];
      if (!name.test(family) || name.exec(family)?.[0] !== family) return { points, error: `line ${i + 1}: bad metric name in ${kind}` };
      const seen = kind === 'HELP' ? help : type;
      if (seen.has(family)) return { points, error: `line ${i + 1}: second ${kind} for ${family}` };
      if (kind === 'TYPE' && sampled.has(family)) return { points, error: `line ${i + 1}: TYPE after samples of ${family}` };
      if (kind === 'TYPE' && !/^#[ \t]+TYPE[ \t]+\S+[ \t]+(counter|gauge|histogram|summary|untyped)[ \t]*$/.test(line)) {
        return { points, error: `line ${i + 1}: bad TYPE` };
      }
      seen.add(family);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?[ \t]+(\S+)([ \t]+-?\d+)?[ \t]*$/.exec(line);
    if (m === null) return { points, error: `line ${i + 1}: not a sample: ${line}` };
    const tags: Record<string, string> = {};
    if (m[3] !== undefined && m[3].trim() !== '') {
      for (const pair of m[3].split(',')) {
        const lm = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*$/.exec(pair);
        if (lm === null) return { points, error: `line ${i + 1}: bad label ${pair}` };
        tags[lm[1] ?? ''] = lm[2] ?? '';
      }
    }
    const value = Number(m[4]);
    if (Number.isNaN(value) && m[4] !== 'NaN') return { points, error: `line ${i + 1}: bad value ${m[4]}` };
    sampled.add(m[1] ?? '');
    points.push({ name: m[1] ?? '', value, tags });
  }
  return { points };
}
