// The plan/apply model shared by every mutating command: read state, list what would change,
// apply only with approval. A plan is a set of bindings, each an ordered chain of steps; chains run
// concurrently, a failure stops only its own chain, and a step shared by several chains (a
// namespace two bindings need) runs once.
import { type Warning, type WarningDetail, warningDetails } from './warning-kinds.js';
import { CancelledError, ExitCode, IamsaError } from '../../errors.js';
import type { Mechanism } from '../../policy/index.js';
import { mapConcurrent } from './concurrency.js';
import { interruption } from './interruption.js';
import type { Reporter } from './reporter.js';

export type ChangeAction = 'create' | 'update' | 'delete' | 'unchanged';
export type ResourceKind =
  | 'oidc-provider'
  | 'iam-role'
  | 'policy-attachment'
  | 'managed-policy'
  | 'inline-policy'
  | 'permissions-boundary'
  | 'namespace'
  | 'service-account'
  | 'pod-identity-association'
  | 'workload';

export interface PlanStep {
  resource: ResourceKind;
  /** ARN, or namespace/name for Kubernetes objects. */
  id: string;
  action: ChangeAction;
  /** What changes, in a few words each (for create: what it will be made with). */
  changes: string[];
  /** Order within its chain: steps of one phase run concurrently, phases one after the other. */
  phase: number;
  run?: () => Promise<void>;
}

export type PublicStep = Pick<PlanStep, 'resource' | 'id' | 'action' | 'changes'>;

/** The version of the -o json|yaml document (docs/output.md). */
export const SCHEMA_VERSION = 2;

export interface ErrorDocument {
  message: string;
  hint?: string;
  /** Lines that belong with the error (e.g. the trust statement to add). */
  detail?: string;
  exitCode: number;
}

/** One binding in the result document. */
export interface BindingResult {
  cluster: string;
  namespace: string;
  name: string;
  /** Where the binding came from (`flags`, `bindings.yaml: bindings[3]`). */
  source: string;
  /** How the service account gets the role. */
  mechanism: Mechanism;
  roleArn?: string;
  /** Whether its changes were written (false for a plan, an unchanged binding or a failure). */
  applied: boolean;
  /** Whether its plan changes anything. */
  changed: boolean;
  steps: PublicStep[];
  warnings: Warning[];
  error?: ErrorDocument;
}

/** The machine-readable result every command returns and -o json|yaml prints. */
export interface CommandResult {
  schemaVersion: number;
  command: string;
  applied: boolean;
  changed: boolean;
  cluster: string;
  region: string;
  /** Every step of every binding, in apply order (each shared step once). */
  steps: PublicStep[];
  providerArn?: string;
  roleArn?: string;
  serviceAccount?: { namespace: string; name: string };
  /** A Pod Identity binding's cluster and association, in place of the OIDC provider. */
  podIdentity?: PodIdentityHeader;
  bindings: BindingResult[];
  warnings: Warning[];
  /** The same warnings (each once), each with its code apart (engine/warning-kinds.ts). */
  warningDetails?: WarningDetail[];
  /** Set when some bindings failed: the exit code of the most serious failure. */
  exitCode?: number;
}

