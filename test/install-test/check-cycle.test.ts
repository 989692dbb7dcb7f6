import { describe, expect, it } from 'vitest';
import { CHANGED_FILE, CHECK_CYCLE, METRIC_FORMATS, type Step } from '../../builders/install-test/check-cycle.js';

/** The step expectations of the install test can fail: each is shown a wrong run and a right one. */

const step = (name: string): Step => {
  const found = CHECK_CYCLE.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no step ${name}`);
  return found;
};
const PROFILE = 'paths-cde762b66a94bb2f';
const ok = (extra = ''): string => `TRIPWIRE OK - 0 added, 0 removed, 0 modified, max severity 0, 6 objects scanned (profile ${PROFILE})\n${extra}`;

describe('the check cycle', () => {
  it('runs the whole cycle in order: baseline, OK, change, CRITICAL, --json, update, OK, then every --metrics format', () => {
    expect(CHECK_CYCLE.map((entry) => entry.name)).toEqual([
      'first run creates the baseline',
      'unchanged is OK',
      'a file changes',
      'the change is CRITICAL and named',
      '--json describes it',
      'tripwire-update.sh accepts it',
      'OK again after the update',
      ...METRIC_FORMATS.map((format) => `--metrics ${format}`),
    ]);
    expect(CHECK_CYCLE.filter((entry) => entry.as === 'root').map((entry) => entry.name)).toEqual(['a file changes']);
  });

  it('wants the first run to say it created a new baseline, with the default new-baseline status (WARNING)', () => {
    const first = step('first run creates the baseline');
    expect(first.problem({ code: 1, output: `TRIPWIRE WARNING - new baseline created, 6 objects (profile ${PROFILE})\n` })).toBeUndefined();
    expect(first.problem({ code: 1, output: `TRIPWIRE WARNING - 0 added, 0 removed, 0 modified, 1 scan errors (profile ${PROFILE})\n` })).toMatch(/does not say it created a new baseline/);
    expect(first.problem({ code: 0, output: ok() })).toMatch(/expected exit 1 and "TRIPWIRE WARNING - …", got exit 0/);
    expect(first.problem({ code: 3, output: 'TRIPWIRE UNKNOWN - tripwire: error while loading shared libraries\n' })).toMatch(/expected exit 1 and "TRIPWIRE WARNING - …", got exit 3/);
  });

  it('wants the change CRITICAL with the file named, and --json to say the same', () => {
    const critical = step('the change is CRITICAL and named');
    const named = `TRIPWIRE CRITICAL - 0 added, 0 removed, 1 modified, max severity 100, 6 objects scanned (profile ${PROFILE})\nModified (1):\n  "${CHANGED_FILE}" (rule /srv/www, severity 100)\n`;
    expect(critical.problem({ code: 2, output: named })).toBeUndefined();
    expect(critical.problem({ code: 2, output: named.replace(CHANGED_FILE, '/srv/www/site/app.js') })).toMatch(/does not name/);
    expect(critical.problem({ code: 0, output: ok() })).toMatch(/expected exit 2/);

    const json = step('--json describes it');
    const document = { status: 2, state: 'CRITICAL', counts: { modified: 1 }, rules: [{ name: '/srv/www', modified: [CHANGED_FILE] }] };
    expect(json.problem({ code: 0, output: JSON.stringify(document) })).toBeUndefined();
    expect(json.problem({ code: 0, output: JSON.stringify({ ...document, rules: [] }) })).toMatch(/does not say CRITICAL/);
    expect(json.problem({ code: 1, output: 'cat: /root/check.json: No such file or directory' })).toMatch(/wrote no JSON document/);
  });

  it("reads each metrics format back with Sensu's parser and wants all seven metrics", () => {
    const nagios = step('--metrics nagios_perfdata');
    const perfdata = '| added=0 removed=0 modified=0 violations=0 max_severity=0 objects_scanned=6 scan_errors=0\n';
    expect(nagios.problem({ code: 0, output: ok(perfdata) })).toBeUndefined();
    expect(nagios.problem({ code: 0, output: ok(perfdata.replace(' scan_errors=0', '')) })).toMatch(/finds no scan_errors metric/);
    expect(nagios.problem({ code: 0, output: ok(`a | b\n${perfdata}`) })).toMatch(/parser stops: nagios_perfdata needs exactly one '\|'/);

    const prometheus = step('--metrics prometheus_text');
    const samples = ['added', 'removed', 'modified', 'violations', 'max_severity', 'objects_scanned', 'scan_errors'].map((metric) => `tripwire_${metric}{profile="${PROFILE}"} 0`).join('\n');
    expect(prometheus.problem({ code: 0, output: `# ${ok()}${samples}\n` })).toBeUndefined();
    expect(prometheus.problem({ code: 0, output: `${ok()}${samples}\n` })).toMatch(/parser stops/);

    const graphite = step('--metrics graphite_plaintext');
    expect(graphite.problem({ code: 0, output: ok(`tripwire.${PROFILE}.added 1 1700000000\n`) })).toBe(`tripwire.${PROFILE}.added is 1, expected 0`);
  });
});
