// `iamsa apply -f`: a YAML file (iamsa's ServiceAccountBindings or an eksctl ClusterConfig, one or
// more documents) as the documents the apply use case works on. Every problem of the file is
// found before any AWS call and reported at once, each with its line and path.
import { dirname } from 'node:path';
import type { ApplyBinding, ClusterRef } from '../../actions/fleet/apply-input.js';
import { ValidationError } from '../../errors.js';
import { INPUT_LIMITS, readInputSource } from '../../input-file.js';
import { packageFile } from '../package-files.js';
import { fileDefaults, type FileOptions } from './defaults.js';
import { checkDraft, checkDuplicates, type Draft, type FileContext } from './draft.js';
import { eksctlDrafts, eksctlShapes } from './eksctl-format.js';
import { iamsaDrafts } from './iamsa-format.js';
import { placeholderProblems, withoutPlaceholderEchoes } from './placeholders.js';
import { badItems, itemsWithUnknownFields, schemaProblems } from './schema-check.js';
import { parseYaml, type Problem } from './yaml-source.js';

export type { FileOptions } from './defaults.js';

export interface BindingsFile {
  bindings: ApplyBinding[];
  enableOidc: ClusterRef[];
  notes: string[];
  /** Service account metadata iamsa sets itself, left out of the bindings (IRSA-W051). */
  ignored: string[];
}

/** The apiVersion of eksctl's ClusterConfig, the other format a bindings file may hold. */
const EKSCTL_API_VERSION = 'eksctl.io/v1alpha5';

/** A file of a thousand mistakes shows the first ones, and how many more there are. */
export const MAX_PROBLEMS_SHOWN = 50;

/** The file's problems, one line each: `file:line: path: message`. */
export class FileProblemsError extends ValidationError {
  constructor(
    file: string,
    readonly problems: Problem[],
    /** The file's documents are eksctl ClusterConfigs: iamsa's schema is not theirs. */
    eksctl = false,
  ) {
    const n = problems.length;
    const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).map((p) => formatProblem(file, p));
    if (n > MAX_PROBLEMS_SHOWN) shown.push(`and ${n - MAX_PROBLEMS_SHOWN} more`);
    super(`${file}: ${n} ${n === 1 ? 'problem' : 'problems'}; nothing was changed`, {
      hint: `${n === 1 ? 'fix it' : 'fix them'} and run again (${
        eksctl
          ? 'what iamsa reads of a ClusterConfig: docs/apply.md#eksctl-clusterconfig'
          : `the schema: ${packageFile('schema/iamsa-bindings.schema.json')}`
      })`,
      detail: shown.join('\n'),
    });
  }
}

/**
 * Bindings one file may hold: an account holds at most 5,000 IAM roles (1,000 unless raised), so
 * a file of more is a mistake or an attack, and checking it would take minutes.
 */
export const MAX_BINDINGS = 10_000;

function checkBindingCount(file: string, documents: { value: unknown }[]): void {
  const length = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  let n = 0;
  for (const { value } of documents) {
    const doc = value as { bindings?: unknown; iam?: Record<string, unknown> } | null;
    n += length(doc?.bindings);
    n += length(doc?.iam?.serviceAccounts) + length(doc?.iam?.podIdentityAssociations);
  }
  if (n <= MAX_BINDINGS) return;
  throw new ValidationError(
    `${file}: ${n.toLocaleString('en-US')} bindings; a file may hold at most ${MAX_BINDINGS.toLocaleString('en-US')} (an AWS account holds at most 5,000 IAM roles); nothing was changed`,
    { hint: 'split the file by namespace or cluster, and apply each part' },
  );
}

/** Appends without spreading: a spread of a huge list overflows the call stack. */
function pushAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
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

/** A bindings file by path, or `-` for the given standard input. */
export async function readBindingsFile(
  file: string,
  stdin: AsyncIterable<unknown>,
  options: FileOptions = {},
): Promise<BindingsFile> {
  const text = await readInputSource(file, '-f', {
    limit: INPUT_LIMITS.bindings,
    hint: 'pass the path of a bindings file',
    stdin,
  });
  return parseBindingsFile(text, file, options);
}

export function parseBindingsFile(
  text: string,
  file: string,
  options: FileOptions = {},
): BindingsFile {
  const stdin = file === '-';
  const ctx: FileContext = {
    file: stdin ? 'stdin' : file,
    dir: stdin ? process.cwd() : dirname(file),
    problems: [],
    ignored: [],
  };
  const { documents, problems, apiVersions } = parseYaml(text);
  checkBindingCount(ctx.file, documents);
  pushAll(ctx.problems, problems);
  if (!documents.length && !problems.length) {
    ctx.problems.push({ path: '', message: 'the file holds no document' });
  }
  const defaults = fileDefaults(ctx, options);
  const drafts: Draft[] = [];
  const enableOidc: ClusterRef[] = [];
  const notes: string[] = [];
  const isEksctl = (doc: (typeof documents)[number]) =>
    (doc.value as { apiVersion?: unknown } | null)?.apiVersion === EKSCTL_API_VERSION;
  for (const doc of documents) {
    if (isEksctl(doc)) {
      pushAll(notes, eksctlShapes(doc, ctx.file));
    }
    const found = schemaProblems(doc);
    pushAll(ctx.problems, placeholderProblems(doc));
    pushAll(ctx.problems, found);
    // Items with schema problems are left out; the others are still checked, so that one run
    // reports every problem of the file.
    const skip = badItems(found);
    if (!skip) continue;
    let read: Draft[];
    if (isEksctl(doc)) {
      const r = eksctlDrafts(ctx, doc, defaults, skip);
      read = r.drafts;
      if (r.enableOidc) enableOidc.push(r.enableOidc);
      if (r.note) notes.push(r.note);
    } else {
      read = iamsaDrafts(ctx, doc, defaults, skip);
    }
    // A misspelt field's value is missing: what the item as a whole lacks says nothing more.
    const unknown = itemsWithUnknownFields(found);
    for (const d of read) if (unknown.has(d.base[d.base.length - 1] as number)) d.broken = true;
    pushAll(drafts, read);
  }
  const bindings = drafts.flatMap((d) => checkDraft(ctx, d) ?? []);
  checkDuplicates(ctx, drafts);
  if (ctx.problems.length) {
    throw new FileProblemsError(
      ctx.file,
      withoutPlaceholderEchoes(ctx.problems).sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
      apiVersions.length > 0 && apiVersions.every((v) => v === EKSCTL_API_VERSION),
    );
  }
  return { bindings, enableOidc, notes, ignored: ctx.ignored };
}
