// What a user does after a command that changed something: after enable-oidc, bind a service
// account; after create-serviceaccount, restart the pods (iamsa does not touch workloads) or, with
// --role-only, annotate the service account.
import type { CommandResult } from '../actions/engine/plan.js';
import { ROLE_ARN_ANNOTATION } from '../policy/names.js';
import { shellQuote } from '../policy/shell-quote.js';

export function nextStep(
  result: { roleArn?: string },
  namespace: string,
  name: string,
  roleOnly: boolean,
): string[] {
  if (roleOnly) {
    if (!result.roleArn) return [];
    // Server-side apply creates what is missing and only sets the annotation on what exists, so
    // the step works whether or not the namespace and the service account are there yet.
    const ns = shellQuote(namespace);
    const annotation = shellQuote(`${ROLE_ARN_ANNOTATION}=${result.roleArn}`);
    return [
      'Annotate the service account with the role (creating it, and its namespace, if missing):',
      ...(namespace === 'default'
        ? []
        : [
            `kubectl create namespace ${ns} --dry-run=client -o yaml | kubectl apply --server-side -f -`,
          ]),
      `kubectl create serviceaccount -n ${ns} ${shellQuote(name)} --dry-run=client -o yaml | kubectl annotate --local -f - ${annotation} -o yaml | kubectl apply --server-side -f -`,
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

/**
 * After a batch (apply, the migrations): running pods keep the credentials they started with, so
 * the pods of each binding whose service account, trust or association changed restart.
 */
export function restartNextStep(result: CommandResult): string[] {
  const restart = result.bindings.filter(
    (b) =>
      result.applied &&
      !b.error &&
      b.steps.some(
        (s) =>
          s.action !== 'unchanged' &&
          (s.resource === 'service-account' ||
            s.resource === 'pod-identity-association' ||
            (s.resource === 'iam-role' &&
              (s.action !== 'update' || s.changes.some((c) => c.startsWith('trust'))))),
      ),
  );
  if (!restart.length) return [];
  const more = restart.length - MAX_RESTARTS_SHOWN;
  return [
    `Restart the pods of ${restart.length === 1 ? 'that service account' : `these ${restart.length} service accounts`} so they pick up the change, e.g.`,
    ...restart.slice(0, MAX_RESTARTS_SHOWN).map((b) => restartCommand(b.namespace, b.name)),
    ...(more > 0 ? [`(and ${more} more)`] : []),
  ];
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
