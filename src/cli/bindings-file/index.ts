// `iamsa apply -f`: a YAML file (iamsa's ServiceAccountBindings or an eksctl ClusterConfig, one or
// more documents) as the documents the apply use case works on. Every problem of the file is
// found before any AWS call and reported at once, each with its line and path.
import { readFileSync } from 'node:fs';
import type { ApplyBinding, ClusterRef } from '../../actions/fleet/apply-input.js';
import { ValidationError } from '../../errors.js';
import { readInputFile } from '../../input-file.js';
import { fileDefaults, type FileOptions } from './defaults.js';
import { checkDraft, checkDuplicates, type Draft, type FileContext } from './draft.js';
import { eksctlDrafts } from './eksctl-format.js';
import { iamsaDrafts } from './iamsa-format.js';
import { badItems, schemaProblems } from './schema-check.js';
import { parseYaml, type Problem } from './yaml-source.js';

export type { FileOptions } from './defaults.js';

export interface BindingsFile {
  bindings: ApplyBinding[];
  enableOidc: ClusterRef[];
  notes: string[];
}

/** The file's problems, one line each: `file:line: path: message`. */
export class FileProblemsError extends ValidationError {
  constructor(
    file: string,
    readonly problems: Problem[],
  ) {
    const n = problems.length;
    super(`${file}: ${n} ${n === 1 ? 'problem' : 'problems'}; nothing was changed`, {
      hint: 'fix them and run again (the schema is schema/iamsa-bindings.schema.json)',
      detail: problems.map((p) => formatProblem(file, p)).join('\n'),
    });
  }
}

export function formatProblem(file: string, p: Problem): string {
  const where = p.line !== undefined ? `${file}:${p.line}` : file;
  // Value checks already name the path (`invalid bindings[0].name ...`); others get it in front.
  const nested = /[.[]/.test(p.path);
  const named =
    p.path === '' ||
    (nested && p.message.includes(p.path)) ||
    [`${p.path} `, `${p.path}:`, `invalid ${p.path} `].some((s) => p.message.startsWith(s));
  return `${where}: ${named ? '' : `${p.path}: `}${p.message}${p.hint ? `; ${p.hint}` : ''}`;
}

export function readBindingsFile(file: string, options: FileOptions = {}): BindingsFile {
  const text =
    file === '-' ? readStdin() : readInputFile(file, '-f', 'pass the path of a bindings file');
  return parseBindingsFile(text, file, options);
}

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch (error) {
    throw new ValidationError(`cannot read -f - (stdin): ${(error as Error).message}`);
  }
}

export function parseBindingsFile(
  text: string,
  file: string,
  options: FileOptions = {},
): BindingsFile {
  const ctx: FileContext = { file, problems: [] };
  const { documents, problems } = parseYaml(text);
  ctx.problems.push(...problems);
  if (!documents.length && !problems.length) {
    ctx.problems.push({ path: '', message: 'the file holds no document' });
  }
  const defaults = fileDefaults(ctx, options);
  const drafts: Draft[] = [];
  const enableOidc: ClusterRef[] = [];
  const notes: string[] = [];
  for (const doc of documents) {
    const found = schemaProblems(doc);
    ctx.problems.push(...found);
    // Items with schema problems are left out; the others are still checked, so that one run
    // reports every problem of the file.
    const skip = badItems(found);
    if (!skip) continue;
    if ((doc.value as { apiVersion: string }).apiVersion === 'eksctl.io/v1alpha5') {
      const r = eksctlDrafts(ctx, doc, defaults, skip);
      drafts.push(...r.drafts);
      if (r.enableOidc) enableOidc.push(r.enableOidc);
      if (r.note) notes.push(r.note);
    } else {
      drafts.push(...iamsaDrafts(ctx, doc, defaults, skip));
    }
  }
  const bindings = drafts.flatMap((d) => checkDraft(ctx, d) ?? []);
  checkDuplicates(ctx, drafts);
  if (ctx.problems.length) {
    throw new FileProblemsError(
      file,
      [...ctx.problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
    );
  }
  return { bindings, enableOidc, notes };
}
