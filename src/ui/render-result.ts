// Text rendering of a command's result: one line per resource, + create / ~ update / = unchanged.
// Every value from outside (names, ARNs, changes, errors) goes through printable before styling.
import type { ChalkInstance } from 'chalk';
import type { BindingResult, CommandResult, PublicStep } from '../actions/engine/plan.js';
import { printable as p } from './printable.js';

const SYMBOL = { create: '+', update: '~', delete: '-', unchanged: '=' } as const;

export interface RenderOptions {
  /** The command line that applies a plan, shown under an unapplied plan. */
  applyCommand?: string;
  /** Only the ARNs and the summary line (the steps were shown before a confirmation). */
  summaryOnly?: boolean;
  /** Leave out the closing summary line (a confirmation prompt follows instead). */
  footer?: boolean;
  /**
   * What the user does next (a sentence, then commands), shown after an applied result that
   * changed something: after "Nothing to do" the user has done it already.
   */
  nextStep?: string[];
  /** What a result of no binding at all says after "Nothing to do:" (what was not matched). */
  nothingMatched?: string;
}

export function renderResult(
  result: CommandResult,
  style: ChalkInstance,
  options: RenderOptions = {},
): string {
  const paint = {
    create: style.green,
    update: style.yellow,
    delete: style.red,
    unchanged: style.dim,
  } as const;
  if (result.command === 'apply') return renderBatch(result, style, paint, options);
  const lines: string[] = [];
  if (!options.summaryOnly) {
    const verb = !result.applied ? 'Plan' : result.changed ? 'Applied' : 'Up to date';
    lines.push(
      style.bold(
        `${verb}: ${result.command} on cluster ${p(result.cluster)} (${p(result.region)})`,
      ),
    );
    const width = kindWidth(result.steps);
    for (const s of result.steps) {
      lines.push(`  ${paint[s.action](stepHead(s, width))}`);
      for (const change of s.changes) lines.push(`      ${style.dim(p(change))}`);
    }
  }
  // A binding that failed has no steps to show: without its error it would vanish from the text.
  for (const b of result.bindings.filter((b) => b.error)) {
    lines.push(
      `  ${style.bold(`${b.namespace}/${b.name}`)} ${style.red('failed')}`,
      ...errorLines(b, style),
    );
  }
  const sa = result.serviceAccount;
  const facts: Array<[string, string | undefined]> = [
    ['OIDC provider:', result.providerArn],
    ['Pod Identity:', result.podIdentity && podIdentityLine(result.podIdentity, sa)],
    ['Role ARN:', result.roleArn],
    ['Service account:', sa && `${sa.namespace}/${sa.name}`],
  ];
  const shown = facts.filter((f): f is [string, string] => f[1] !== undefined);
  const width = Math.max(0, ...shown.map(([label]) => label.length));
  for (const [label, value] of shown) lines.push(`${label.padEnd(width)} ${p(value)}`);
  if (options.footer !== false && (!options.summaryOnly || result.applied || !result.changed)) {
    lines.push(summary(result, options));
  }
  if (result.applied && result.changed && options.nextStep?.length) {
    lines.push('', renderNextStep(options.nextStep, style));
  }
  return lines.join('\n');
}

/** The association (its id once it exists) and the cluster it is on. */
const podIdentityLine = (
  pi: NonNullable<CommandResult['podIdentity']>,
  sa: CommandResult['serviceAccount'],
) =>
  `association${sa ? ` of ${sa.namespace}/${sa.name}` : ''}${pi.associationId ? ` (${pi.associationId})` : ''} on ${pi.clusterArn}`;

/** A "Next step:" block: a sentence, then the commands to run. */
export function renderNextStep([sentence, ...commands]: string[], style: ChalkInstance): string {
  return [style.bold('Next step:'), `  ${sentence}`, ...commands.map((c) => `  ${c}`)].join('\n');
}

type Paint = Record<keyof typeof SYMBOL, (text: string) => string>;

/** Columns line up however long the longest resource kind of the whole plan is. */
const kindWidth = (steps: readonly PublicStep[]) =>
  Math.max(17, ...steps.map((s) => p(s.resource).length));

const stepHead = (s: PublicStep, width: number) =>
  `${SYMBOL[s.action]} ${s.action.padEnd(9)} ${p(s.resource).padEnd(width)} ${p(s.id)}`;

