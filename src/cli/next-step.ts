// What a user does after create-serviceaccount: iamsa does not touch workloads or, with
// --role-only, the service account.
import { ROLE_ARN_ANNOTATION } from '../policy/names.js';
import { shellQuote } from './command-line.js';

export function nextStep(
  result: { roleArn?: string },
  namespace: string,
  name: string,
  roleOnly: boolean,
): string[] {
  if (roleOnly) {
    if (!result.roleArn) return [];
    return [
      'Annotate the service account with the role:',
      `kubectl annotate serviceaccount -n ${shellQuote(namespace)} ${shellQuote(name)} ${ROLE_ARN_ANNOTATION}=${result.roleArn}`,
    ];
  }
  return [
    `Restart the pods of ${namespace}/${name} so they pick up the role, e.g.`,
    `kubectl rollout restart deployment -n ${shellQuote(namespace)} <deployment using service account ${name}>`,
  ];
}
