import { parseGraphite, parseInflux, parseNagios, parseOpenTsdb, parsePrometheus } from './sensu-metric-parsers.js';

/**
 * The check cycle an operator relies on, as the agent runs it (`sh -c COMMAND`), in the
 * platform's own shell: the first run creates the baseline (WARNING by default), the next is OK, a changed file is
 * CRITICAL and named, tripwire-update.sh accepts it, OK again; then every --metrics format (read
 * back with the agent's metric parsers) and --json. Only the documented command line of the
 * check scripts is used (README, "The check").
 */

export const WATCHED = '/srv/www';
export const CHANGED_FILE = `${WATCHED}/site/index.html`;
export const METRIC_FORMATS = ['nagios_perfdata', 'prometheus_text', 'influxdb_line', 'graphite_plaintext', 'opentsdb_line'] as const;
export type MetricFormat = (typeof METRIC_FORMATS)[number];
const METRICS = ['added', 'removed', 'modified', 'violations', 'max_severity', 'objects_scanned', 'scan_errors'] as const;

/** Made as root before the cycle: a small web root, root's files readable by everyone. */
export const PREPARE_WATCHED = [
  `mkdir -p ${WATCHED}/site/static`,
  `printf '<h1>shop</h1>\\n' > ${CHANGED_FILE}`,
  `printf 'run()\\n' > ${WATCHED}/site/app.js`,
  `printf 'body{}\\n' > ${WATCHED}/site/static/site.css`,
  `chmod -R a+rX ${WATCHED}`,
].join(' && ');

export interface StepRun {
  code: number;
  /** stdout then stderr, as the agent records a check's output. */
  output: string;
}

export interface Step {
  name: string;
  /** Who runs it: the check's user, or root (the "attacker" changing a file). */
  as: 'check user' | 'root';
  command: (ctx: { home: string }) => string;
  /** Why the run is wrong, or undefined when it is what the step expects. */
  problem: (run: StepRun) => string | undefined;
}

/** The status line; with prometheus_text every text line is a `# ` comment. */
function firstLine(output: string): string {
  return (output.split('\n', 1)[0] ?? '').replace(/^# /, '');
}

function expectState(code: number, state: string, also?: (run: StepRun) => string | undefined) {
  return (run: StepRun): string | undefined => {
    if (run.code !== code || !firstLine(run.output).startsWith(`TRIPWIRE ${state} - `)) {
      return `expected exit ${code} and "TRIPWIRE ${state} - …", got exit ${run.code}: ${firstLine(run.output)}`;
    }
    return also?.(run);
  };
}

const check = (args = ''): string => `tripwire-check.sh ${args}${args === '' ? '' : ' '}${WATCHED}`;

/** The points Sensu's parser for `format` reads from a whole check output, or why it reads none. */
export function metricPoints(format: MetricFormat, output: string): { names: Map<string, number>; error?: string } {
  let parsed: { points: Array<{ name: string; value: number }>; error?: string };
  try {
    parsed =
      format === 'nagios_perfdata'
        ? { points: parseNagios(output) }
        : format === 'prometheus_text'
          ? parsePrometheus(output)
          : format === 'influxdb_line'
            ? { points: parseInflux(output) }
            : format === 'graphite_plaintext'
              ? { points: parseGraphite(output) }
              : { points: parseOpenTsdb(output) };
  } catch (error) {
    return { names: new Map(), error: error instanceof Error ? error.message : String(error) };
  }
  const names = new Map(parsed.points.map((point) => [point.name, point.value]));
  return parsed.error === undefined ? { names } : { names, error: parsed.error };
}

/** Every metric of the README, each read back with value 0 (after the update nothing differs). */
function metricsProblem(format: MetricFormat) {
  return (run: StepRun): string | undefined => {
    const { names, error } = metricPoints(format, run.output);
    if (error !== undefined) return `Sensu's ${format} parser stops: ${error}`;
    for (const metric of METRICS) {
      const found = [...names].find(([name]) => name === metric || name.endsWith(`_${metric}`) || name.endsWith(`.${metric}`));
      if (found === undefined) return `Sensu's ${format} parser finds no ${metric} metric in: ${run.output.slice(-400)}`;
      if (['added', 'removed', 'modified', 'violations'].includes(metric) && found[1] !== 0) return `${found[0]} is ${found[1]}, expected 0`;
    }
    return undefined;
  };
}

interface CheckJson {
  status?: unknown;
  state?: unknown;
  counts?: { modified?: unknown };
  rules?: Array<{ modified?: unknown }>;
}

function jsonProblem(run: StepRun): string | undefined {
  let document: CheckJson;
  try {
    document = JSON.parse(run.output) as CheckJson;
  } catch (error) {
    return `--json wrote no JSON document: ${error instanceof Error ? error.message : String(error)}: ${run.output.slice(0, 200)}`;
  }
  const modified = (document.rules ?? []).flatMap((rule) => (Array.isArray(rule.modified) ? rule.modified : []));
  if (document.status !== 2 || document.state !== 'CRITICAL' || document.counts?.modified !== 1 || !modified.includes(CHANGED_FILE)) {
    return `the --json document does not say CRITICAL with ${CHANGED_FILE} modified: ${run.output.slice(0, 400)}`;
  }
  return undefined;
}

export const CHECK_CYCLE: readonly Step[] = [
  // A new baseline is WARNING by default (--new-baseline-status), so that one made after the
  // state directory vanished is never a silent OK.
  { name: 'first run creates the baseline', as: 'check user', command: () => check(), problem: expectState(1, 'WARNING', (run) => (/new baseline created/i.test(firstLine(run.output)) ? undefined : `the first run does not say it created a new baseline: ${firstLine(run.output)}`)) },
  { name: 'unchanged is OK', as: 'check user', command: () => check(), problem: expectState(0, 'OK') },
  { name: 'a file changes', as: 'root', command: () => `printf 'tampered\\n' >> ${CHANGED_FILE}`, problem: (run) => (run.code === 0 ? undefined : `exit ${run.code}: ${run.output}`) },
  {
    name: 'the change is CRITICAL and named',
    as: 'check user',
    command: ({ home }) => check(`--json ${home}/check.json`),
    problem: expectState(2, 'CRITICAL', (run) => (run.output.includes(`"${CHANGED_FILE}"`) ? undefined : `the output does not name ${CHANGED_FILE}: ${run.output.slice(0, 600)}`)),
  },
  { name: '--json describes it', as: 'check user', command: ({ home }) => `cat ${home}/check.json`, problem: jsonProblem },
  { name: 'tripwire-update.sh accepts it', as: 'check user', command: () => `tripwire-update.sh ${WATCHED}`, problem: (run) => (run.code === 0 ? undefined : `exit ${run.code}: ${run.output.slice(-600)}`) },
  { name: 'OK again after the update', as: 'check user', command: () => check(), problem: expectState(0, 'OK') },
  ...METRIC_FORMATS.map((format): Step => ({ name: `--metrics ${format}`, as: 'check user', command: () => check(`--metrics ${format}`), problem: expectState(0, 'OK', metricsProblem(format)) })),
];
