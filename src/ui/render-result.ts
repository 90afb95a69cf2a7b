// Text rendering of a command's result: one line per resource, + create / ~ update / = unchanged.
import type { ChalkInstance } from 'chalk';
import type { CommandResult } from '../actions/plan.js';

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
  const lines: string[] = [];
  if (!options.summaryOnly) {
    const verb = !result.applied ? 'Plan' : result.changed ? 'Applied' : 'Up to date';
    lines.push(
      style.bold(`${verb}: ${result.command} on cluster ${result.cluster} (${result.region})`),
    );
    // Columns line up however long the longest resource kind of this result is.
    const width = Math.max(17, ...result.steps.map((s) => s.resource.length));
    for (const s of result.steps) {
      const head = `${SYMBOL[s.action]} ${s.action.padEnd(9)} ${s.resource.padEnd(width)} ${s.id}`;
      lines.push(`  ${paint[s.action](head)}`);
      for (const change of s.changes) lines.push(`      ${style.dim(change)}`);
    }
  }
  const sa = result.serviceAccount;
  const facts: Array<[string, string | undefined]> = [
    ['OIDC provider:', result.providerArn],
    ['Role ARN:', result.roleArn],
    ['Service account:', sa && `${sa.namespace}/${sa.name}`],
  ];
  const shown = facts.filter((f): f is [string, string] => f[1] !== undefined);
  const width = Math.max(0, ...shown.map(([label]) => label.length));
  for (const [label, value] of shown) lines.push(`${label.padEnd(width)} ${value}`);
  if (options.footer !== false && (!options.summaryOnly || result.applied || !result.changed)) {
    lines.push(summary(result, options.applyCommand));
  }
  if (result.applied && result.changed && options.nextStep?.length) {
    lines.push('', renderNextStep(options.nextStep, style));
  }
  return lines.join('\n');
}

/** A "Next step:" block: a sentence, then the commands to run. */
export function renderNextStep([sentence, ...commands]: string[], style: ChalkInstance): string {
  return [style.bold('Next step:'), `  ${sentence}`, ...commands.map((c) => `  ${c}`)].join('\n');
}

function summary(result: CommandResult, applyCommand: string | undefined): string {
  const count = (a: string) => result.steps.filter((s) => s.action === a).length;
  const deletes = count('delete') ? `, ${count('delete')} to delete` : '';
  const counts = `${count('create')} to create, ${count('update')} to update${deletes}, ${count('unchanged')} unchanged`;
  if (!result.changed) {
    if (result.command === 'enable-oidc')
      return `Nothing to do: cluster ${result.cluster} is already enabled for IRSA.`;
    if (result.command === 'delete-serviceaccount')
      return 'Nothing to do: iamsa has no binding there (already deleted?).';
    return 'Nothing to do: everything is already in place.';
  }
  if (result.applied) {
    return `Done: ${counts
      .replaceAll(' to ', ' ')
      .replace('create', 'created')
      .replace('update', 'updated')
      .replace('delete', 'deleted')}.`;
  }
  return `${counts}. Nothing was changed; to apply, re-run with --approve${applyCommand ? `:\n  ${applyCommand}` : '.'}`;
}
