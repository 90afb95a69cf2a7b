// What a user does after a command that changed something: after enable-oidc, bind a service
// account; after create-serviceaccount, restart the pods (iamsa does not touch workloads) or, with
// --role-only, annotate the service account.
import type { CommandResult } from '../actions/engine/plan.js';
import { annotateCreatingCommands } from '../actions/report/shell-commands.js';
import { shellQuote } from '../policy/shell-quote.js';

export function nextStep(
  result: { roleArn?: string },
  namespace: string,
  name: string,
  roleOnly: boolean,
): string[] {
  if (roleOnly) {
    if (!result.roleArn) return [];
    return [
      'Annotate the service account with the role (creating it, and its namespace, if missing):',
      ...annotateCreatingCommands(namespace, name, result.roleArn),
    ];
  }
  return [
    `Restart the pods of ${namespace}/${name} so they pick up the role, e.g.`,
    restartCommand(namespace, name),
  ];
}

const restartCommand = (namespace: string, name: string) =>
  `kubectl rollout restart deployment -n ${shellQuote(namespace)} <deployment using service account ${name}>`;

/** Shown for the first few; the rest are counted. */
const MAX_RESTARTS_SHOWN = 5;

type Binding = CommandResult['bindings'][number];

/** Kinds whose pods a change of their pod template replaces by itself (`kubectl rollout`). */
const ROLLING = new Set(['deployment', 'statefulset', 'daemonset']);

/** The workload a migration step names (`deployment/ns/name`): kind, namespace, name. */
function workloadOf(b: Binding) {
  const s = b.steps.find((x) => x.resource === 'workload');
  const [kind = '', namespace = '', ...rest] = s?.id.split('/') ?? [];
  return s && { kind, namespace, name: rest.join('/'), changed: s.action !== 'unchanged' };
}

/**
 * Whether running pods of the binding's service account hold credentials the apply changed: the
 * service account still exists (none for a role-only binding; a deleted or pruned binding's is
 * gone or no longer bound), and its annotation, its association or its role's trust changed.
 */
function podsMustRestart(b: Binding, serviceAccountKept: boolean): boolean {
  const sa = b.steps.filter((s) => s.resource === 'service-account');
  if (!sa.length && !serviceAccountKept) return false;
  const removed = b.steps.some(
    (s) => (s.resource === 'service-account' || s.resource === 'iam-role') && s.action === 'delete',
  );
  if (removed) return false;
  return b.steps.some(
    (s) =>
      s.action !== 'unchanged' &&
      (s.resource === 'service-account' ||
        s.resource === 'pod-identity-association' ||
        (s.resource === 'iam-role' &&
          (s.action !== 'update' || s.changes.some((c) => c.startsWith('trust'))))),
  );
}

/**
 * After a batch (apply, the migrations): running pods keep the credentials they started with, so
 * the pods of each binding whose service account, trust or association changed restart. A
 * workload whose pod template iamsa changed (migrate-from-kube2iam) rolls by itself: it is named
 * to watch, not to restart; one iamsa knows but did not change is named in its restart command.
 */
export function restartNextStep(result: CommandResult, serviceAccountKept = false): string[] {
  if (!result.applied) return [];
  const done = result.bindings.filter((b) => !b.error && b.applied);
  const rolled: string[] = [];
  const restart: string[] = [];
  for (const b of done) {
    const w = workloadOf(b);
    if (w?.changed && ROLLING.has(w.kind)) {
      rolled.push(
        `kubectl rollout status ${w.kind}/${shellQuote(w.name)} -n ${shellQuote(w.namespace)}`,
      );
    } else if (w?.changed || podsMustRestart(b, serviceAccountKept)) {
      const command = w ? restartWorkload(w) : restartCommand(b.namespace, b.name);
      if (command) restart.push(command);
    }
  }
  const lines: string[] = [];
  if (restart.length) {
    const more = restart.length - MAX_RESTARTS_SHOWN;
    lines.push(
      `Restart the pods of ${restart.length === 1 ? 'that service account' : `these ${restart.length} service accounts`} so they pick up the change, e.g.`,
      ...restart.slice(0, MAX_RESTARTS_SHOWN),
      ...(more > 0 ? [`(and ${more} more)`] : []),
    );
  }
  if (rolled.length) {
    // After restart commands, a comment says why these only need watching.
    const note = lines.length ? '  # no restart needed' : '';
    if (!lines.length) {
      const one = rolled.length === 1;
      lines.push(
        `No restart needed: iamsa changed the pod template of ${one ? 'that workload' : `these ${rolled.length} workloads`}, so ${one ? 'its' : 'their'} pods roll by themselves; watch them with`,
      );
    }
    const more = rolled.length - MAX_RESTARTS_SHOWN;
    lines.push(
      ...rolled.slice(0, MAX_RESTARTS_SHOWN).map((c) => `${c}${note}`),
      ...(more > 0 ? [`(and ${more} more rolling by themselves)`] : []),
    );
  }
  return lines;
}

/**
 * After migrate-to-pod-identity: the restarts (a migration leaves the service account as it is,
 * but EKS gives Pod Identity credentials only to pods created after the association), then, after
 * a first migration, the --remove-irsa that finishes it once the pods run with Pod Identity.
 */
export function migrateNextStep(result: CommandResult, removeIrsa: string | undefined): string[] {
  const restart = restartNextStep(result, true);
  if (!restart.length || !removeIrsa) return restart;
  return [
    ...restart,
    'Then, once they run with Pod Identity (iamsa doctor: PODID007 ok), remove IRSA:',
    removeIrsa,
  ];
}

/**
 * A known workload: its own rollout; a ReplicaSet's pods to delete (it recreates them); a bare
 * Pod to recreate; a CronJob's next jobs start with the change (undefined: nothing to run).
 */
function restartWorkload(w: { kind: string; namespace: string; name: string }) {
  const ns = shellQuote(w.namespace);
  if (ROLLING.has(w.kind))
    return `kubectl rollout restart ${w.kind}/${shellQuote(w.name)} -n ${ns}`;
  if (w.kind === 'replicaset')
    return `kubectl delete pod -n ${ns} <pods of replicaset ${w.name}>  # it recreates them`;
  if (w.kind === 'pod')
    return `kubectl delete pod -n ${ns} ${shellQuote(w.name)}  # then create it again`;
  return undefined;
}

/** After enable-oidc: the command that binds a service account on this cluster. */
export function enableOidcNextStep(
  result: { cluster: string; region: string },
  profile?: string,
): string[] {
  const args = [
    'iamsa create-serviceaccount',
    `--cluster ${shellQuote(result.cluster)}`,
    `--region ${result.region}`,
    ...(profile ? [`--profile ${shellQuote(profile)}`] : []),
    '--namespace NS --name SA --attach-policy-arn ARN --approve',
  ];
  // enable-oidc does not talk to Kubernetes, so it cannot know how the user reaches the cluster.
  return [
    `Bind a service account to an IAM role on cluster ${result.cluster} (adding the Kubernetes connection flags you use, if any: --kubeconfig/--context or --kube-server/--kube-ca-file):`,
    args.join(' '),
  ];
}
