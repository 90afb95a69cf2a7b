// What a user does after a command that changed something: after enable-oidc, bind a service
// account; after create-serviceaccount, restart the pods (iamsa does not touch workloads) or, with
// --role-only, annotate the service account.
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
    `kubectl rollout restart deployment -n ${shellQuote(namespace)} <deployment using service account ${name}>`,
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
  return [`Bind a service account to an IAM role on cluster ${result.cluster}:`, args.join(' ')];
}