export interface PodIdentityHeader {
  clusterArn: string;
  associationId?: string;
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

/** A binding's plan: its ordered chain of steps, or the error that kept it from being planned. */
export interface BindingPlan {
  cluster: string;
  namespace: string;
  name: string;
  source: string;
  /** Default irsa. */
  mechanism?: Mechanism;
  roleArn?: string;
  /** Absent for a role-only binding. */
  serviceAccount?: { namespace: string; name: string };
  /** A Pod Identity binding: its cluster and association (the id once it exists). */
  podIdentity?: PodIdentityHeader;
  steps: PlanStep[];
  warnings: Warning[];
  error?: IamsaError;
}

/** A computed plan: its result as a plan, and the way to apply it. */
export interface Planned {
  result: CommandResult;
  apply(): Promise<CommandResult>;
}

export interface PlanHeader {
  command: string;
  cluster: string;
  region: string;
  providerArn?: string;
  /** Warnings of the whole run (each binding's own are in its entry). */
  warnings: Warning[];
}

export const hasChanges = (steps: PlanStep[]) => steps.some((s) => s.action !== 'unchanged');

export const publicSteps = (steps: PlanStep[]): PublicStep[] =>
  steps.map(({ resource, id, action, changes }) => ({ resource, id, action, changes }));

export function errorDocument(error: unknown): ErrorDocument {
  const e = asIamsaError(error);
  return {
    message: e.message,
    ...(e.hint ? { hint: e.hint } : {}),
    ...(e.detail ? { detail: e.detail } : {}),
    exitCode: e.exitCode,
  };
}

/** The steps of all chains, each shared step once, in order of first appearance. */
const allSteps = (bindings: BindingPlan[], extra: PlanStep[]) => [
  ...new Set([...extra, ...bindings.flatMap((b) => b.steps)]),
];

export interface ComposeOptions {
  /** Steps of no binding (enable-oidc's provider); they run first. */
  extra?: PlanStep[];
  /**
   * A single-binding command: a binding that cannot be planned or applied fails the command with
   * its own error (and exit code), instead of being listed in the document.
   */
  failAsCommand?: boolean;
}

/**
 * Composes a plan from bindings (and steps that belong to no binding, like enable-oidc's
 * provider, which run first). Bindings that could not be planned are listed with their error.
 */
export function composePlan(
  header: PlanHeader,
  bindings: BindingPlan[],
  reporter: Reporter,
  options: ComposeOptions = {},
): Planned {
  const { extra = [], failAsCommand = false } = options;
  const unplanned = bindings.find((b) => b.error)?.error;
  if (failAsCommand && unplanned) throw unplanned;
  const single = bindings.length === 1 ? bindings[0] : undefined;
  const build = (applied: boolean, outcomes?: Map<BindingPlan, ChainOutcome>): CommandResult => {
    const entries = bindings.map((b): BindingResult => {
      const outcome = outcomes?.get(b);
      const error = b.error ?? outcome?.error;
      return {
        cluster: b.cluster,
        namespace: b.namespace,
        name: b.name,
        source: b.source,
        mechanism: b.mechanism ?? 'irsa',
        ...(b.roleArn ? { roleArn: b.roleArn } : {}),
        applied: applied && !error && hasChanges(b.steps),
        changed: hasChanges(b.steps),
        steps: publicSteps(b.steps),
        warnings: b.warnings,
        ...(error ? { error: errorDocument(error) } : {}),
      };
    });
    const failed = entries.filter((e) => e.error);
    const steps = allSteps(bindings, extra);
    // Keys in a fixed order: the JSON/YAML document is a contract for scripts.
    return {
      schemaVersion: SCHEMA_VERSION,
      command: header.command,
      applied,
      changed: hasChanges(steps),
      cluster: header.cluster,
      region: header.region,
      steps: publicSteps(steps),
      providerArn: header.providerArn,
      roleArn: single?.roleArn,
      serviceAccount: single?.serviceAccount,
      ...(single?.podIdentity ? { podIdentity: single.podIdentity } : {}),
      bindings: entries,
      warnings: [...header.warnings, ...bindings.flatMap((b) => b.warnings)],
      warningDetails: warningDetails([...header.warnings, ...bindings.flatMap((b) => b.warnings)]),
      // An interrupted run exits 130 whatever else failed: the user stopped it.
      ...(applied && interruption.requested
        ? { exitCode: ExitCode.cancelled }
        : failed.length
          ? { exitCode: mostSerious(failed.map((f) => f.error?.exitCode ?? 1)) }
          : {}),
    };
  };
  return {
    result: build(false),
    apply: () =>
      interruption.during(async () => {
        const runner = onceRunner(reporter);
        if (extra.length) {
          // Steps of no binding (the OIDC provider) come first; every binding needs them.
          const outcome = await runChain(extra, runner);
          if (outcome.error) throw outcome.error;
        }
        const planned = bindings.filter((b) => !b.error);
        const outcomes = new Map<BindingPlan, ChainOutcome>();
        // Up to eight chains at once; IAM's own limit is the session's.
        await mapConcurrent(planned, 8, async (b) => {
          outcomes.set(b, await runChain(b.steps, runner));
        });
        const failure = [...outcomes.values()].find((o) => o.error)?.error;
        if (failAsCommand && failure) throw failure;
        return build(true, outcomes);
      }),
  };
}

/** Failure classes from most to least serious: what a batch's exit code reports. */
const SERIOUSNESS: number[] = [
  ExitCode.internal,
  ExitCode.auth,
  ExitCode.conflict,
  ExitCode.precondition,
  ExitCode.usage,
  ExitCode.cancelled,
];

export const mostSerious = (codes: number[]): number =>
  SERIOUSNESS.find((c) => codes.includes(c)) ?? codes[0] ?? ExitCode.internal;

interface ChainOutcome {
  done: PlanStep[];
  error?: IamsaError;
}

type Runner = (s: PlanStep) => Promise<void>;

/** Runs each step at most once however many chains share it, under a progress label. */
function onceRunner(reporter: Reporter): Runner {
  const running = new Map<PlanStep, Promise<void>>();
  return (s) => {
    let p = running.get(s);
    if (!p) {
      p = reporter.progress(`${VERB_ING[s.action]} ${s.resource} ${s.id}`, async () => {
        await s.run?.();
      });
      running.set(s, p);
    }
    return p;
  };
}

const VERB_ING = {
  create: 'Creating',
  update: 'Updating',
  delete: 'Deleting',
  unchanged: 'Keeping',
} as const;
const VERB_ED = { create: 'created', update: 'updated', delete: 'deleted', unchanged: 'kept' };

const describe = (s: PlanStep) => `${VERB_ED[s.action]} ${s.resource} ${s.id}`;

/** Runs one chain phase by phase. A failure says what now exists and that a re-run finishes. */
async function runChain(steps: PlanStep[], run: Runner): Promise<ChainOutcome> {
  const pending = steps.filter((s) => s.action !== 'unchanged' && s.run);
  const phases = [...new Set(pending.map((s) => s.phase))].sort((a, b) => a - b);
  const done: PlanStep[] = [];
  for (const phase of phases) {
    // Interrupted: what is in flight finishes, nothing new starts.
    if (interruption.requested)
      return { done, error: partialFailure([interruption.error(done.length > 0)], done) };
    const batch = pending.filter((s) => s.phase === phase);
    const results = await Promise.all(
      batch.map((s) =>
        settled(run(s)).then((r) => {
          if (r.status === 'fulfilled') done.push(s);
          return r;
        }),
      ),
    );
    const failures = results.flatMap((r) =>
      r.status !== 'rejected'
        ? []
        : // A call the interrupt kept from being made: the chain is cut short, said once.
          [r.reason instanceof CancelledError ? interruption.error(done.length > 0) : r.reason],
    );
    if (failures.length) return { done, error: partialFailure(failures, done) };
  }
  return { done };
}

const settled = <T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> =>
  promise.then(
    (value) => ({ status: 'fulfilled', value }),
    (reason: unknown) => ({ status: 'rejected', reason }),
  );

export const asIamsaError = (reason: unknown): IamsaError =>
  reason instanceof IamsaError
    ? reason
    : new IamsaError(String((reason as Error)?.message ?? reason), { cause: reason });

/** The same kind of error (so the same exit code) with a note appended and maybe a new hint. */
export function amended(reason: unknown, note: string, hint?: string): IamsaError {
  const error = asIamsaError(reason);
  const Kind = error.constructor as new (
    m: string,
    o: { hint?: string; detail?: string; cause?: unknown },
  ) => IamsaError;
  return new Kind(`${error.message} (${note})`, {
    hint: hint ?? error.hint,
    detail: error.detail,
    cause: error,
  });
}

function partialFailure(failures: unknown[], done: PlanStep[]): IamsaError {
  const [first, ...others] = failures.map(asIamsaError);
  const notes = [
    ...(others.length ? [`also failed: ${others.map((e) => e.message).join('; ')}`] : []),
    ...(done.length ? [`already done: ${done.map(describe).join('; ')}`] : []),
  ];
  if (!first || !notes.length) return first ?? new IamsaError('apply failed');
  const hint =
    done.length && !(first instanceof CancelledError)
      ? `fix the cause and re-run the same command: it keeps what exists and finishes the job${first.hint ? `; ${first.hint}` : ''}`
      : first.hint;
  return amended(first, notes.join('; '), hint);
}
