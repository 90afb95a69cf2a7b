// Checks a document against schema/iamsa-bindings.schema.json (the schema editors use too) and
// turns ajv's errors into one problem per mistake, each with its line.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import schema from '../../../schema/iamsa-bindings.schema.json' with { type: 'json' };
import { pathLabel, type Problem, type SourceDocument, type YamlPath } from './yaml-source.js';

let compiled: ValidateFunction | undefined;
const validator = () =>
  (compiled ??= new Ajv({ allErrors: true, verbose: true, strict: false }).compile(schema));

/**
 * The items (bindings[i], iam.serviceAccounts[i]) that have schema problems, or undefined when a
 * problem lies outside the items (then nothing of the document can be read).
 */
export function badItems(problems: Problem[]): Set<number> | undefined {
  const bad = new Set<number>();
  for (const { at = [], kind } of problems) {
    if (kind === 'placeholder') continue;
    const index = itemIndex(at);
    if (index === undefined) return undefined;
    // An unknown field leaves the item's other values readable: they are still checked.
    if (kind !== 'unknown-field') bad.add(index);
  }
  return bad;
}

/** The items with an unknown field: their values are checked, not the item as a whole. */
export function itemsWithUnknownFields(problems: Problem[]): Set<number> {
  return new Set(
    problems.flatMap((p) => {
      const index = p.kind === 'unknown-field' ? itemIndex(p.at ?? []) : undefined;
      return index === undefined ? [] : [index];
    }),
  );
}

/** bindings[i] or iam.serviceAccounts[i], the items of the two formats. */
function itemIndex(at: YamlPath): number | undefined {
  const index =
    at[0] === 'bindings'
      ? at[1]
      : at[0] === 'iam' && at[1] === 'serviceAccounts'
        ? at[2]
        : undefined;
  return typeof index === 'number' ? index : undefined;
}

/** Every schema problem of the document (empty when it conforms). */
export function schemaProblems(doc: SourceDocument): Problem[] {
  const validate = validator();
  if (validate(doc.value)) return [];
  const problems = new Map<string, Problem>();
  for (const error of validate.errors ?? []) {
    const problem = describe(error, doc);
    if (problem) problems.set(`${problem.line}:${problem.path}:${problem.message}`, problem);
  }
  return [...problems.values()];
}

function pathOf(pointer: string, value: unknown): YamlPath {
  const path: YamlPath = [];
  let node = value;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    const part = Array.isArray(node) ? Number(key) : key;
    path.push(part);
    node = (node as Record<string | number, unknown> | undefined)?.[part];
  }
  return path;
}

function describe(error: ErrorObject, doc: SourceDocument): Problem | undefined {
  const path = pathOf(error.instancePath, doc.value);
  const at = (p: YamlPath, message: string, key = false): Problem => ({
    line: doc.lineOf(p, key),
    path: pathLabel(p),
    message,
    at: p,
  });
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    // Summaries of the errors below them, which say more.
    case 'if':
    case 'oneOf':
    case 'anyOf':
      return undefined;
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const known = Object.keys(
        (error.parentSchema as { properties?: object } | undefined)?.properties ?? {},
      );
      const near = closest(field, known);
      return {
        ...at(
          [...path, field],
          `unknown field "${field}"${near ? `; did you mean "${near}"?` : `; known fields: ${known.join(', ')}`}`,
          true,
        ),
        kind: 'unknown-field',
      };
    }
    case 'required':
      return at(path, `missing required field "${String(params.missingProperty)}"`);
    case 'type': {
      const quoted = typeof error.data === 'number' || typeof error.data === 'boolean';
      const hint = quoted && params.type === 'string' ? ` (quote it: "${String(error.data)}")` : '';
      return at(path, `must be ${article(String(params.type))}${hint}`);
    }
    case 'const':
      return at(path, `must be ${JSON.stringify(params.allowedValue)}`);
    case 'enum': {
      const allowed = params.allowedValues as unknown[];
      // As the flags do: the nearest value, `podidentity` or `pod_identity` for pod-identity.
      const near =
        typeof error.data === 'string'
          ? closest(
              error.data.replace(/_/g, '-'),
              allowed.filter((v): v is string => typeof v === 'string'),
            )
          : undefined;
      return at(
        path,
        `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}${near ? `; did you mean "${near}"?` : ''}`,
      );
    }
    case 'minLength':
      return at(path, 'must not be empty');
    case 'minItems':
      return at(path, `must list at least ${String(params.limit)}`);
    default:
      return at(path, error.message ?? 'is invalid');
  }
}

const article = (type: string) =>
  type
    .split(',')
    .map((t) => (t === 'array' || t === 'object' ? `an ${t}` : `a ${t}`))
    .join(' or ');

/** The known field a typo most likely meant (edit distance at most a third of its length). */
function closest(word: string, candidates: string[]): string | undefined {
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d <= Math.max(1, Math.floor(c.length / 3)) && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}
