import vm from 'node:vm';
import { parse, type Node } from 'acorn';

/**
 * Sensu asset filters: JavaScript expressions over `entity`, run on the agent by otto, an ES5
 * interpreter, as a whole program (`vm.Run(expr)` in sensu-go js/js.go). Sensu's own validation
 * only checks that each one parses; a filter that throws at run time aborts the whole asset, and
 * ES2015+ syntax or a method otto lacks fails on every agent. So a filter must parse as an ES5
 * program of exactly one expression, and use only a small set of constructs and built-ins that
 * every otto Sensu Go ever shipped has.
 */

/**
 * Built-in methods an otto of every Sensu Go release has: the String, Array and RegExp prototype
 * methods of otto 15f95af (inline.go), which sensu-go 5.12 to 5.16 pin, the first releases with asset builds.
 * Nothing newer (includes, startsWith, find, at, ...) exists there.
 */
const OTTO_METHODS: ReadonlySet<string> = new Set([
  'charAt', 'charCodeAt', 'concat', 'indexOf', 'lastIndexOf', 'match', 'replace', 'search', 'slice',
  'split', 'substr', 'substring', 'toLowerCase', 'toUpperCase', 'trim', 'join', 'every', 'some',
  'filter', 'map', 'test', 'toString',
]);
/** Global functions of ES5 that otto has and that a filter may call; `entity` is the only data. */
const OTTO_GLOBALS: ReadonlySet<string> = new Set(['parseInt', 'parseFloat', 'isNaN', 'isFinite', 'String', 'Number']);
const ROOT = 'entity';

/** Why a filter is unusable by a Sensu agent, or undefined when it is fine. */
export function filterProblem(expression: string): string | undefined {
  if (expression.trim() === '') return 'the filter is empty';
  let program: Node;
  try {
    // A program, as otto runs it: `a) || (true` does not parse here, as it does not there.
    program = parse(expression, { ecmaVersion: 5, sourceType: 'script' });
  } catch (error) {
    return `not an ES5 expression (Sensu evaluates filters with otto, ES5 only): ${error instanceof Error ? error.message : String(error)}`;
  }
  const body = (program as unknown as { body: Node[] }).body;
  if (body.length !== 1 || body[0]?.type !== 'ExpressionStatement') return 'a filter must be exactly one expression';
  return constructProblem((body[0] as unknown as { expression: Node }).expression);
}

type AnyNode = Node & Record<string, unknown>;

/** The first construct outside the allowed subset, walking the expression tree. */
function constructProblem(node: Node): string | undefined {
  const n = node as AnyNode;
  const child = (key: string): string | undefined => constructProblem(n[key] as Node);
  switch (node.type) {
    case 'Literal':
      return n.regex !== undefined ? 'regular expression literals are not allowed (use indexOf)' : undefined;
    case 'Identifier':
      return n.name === ROOT ? undefined : `unknown name "${String(n.name)}": a filter reads only ${ROOT}`;
    case 'ArrayExpression':
      return firstProblem((n.elements as Array<Node | null>).map((element) => (element === null ? 'array holes are not allowed' : constructProblem(element))));
    case 'UnaryExpression':
      return n.operator === '!' || n.operator === '-' ? child('argument') : `operator ${String(n.operator)} is not allowed`;
    case 'BinaryExpression':
    case 'LogicalExpression':
      return firstProblem([child('left'), child('right')]);
    case 'ConditionalExpression':
      return firstProblem([child('test'), child('consequent'), child('alternate')]);
    case 'MemberExpression':
      return memberProblem(n);
    case 'CallExpression':
      return callProblem(n);
    default:
      return `${node.type} is not allowed in a filter`;
  }
}

function memberProblem(n: AnyNode): string | undefined {
  const property = n.property as AnyNode;
  if (n.computed && (property.type !== 'Literal' || typeof property.value !== 'number')) return 'only a number may index (e.g. [0])';
  return constructProblem(n.object as Node);
}

function callProblem(n: AnyNode): string | undefined {
  const callee = n.callee as AnyNode;
  const args = (n.arguments as Node[]).map(constructProblem);
  if (callee.type === 'Identifier') {
    return OTTO_GLOBALS.has(String(callee.name)) ? firstProblem(args) : `${String(callee.name)}() is not a function otto has`;
  }
  if (callee.type === 'MemberExpression' && !callee.computed) {
    const method = String((callee.property as AnyNode).name);
    const unknown = OTTO_METHODS.has(method) ? undefined : `.${method}() is not an ES5 method otto has (use e.g. indexOf)`;
    return firstProblem([constructProblem(callee.object as Node), unknown, ...args]);
  }
  return 'only named functions and methods may be called';
}

function firstProblem(problems: ReadonlyArray<string | undefined>): string | undefined {
  return problems.find((problem) => problem !== undefined);
}

export type FilterResult = { matches: boolean } | { error: string };

/**
 * Evaluates a build's filters the way the agent does: every filter must be truthy, and a filter
 * that throws makes the asset fail rather than the build not match. Node's engine stands in for
 * otto here; filterProblem() is what guarantees the two agree.
 */
export function evaluateFilters(filters: readonly string[], entity: unknown): FilterResult {
  const sandbox = vm.createContext({ entity: structuredClone(entity) });
  for (const filter of filters) {
    let value: unknown;
    try {
      value = vm.runInContext(filter, sandbox, { timeout: 1000 });
    } catch (error) {
      return { error: `filter ${JSON.stringify(filter)} threw: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (!value) return { matches: false };
  }
  return { matches: true };
}

/** The indexes of every build whose filters all match (more than one: the builds overlap), or the error that aborts the asset. */
export function matchingBuilds(builds: ReadonlyArray<{ filters: readonly string[] }>, entity: unknown): { indexes: number[] } | { error: string } {
  const indexes: number[] = [];
  for (const [index, build] of builds.entries()) {
    const result = evaluateFilters(build.filters, entity);
    if ('error' in result) return result;
    if (result.matches) indexes.push(index);
  }
  return { indexes };
}
