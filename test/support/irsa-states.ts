// Building blocks for doctor and audit tests: bindings made by iamsa, roles with hand-written
// trusts (the over-broad and broken ones iamsa never makes), and pods as the API server stores them.
import assert from 'node:assert/strict';
import { AttachRolePolicyCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import type { Ground } from './ground.js';

/** What set-up needs of a ground: moto and the emulator, or the harness's fakes (fake-ground.ts). */
export type SetUp = Pick<Ground, 'kubeAdmin'> & { iam: { send(command: object): Promise<any> } };

export const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
export const ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';

export const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;

/** Where iamsa runs: the binary on the ground, or in-process on the fakes (fake-ground.ts). */
export interface Runs {
  cluster: string;
  kubeFlags: string[];
  iamsa(args: string[]): Promise<{ code: number | null; stderr: string }>;
}

/** A binding made by iamsa itself (create-serviceaccount with ReadOnlyAccess): its role's name. */
export async function bindReadOnly(g: Runs, ns: string, name: string): Promise<string> {
  const r = await g.iamsa([
    ...['create-serviceaccount', '--cluster', g.cluster, '--namespace', ns, '--name', name],
    ...['--attach-policy-arn', READONLY, ...g.kubeFlags, '--approve'],
  ]);
  assert.equal(r.code, 0, r.stderr);
  return `iamsa-${g.cluster}-${ns}-${name}`;
}

/** The cluster's issuer host path, from the provider ARN. */
export const hostOf = (providerArn: string) => providerArn.split('oidc-provider/')[1] ?? '';

export async function namespace(g: SetUp, name: string): Promise<void> {
  await g.kubeAdmin('POST', '/api/v1/namespaces', { metadata: { name } });
}

export async function serviceAccount(
  g: SetUp,
  ns: string,
  name: string,
  annotations: Record<string, string> = {},
): Promise<void> {
  await g.kubeAdmin('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, {
    metadata: { name, annotations },
  });
}

export async function annotate(
  g: SetUp,
  ns: string,
  name: string,
  annotations: Record<string, string | null>,
): Promise<void> {
  await g.kubeAdmin('PATCH', `/api/v1/namespaces/${ns}/serviceaccounts/${name}`, {
    metadata: { annotations },
  });
}

/**
 * A pod as a controller would create it. On this test ground the emulator plays the EKS pod
 * identity webhook (test/support/kube-emulator/eks-webhook.ts): a pod of an annotated service
 * account gets AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE and the aws-iam-token volume at creation,
 * as on EKS, and a pod created before the annotation keeps what it had.
 */
export async function pod(
  g: SetUp,
  ns: string,
  name: string,
  sa: string,
  extra: { env?: { name: string; value: string }[]; annotations?: Record<string, string> } = {},
): Promise<void> {
  await g.kubeAdmin('POST', `/api/v1/namespaces/${ns}/pods`, {
    metadata: { name, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      serviceAccountName: sa,
      containers: [
        { name: 'app', image: 'busybox:1.36', ...(extra.env ? { env: extra.env } : {}) },
      ],
    },
  });
}

/** A role with this trust (written with the SDK: iamsa would never make it), optionally a policy. */
export async function roleWithTrust(
  g: SetUp,
  name: string,
  trust: unknown,
  policyArn: string | null = READONLY,
): Promise<string> {
  const out = await g.iam.send(
    new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }),
  );
  if (policyArn) {
    await g.iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: policyArn }));
  }
  return out.Role?.Arn ?? '';
}

/** One web-identity statement for the provider with these conditions. */
export function statement(providerArn: string, condition: Record<string, unknown> | undefined) {
  return {
    Effect: 'Allow',
    Principal: { Federated: providerArn },
    Action: 'sts:AssumeRoleWithWebIdentity',
    ...(condition ? { Condition: condition } : {}),
  };
}

export const trustOf = (...statements: unknown[]) => ({
  Version: '2012-10-17',
  Statement: statements,
});