const stepLines = (
  s: PublicStep,
  style: ChalkInstance,
  paint: Paint,
  indent: string,
  width: number,
) => [
  `${indent}${paint[s.action](stepHead(s, width))}`,
  ...s.changes.map((change) => `${indent}    ${style.dim(p(change))}`),
];

/** A batch (apply -f): steps grouped by binding, then a count of bindings and the failures. */
function renderBatch(
  result: CommandResult,
  style: ChalkInstance,
  paint: Paint,
  options: RenderOptions,
): string {
  const lines: string[] = [];
  const inBindings = new Set(
    result.bindings.flatMap((b) => b.steps.map((s) => `${s.resource} ${s.id}`)),
  );
  if (!options.summaryOnly) {
    // As for one binding: a converged run is up to date, not applied.
    const verb = !result.applied ? 'Plan' : result.changed ? 'Applied' : 'Up to date';
    lines.push(
      style.bold(
        result.cluster
          ? `${verb}: apply on ${p(result.cluster)} (${p(result.region)})`
          : `${verb}: apply: the file names no cluster to bind or enable`,
      ),
    );
    const width = kindWidth([...result.steps, ...result.bindings.flatMap((b) => b.steps)]);
    // Steps of no binding (OIDC providers) come first, as they run first.
    for (const s of result.steps.filter((s) => !inBindings.has(`${s.resource} ${s.id}`))) {
      lines.push(...stepLines(s, style, paint, '  ', width));
    }
    // A step bindings share (the namespace two bindings need) is shown under the first one only.
    const shown = new Set<string>();
    const firstTime = (b: BindingResult, s: CommandResult['steps'][number]) => {
      const key = JSON.stringify([b.cluster, s.resource, s.id, s.action, s.changes]);
      return !shown.has(key) && !!shown.add(key);
    };
    const sameError = bindingsBySameError(result.bindings);
    for (const b of result.bindings) {
      const state = bindingState(b);
      const head = p(`${b.cluster} ${b.namespace}/${b.name}`);
      lines.push(
        `  ${style.bold(head)} ${style.dim(`(${p(b.source)})`)} ${STATE_PAINT(style)[state](stateWords(b, state))}`,
      );
      if (b.error) {
        // One cause (a cluster that does not exist) is said once, naming the bindings it blocks.
        const [first, ...others] = sameError.get(errorKey(b)) ?? [];
        if (first !== b) continue;
        lines.push(...errorLines(b, style));
        if (others.length) {
          const names = others.map((o) => `${o.cluster} ${o.namespace}/${o.name}`).join(', ');
          lines.push(`      ${style.dim(p(`(the same for ${names})`))}`);
        }
        continue;
      }
      if (state === 'unchanged') continue;
      for (const s of b.steps.filter((s) => firstTime(b, s)))
        lines.push(...stepLines(s, style, paint, '    ', width));
    }
  }
  if (options.footer !== false && (!options.summaryOnly || result.applied || !result.changed)) {
    lines.push(...batchSummary(result, style, options.applyCommand));
  }
  if (result.applied && result.changed && options.nextStep?.length) {
    lines.push('', renderNextStep(options.nextStep, style));
  }
  return lines.join('\n');
}

const errorLines = (b: BindingResult, style: ChalkInstance) =>
  b.error
    ? [
        `      ${style.red(`error: ${p(b.error.message)}`)}`,
        ...(b.error.hint ? [`      ${style.cyan(`hint: ${p(b.error.hint)}`)}`] : []),
      ]
    : [];

const errorKey = (b: BindingResult) => `${b.error?.message}\u0000${b.error?.hint}`;

/** The failed bindings of each distinct error, in order. */
function bindingsBySameError(bindings: readonly BindingResult[]) {
  const groups = new Map<string, BindingResult[]>();
  for (const b of bindings.filter((b) => b.error)) {
    groups.set(errorKey(b), [...(groups.get(errorKey(b)) ?? []), b]);
  }
  return groups;
}

const NOTHING_ELSE = 'Nothing else to do: fix the failures and run again.';

type BindingState = 'create' | 'update' | 'delete' | 'unchanged' | 'failed';

