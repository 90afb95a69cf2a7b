// The commands a wizard run prints: what it did, as the non-interactive command lines that do it.
// Apart from command-line.ts, which every command's result uses, so --help loads neither the
// policy layer nor the plan model.
import type { BindingSpec } from '../actions/binding/spec.js';
import type { KubeAccess } from '../kube/connection.js';
import { describeTags } from '../actions/engine/plan.js';
import { scopeFlags } from '../policy/well-known/resolve.js';
import { applyCommandLine } from './command-line.js';

/** The enable-oidc command that registers the provider a wizard run created. */
export function enableOidcCommandLine(region: string, cluster: string, profile?: string): string {
  const args = ['enable-oidc', '--region', region, ...(profile ? ['--profile', profile] : [])];
  return applyCommandLine([...args, '--cluster', cluster]);
}

/** The non-interactive create-serviceaccount command that does what a wizard run did. */
export function createServiceAccountCommandLine(
  region: string,
  input: BindingSpec,
  kube: KubeAccess,
  profile?: string,
): string {
  const flag = (name: string, value: string | undefined) => (value ? [name, value] : []);
  const many = (name: string, values: string[]) => values.flatMap((v) => [name, v]);
  const on = (name: string, value: boolean) => (value ? [name] : []);
  const args = [
    'create-serviceaccount',
    ...(input.mechanism === 'pod-identity' ? ['--mechanism', 'pod-identity'] : []),
    ...flag('--region', region),
    ...flag('--profile', profile),
    ...flag('--cluster', input.cluster),
    ...flag('--namespace', input.namespace),
    ...flag('--name', input.name),
    ...many('--attach-policy-arn', input.policyArns),
    ...flag('--attach-policy', input.inlinePolicy?.file),
    ...flag('--well-known-policies', Object.keys(input.wellKnownPolicies ?? {}).join(',')),
    ...many('--well-known-scope', scopeFlags(input.wellKnownPolicies ?? {})),
    ...flag('--attach-role-arn', input.attachRoleArn),
    ...flag('--role-name', input.roleName),
    ...flag('--role-path', input.rolePath),
    ...flag('--permissions-boundary', input.permissionsBoundary),
    ...flag('--target-role-arn', input.targetRoleArn),
    ...on('--disable-session-tags', input.disableSessionTags ?? false),
    ...flag('--tags', describeTags(input.tags)),
    ...on('--role-only', input.roleOnly),
    ...on('--override-existing-serviceaccounts', input.overrideExisting),
    ...on('--create-namespace', input.createNamespace),
    ...(kube.mode === 'kubeconfig'
      ? [...flag('--kubeconfig', kube.file), ...flag('--context', kube.context)]
      : [...flag('--kube-server', kube.server), ...flag('--kube-ca-file', kube.caFile)]),
  ];
  return applyCommandLine(args);
}
