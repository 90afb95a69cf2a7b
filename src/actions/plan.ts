// The plan/apply model shared by every mutating command: read state, list what would change,
// apply only with approval. Steps run phase by phase; steps of one phase run concurrently.
import { IamsaError } from '../errors.js';
import { mapConcurrent } from './concurrency.js';
import type { Reporter } from './reporter.js';

export type ChangeAction = 'create' | 'update' | 'unchanged';
export type ResourceKind =
  | 'oidc-provider'
  | 'iam-role'
  | 'policy-attachment'
  | 'inline-policy'
  | 'namespace'
  | 'service-account';

export interface PlanStep {
  resource: ResourceKind;
  /** ARN, or namespace/name for Kubernetes objects. */
  id: string;
  action: ChangeAction;
  /** What changes, in a few words each (for create: what it will be made with). */
  changes: string[];
  phase: number;
  run?: () => Promise<void>;
}

/** The machine-readable result every command returns and -o json|yaml prints. */
export interface CommandResult {
  command: string;
  applied: boolean;
  changed: boolean;
  cluster: string;
  region: string;
  steps: Array<Pick<PlanStep, 'resource' | 'id' | 'action' | 'changes'>>;
  providerArn?: string;
  roleArn?: string;
  serviceAccount?: { namespace: string; name: string };
  warnings: string[];
}

export const step = (s: PlanStep): PlanStep => s;

/** One change to an existing resource: what it is, in a few words, and how to make it. */
export interface Edit {
  change: string;
  run: () => Promise<void>;
}

/** An update step made of the edits that apply (false = not needed); unchanged when none do. */
export function updateStep(
  resource: ResourceKind,
  id: string,
  phase: number,
  edits: Array<Edit | false>,
): PlanStep {
  const needed = edits.filter((e): e is Edit => e !== false);
  return {
    resource,
    id,
    action: needed.length ? 'update' : 'unchanged',
    changes: needed.map((e) => e.change),
    phase,
    run: async () => {
      // Every edit runs to its end, so a failure can say which of the others were made.
      const results = await Promise.allSettled(needed.map((e) => e.run()));
      const failed = needed.filter((_, i) => results[i]?.status === 'rejected');
      const first = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (!first) return;
      const made = needed.filter((e) => !failed.includes(e)).map((e) => e.change);
      throw amended(
        first.reason,
        `${failed.map((e) => e.change).join(', ')} of ${id} failed${made.length ? `; made: ${made.join(', ')}` : ''}`,
      );
    },
  };
}

/** The wanted tags whose value differs from (or is missing in) the current ones. */
export function changedTags(wanted: Record<string, string>, current: Record<string, string>) {
  return Object.fromEntries(Object.entries(wanted).filter(([k, v]) => current[k] !== v));
}

export const describeTags = (tags: Record<string, string>) =>
  Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** A computed plan: its result as a plan, and the way to apply it. */
export interface Planned {
  result: CommandResult;
  apply(): Promise<CommandResult>;
}

export function planned(
  result: Omit<CommandResult, 'applied' | 'changed' | 'steps'>,
  steps: PlanStep[],
  reporter: Reporter,
): Planned {
  // Keys in a fixed order: the JSON/YAML document is a contract for scripts.
  const plan: CommandResult = {
    command: result.command,
    applied: false,
    changed: hasChanges(steps),
    cluster: result.cluster,
    region: result.region,
    steps: publicSteps(steps),
    providerArn: result.providerArn,
    roleArn: result.roleArn,
    serviceAccount: result.serviceAccount,
    warnings: result.warnings,
  };
  return {
    result: plan,
    async apply() {
      await applyPlan(steps, reporter);
      return { ...plan, applied: true };
    },
  };
}

export const hasChanges = (steps: PlanStep[]) => steps.some((s) => s.action !== 'unchanged');

const describe = (s: PlanStep) =>
  `${s.action === 'create' ? 'created' : 'updated'} ${s.resource} ${s.id}`;

/** Applies the changing steps in phase order. A failure says what now exists and that a re-run finishes. */
export async function applyPlan(steps: PlanStep[], reporter: Reporter): Promise<void> {
  const pending = steps.filter((s) => s.action !== 'unchanged' && s.run);
  const phases = [...new Set(pending.map((s) => s.phase))].sort((a, b) => a - b);
  const done: PlanStep[] = [];
  for (const phase of phases) {
    const batch = pending.filter((s) => s.phase === phase);
    // At most four writes in flight: IAM throttles bursts (many policy attachments at once).
    const results = await mapConcurrent(batch, 4, (s) =>
      settled(
        reporter.progress(
          `${s.action === 'create' ? 'Creating' : 'Updating'} ${s.resource} ${s.id}`,
          async () => {
            await s.run?.();
            done.push(s);
          },
        ),
      ),
    );
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    if (failures.length) throw partialFailure(failures, done);
  }
}

const settled = <T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> =>
  promise.then(
    (value) => ({ status: 'fulfilled', value }),
    (reason: unknown) => ({ status: 'rejected', reason }),
  );

const asIamsaError = (reason: unknown): IamsaError =>
  reason instanceof IamsaError
    ? reason
    : new IamsaError(String((reason as Error)?.message ?? reason), { cause: reason });

/** The same kind of error (so the same exit code) with a note appended and maybe a new hint. */
function amended(reason: unknown, note: string, hint?: string): IamsaError {
  const error = asIamsaError(reason);
  const Kind = error.constructor as new (
    m: string,
    o: { hint?: string; cause?: unknown },
  ) => IamsaError;
  return new Kind(`${error.message} (${note})`, { hint: hint ?? error.hint, cause: error });
}

function partialFailure(failures: unknown[], done: PlanStep[]): IamsaError {
  const [first, ...others] = failures.map(asIamsaError);
  const notes = [
    ...(others.length ? [`also failed: ${others.map((e) => e.message).join('; ')}`] : []),
    ...(done.length ? [`already done: ${done.map(describe).join('; ')}`] : []),
  ];
  if (!first || !notes.length) return first ?? new IamsaError('apply failed');
  const hint = done.length
    ? `fix the cause and re-run the same command: it keeps what exists and finishes the job${first.hint ? `; ${first.hint}` : ''}`
    : first.hint;
  return amended(first, notes.join('; '), hint);
}

export const publicSteps = (steps: PlanStep[]): CommandResult['steps'] =>
  steps.map(({ resource, id, action, changes }) => ({ resource, id, action, changes }));

/** Starts a promise now but keeps an early failure elsewhere from becoming an unhandled rejection. */
export function started<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
