import { parse } from 'yaml';

/**
 * How `sensuctl create -f` reads a file (sensu-go cli/resource/parse.go): it splits the text into
 * parts at every line that starts with `---`, keeps each part that is not empty (a part of only
 * comments or blank lines is kept too), converts each part from YAML to JSON and decodes it as
 * one resource wrapper. A part that is not a complete resource (e.g. a comment before the first
 * `---`) makes the whole file fail, so every YAML file we ship is checked this way.
 */

/** The parts sensuctl decodes, line endings as its line scanner leaves them. */
export function sensuctlParts(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('---')) {
      if (current !== '') parts.push(current);
      current = '';
    } else {
      current += `${line}\n`;
    }
  }
  if (current !== '') parts.push(current);
  return parts;
}

/** Why sensuctl would refuse the file, part by part; empty when every part is a complete resource. */
export function sensuctlProblems(text: string): string[] {
  const parts = sensuctlParts(text);
  if (parts.length === 0) return ['the file holds no resource'];
  return parts.flatMap((part, index) => resourceProblems(part).map((problem) => `resource ${index + 1} of ${parts.length}: ${problem}`));
}

function resourceProblems(part: string): string[] {
  let value: unknown;
  try {
    value = parse(part);
  } catch (error) {
    return [`not valid YAML: ${error instanceof Error ? error.message : String(error)}`];
  }
  if (!isRecord(value)) return [`is ${value === null ? 'empty (only comments or blank lines)' : 'not a mapping'}: sensuctl cannot decode it as a resource`];
  const problems: string[] = [];
  for (const key of ['type', 'api_version']) {
    if (typeof value[key] !== 'string' || value[key] === '') problems.push(`"${key}" must be a non-empty string`);
  }
  const metadata = value.metadata;
  if (!isRecord(metadata) || typeof metadata.name !== 'string' || metadata.name === '') problems.push('"metadata.name" is required');
  if (!isRecord(value.spec)) problems.push('"spec" must be a mapping (sensuctl: no spec provided)');
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
