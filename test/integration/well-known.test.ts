// Well-known policies through the built binary against moto_server and the Kubernetes emulator: one
// smoke run whose documents and AWS-managed attachments IAM (moto) accepts. Their semantics (every
// key, scopes, versions, update and delete, the listing) run in-process in
// test/commands/well-known.test.ts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListAttachedRolePoliciesCommand,
  ListPoliciesCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT, type Ground, startGround } from '../support/ground.js';
import { type PolicyDocument } from '../../src/policy/index.js';

let g: Ground;
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;
const policyArn = (name: string) => `arn:aws:iam::${ACCOUNT}:policy/${name}`;
const roleName = (sa: string) => `iamsa-demo-default-${sa}`;
const csa = (sa: string, ...args: string[]) =>
  g.iamsa([
    'create-serviceaccount',
    '--cluster',
    'demo',
    '--name',
    sa,
    ...g.kubeFlags,
    '--approve',
    '-o',
    'json',
    ...args,
  ]);
const attachedTo = async (role: string) =>
  (
    (await g.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }))).AttachedPolicies ??
    []
  ).map((p) => p.PolicyArn);
/** The default version's document of a policy, as IAM stores it. */
async function storedDocument(arn: string): Promise<{ version: string; doc: PolicyDocument }> {
  const policy = (await g.iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
  const version = policy?.DefaultVersionId ?? '';
  const v = await g.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: version }));
  return { version, doc: JSON.parse(decodeURIComponent(v.PolicyVersion?.Document ?? '')) };
}
const localPolicies = async () =>
  ((await g.iam.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies ?? [])
    .map((p) => p.Arn)
    .sort();
/** What `iamsa well-known-policies KEY --cluster demo` prints for the key and scope. */
async function printed(key: string, scope: string[]): Promise<Record<string, any>> {
  const r = await g.iamsa([
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
}

before(async () => {
  g = await startGround('demo');
  const enabled = await g.iamsa(['enable-oidc', '--cluster', 'demo', '--approve']);
  assert.equal(enabled.code, 0, enabled.stderr);
});
after(() => g.close());

test('create-serviceaccount with well-known keys: the policies IAM stores are the ones printed, a re-run is unchanged', async () => {
  // autoScaler makes a policy; the others attach AWS-managed ones, which must exist in IAM.
  const keys = ['autoScaler', 'cloudWatchObservability', 'ebsCSIController', 'imageBuilder'];
  const args = ['--well-known-policies', keys.join(',')];
  const r = await csa('smoke', ...args);
  assert.equal(r.code, 0, r.stderr);
  const attached = await attachedTo(roleName('smoke'));
  for (const key of keys) {
    const expected = await printed(key, []);
    for (const arn of expected.managedPolicyArns) assert.ok(attached.includes(arn), arn);
    for (const p of expected.policies as any[]) {
      const arn = policyArn(
        p.name.replace('iamsa-<cluster>-<namespace>-<name>', roleName('smoke')),
      );
      assert.ok(attached.includes(arn), `${arn} attached`);
      assert.deepEqual((await storedDocument(arn)).doc, p.document, key);
    }
  }
  assert.ok(attached.includes(policyArn(`${roleName('smoke')}-autoScaler`)));
  assert.ok((await localPolicies()).includes(policyArn(`${roleName('smoke')}-autoScaler`)));
  const again = await csa('smoke', ...args);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(json(again.stdout).changed, false, 'a re-run is unchanged');
});
