import vm from 'node:vm';

/**
 * Sensu asset filters: JavaScript expressions over `entity`, evaluated on the agent by otto, an
 * ES5 interpreter. Sensu's own validation only checks that each one parses; a filter that throws
 * at run time aborts the whole asset, and ES2015+ syntax or methods fail on every agent. So we
 * check more than Sensu does: one expression, ES5 only, and (in tests) evaluate them for real.
 */

/** Syntax and library features otto does not have, with what to write instead. */
const NOT_ES5: ReadonlyArray<{ pattern: RegExp; use: string }> = [
  { pattern: /=>/, use: 'a function expression (no arrow functions in ES5)' },
  { pattern: /`/, use: "quotes (no template literals in ES5)" },
  { pattern: /\b(let|const|class)\b/, use: 'an expression without declarations' },
  { pattern: /\.\.\./, use: 'explicit arguments (no spread in ES5)' },
  { pattern: /\.(includes|startsWith|endsWith|padStart|padEnd|repeat|find|findIndex)\(/, use: 'indexOf (ES5 has no such method)' },
  { pattern: /\?\?|\?\./, use: 'explicit checks (no ?? or ?. in ES5)' },
];

/** Replaces string literals with empty ones, so that checks do not look inside them. */
function withoutStrings(expression: string): string {
  return expression.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''");
}

/** Why a filter is unusable by a Sensu agent, or undefined when it is fine. */
export function filterProblem(expression: string): string | undefined {
  if (expression.trim() === '') return 'the filter is empty';
  const code = withoutStrings(expression);
  if (code.includes(';')) return 'a filter must be one expression (found ";")';
  for (const { pattern, use } of NOT_ES5) {
    if (pattern.test(code)) return `Sensu evaluates filters as ES5 (otto): use ${use}`;
  }
  try {
    // Parenthesised, so that a statement or an unbalanced expression fails to parse.
    new vm.Script(`(${expression}\n)`);
  } catch (error) {
    return `not a valid JavaScript expression: ${error instanceof Error ? error.message : String(error)}`;
  }
  return undefined;
}

export type FilterResult = { matches: boolean } | { error: string };

/**
 * Evaluates a build's filters the way the agent does: every filter must be truthy, and a filter
 * that throws makes the asset fail rather than the build not match.
 */
export function evaluateFilters(filters: readonly string[], entity: unknown): FilterResult {
  const sandbox = vm.createContext({ entity: structuredClone(entity) });
  for (const filter of filters) {
    let value: unknown;
    try {
      value = vm.runInContext(`(${filter}\n)`, sandbox, { timeout: 1000 });
    } catch (error) {
      return { error: `filter ${JSON.stringify(filter)} threw: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (!value) return { matches: false };
  }
  return { matches: true };
}

/**
 * Which build a released Sensu agent (up to 6.12) installs: the first whose filters all match.
 * Returns the index, -1 when none matches, or the error that aborts the asset.
 */
export function selectBuild(builds: ReadonlyArray<{ filters: readonly string[] }>, entity: unknown): { index: number } | { error: string } {
  for (const [index, build] of builds.entries()) {
    const result = evaluateFilters(build.filters, entity);
    if ('error' in result) return result;
    if (result.matches) return { index };
  }
  return { index: -1 };
}
