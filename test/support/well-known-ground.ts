// What the well-known-policy tests read of a ground (moto's or the fakes', test/support/fake-ground.ts):
// the attached policies, the stored documents, and what `iamsa well-known-policies` prints.
import assert from 'node:assert/strict';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListAttachedRolePoliciesCommand,
  ListPoliciesCommand,
} from '@aws-sdk/client-iam';
import type { PolicyDocument } from '../../src/policy/index.js';

/** The part of a ground these helpers use. */
export interface PolicyGround {
  kubeFlags: string[];
  iamsa(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  iam: { send(command: any): Promise<any> };
}

export function wellKnownHelpers(ground: () => PolicyGround, account: string) {
  const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;
  return {
    json,
    policyArn: (name: string) => `arn:aws:iam::${account}:policy/${name}`,
    roleName: (sa: string) => `iamsa-demo-default-${sa}`,
    /** create-serviceaccount of default/sa on cluster demo, applied, as JSON. */
    csa: (sa: string, ...args: string[]) =>
      ground().iamsa([
        'create-serviceaccount',
        '--cluster',
        'demo',
        '--name',
        sa,
        ...ground().kubeFlags,
        '--approve',
        '-o',
        'json',
        ...args,
      ]),
    attachedTo: async (role: string): Promise<string[]> =>
      (
        (await ground().iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role })))
          .AttachedPolicies ?? []
      ).map((p: any) => p.PolicyArn),
    /** The default version's document of a policy, as IAM stores it. */
    async storedDocument(arn: string): Promise<{ version: string; doc: PolicyDocument }> {
      const g = ground();
      const policy = (await g.iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
      const version = policy?.DefaultVersionId ?? '';
      const v = await g.iam.send(
        new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: version }),
      );
      return { version, doc: JSON.parse(decodeURIComponent(v.PolicyVersion?.Document ?? '')) };
    },
    localPolicies: async (): Promise<string[]> =>
      ((await ground().iam.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies ?? [])
        .map((p: any) => p.Arn)
        .sort(),
    /** What `iamsa well-known-policies KEY --cluster demo` prints for the key and scope. */
    async printed(key: string, scope: string[]): Promise<Record<string, any>> {
      const r = await ground().iamsa([
        'well-known-policies',
        key,
        '--cluster',
        'demo',
        ...scope.flatMap((s) => ['--well-known-scope', s]),
        '-o',
        'json',
      ]);
      assert.equal(r.code, 0, r.stderr);
      return json(r.stdout);
    },
  };
}
