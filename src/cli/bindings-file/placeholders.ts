// Template placeholders left in a file (`<string>`, eksctl's examples and `eksctl create cluster
// --dry-run` output carry them): each is its own problem, so a template reports every field to fill
// in, not the first consequence of one.
import { pathLabel, type Problem, type SourceDocument, type YamlPath } from './yaml-source.js';

const PLACEHOLDER = /^<[A-Za-z][\w .-]*>$/;

export function placeholderProblems(doc: SourceDocument): Problem[] {
  const problems: Problem[] = [];
  const walk = (value: unknown, path: YamlPath) => {
    if (typeof value === 'string' && PLACEHOLDER.test(value.trim())) {
      problems.push({
        line: doc.lineOf(path),
        path: pathLabel(path),
        message: `${pathLabel(path)} is the template placeholder ${value.trim()}`,
        hint: 'put the real value in its place',
        at: path,
        kind: 'placeholder',
      });
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  walk(doc.value, []);
  return problems;
}

/** Other problems of a value that is a placeholder say nothing more: left out. */
export function withoutPlaceholderEchoes(problems: Problem[]): Problem[] {
  const placeholders = new Set(problems.filter((p) => p.kind === 'placeholder').map((p) => p.path));
  return problems.filter((p) => !placeholders.has(p.path) || p.kind === 'placeholder');
}