/** What a binding as a whole does: made anew, changed, removed, kept, or failed. */
function bindingState(b: BindingResult): BindingState {
  if (b.error) return 'failed';
  const main = b.steps.filter((s) => s.resource === 'service-account' || s.resource === 'iam-role');
  if (!b.steps.some((s) => s.action !== 'unchanged')) return 'unchanged';
  if (main.length && main.every((s) => s.action === 'delete')) return 'delete';
  if (main.some((s) => s.action === 'create')) return 'create';
  return 'update';
}

/** The state as a row says it: a binding --prune removes says what is left of it to remove. */
function stateWords(b: BindingResult, state: BindingState): string {
  // plan-prune.ts names the source of what it removes `--prune: not in FILE`.
  if (!b.source.startsWith('--prune: ')) return state;
  return state === 'unchanged' ? 'nothing left to remove' : state;
}

const STATE_PAINT = (style: ChalkInstance): Record<BindingState, (t: string) => string> => ({
  create: style.green,
  update: style.yellow,
  delete: style.red,
  unchanged: style.dim,
  failed: style.red,
});

const EXIT_CLASS: Record<number, string> = {
  1: 'error',
  2: 'bad input',
  3: 'precondition',
  4: 'auth',
  5: 'conflict',
  130: 'cancelled',
};

function batchSummary(
  result: CommandResult,
  style: ChalkInstance,
  applyCommand: string | undefined,
): string[] {
  const states = result.bindings.map(bindingState);
  const n = (s: BindingState) => states.filter((x) => x === s).length;
  const done = result.applied;
  const parts = [
    n('create') && `${n('create')} ${done ? 'created' : 'to create'}`,
    n('update') && `${n('update')} ${done ? 'updated' : 'to update'}`,
    n('delete') && `${n('delete')} ${done ? 'deleted' : 'to delete'}`,
    `${n('unchanged')} unchanged`,
    n('failed') && `${n('failed')} failed`,
  ].filter(Boolean);
  const total = result.bindings.length;
  const lines = [`${total} ${total === 1 ? 'binding' : 'bindings'}: ${parts.join(', ')}`];
  for (const b of result.bindings.filter((b) => b.error)) {
    const code = b.error?.exitCode ?? 1;
    lines.push(
      `  ${style.red('failed')} ${p(`${b.cluster} ${b.namespace}/${b.name}`)}: ${EXIT_CLASS[code] ?? 'error'} (exit ${code})`,
    );
  }
  if (!result.changed) {
    lines.push(n('failed') ? NOTHING_ELSE : 'Nothing to do: everything is already in place.');
  } else if (done) lines.push('Done.');
  else {
    lines.push(
      `Nothing was changed; to apply, re-run with --approve${applyCommand ? `:\n  ${applyCommand}` : '.'}`,
    );
  }
  return lines;
}

function summary(result: CommandResult, options: RenderOptions): string {
  const { applyCommand } = options;
  const count = (a: string) => result.steps.filter((s) => s.action === a).length;
  const deletes = count('delete') ? `, ${count('delete')} to delete` : '';
  const counts = `${count('create')} to create, ${count('update')} to update${deletes}, ${count('unchanged')} unchanged`;
  const failed = result.bindings.filter((b) => b.error).length;
  const failures = failed ? ` ${failed} ${failed === 1 ? 'binding' : 'bindings'} failed.` : '';
  if (!result.changed) {
    if (failed) return `${failures.trim()} ${NOTHING_ELSE}`;
    if (result.command === 'enable-oidc')
      return `Nothing to do: cluster ${p(result.cluster)} is already enabled for IRSA.`;
    if (result.command === 'delete-serviceaccount')
      return 'Nothing to do: iamsa has no binding there (already deleted?).';
    if (!result.bindings.length && options.nothingMatched)
      return `Nothing to do: ${p(options.nothingMatched)}.`;
    return 'Nothing to do: everything is already in place.';
  }
  if (result.applied) {
    return `Done: ${counts
      .replaceAll(' to ', ' ')
      .replace('create', 'created')
      .replace('update', 'updated')
      .replace('delete', 'deleted')}.${failures}`;
  }
  return `${counts}.${failures} Nothing was changed; to apply, re-run with --approve${applyCommand ? `:\n  ${applyCommand}` : '.'}`;
}
