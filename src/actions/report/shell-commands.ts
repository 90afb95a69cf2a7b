// The shell commands iamsa prints as next steps and fixes that the command line needs at start-up
// (the Kubernetes flags to repeat, the service account that works whether or not it exists). Kept
// apart from fix-commands.ts, which needs the policy rules, so the first load stays small.
import type { KubeAccess } from '../../kube/connection.js';
import { ROLE_ARN_ANNOTATION } from '../../policy/names.js';
import { shellQuote } from '../../policy/shell-quote.js';

export interface CommandContext {
  cluster: string;
  region: string;
  profile?: string;
  /** The Kubernetes connection the user gave (a tunnel, a kubeconfig): its fixes need it too. */
  kube?: KubeAccess;
}

/** One shell word: as it is when safe, else in single quotes. */
export const quote = shellQuote;
export const profileOf = (c: CommandContext) => (c.profile ? ` --profile ${quote(c.profile)}` : '');

/** The user's Kubernetes connection flags, for the iamsa commands that talk to the cluster. */
export function kubeFlagsOf(c: CommandContext): string {
  const k = c.kube;
  if (!k) return '';
  const pairs: Array<[string, string | undefined]> =
    k.mode === 'kubeconfig'
      ? [
          ['--kubeconfig', k.file],
          ['--context', k.context],
        ]
      : [
          ['--kube-server', k.server],
          ['--kube-ca-file', k.caFile],
        ];
  return pairs
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([flag, value]) => ` ${flag} ${quote(value)}`)
    .join('');
}

/**
 * The service account annotated with the role, created (and its namespace) when missing: server-side
 * apply creates what is missing and only sets the annotation on what exists, so the commands work
 * whether or not the namespace and the service account are there yet.
 */
export function annotateCreatingCommands(namespace: string, name: string, roleArn: string) {
  const ns = quote(namespace);
  const annotation = quote(`${ROLE_ARN_ANNOTATION}=${roleArn}`);
  return [
    ...(namespace === 'default'
      ? []
      : [
          `kubectl create namespace ${ns} --dry-run=client -o yaml | kubectl apply --server-side -f -`,
        ]),
    `kubectl create serviceaccount -n ${ns} ${quote(name)} --dry-run=client -o yaml | kubectl annotate --local -f - ${annotation} -o yaml | kubectl apply --server-side -f -`,
  ];
}
