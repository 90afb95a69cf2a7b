// iamsa doctor through the built binary against moto and the emulator (its webhook): one healthy
// binding, and --simulate, which needs IAM's simulator (the test IAM endpoint). Every check on a
// state built to trigger it is tested in-process in test/commands/doctor.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { type Ground, startGround } from '../support/ground.js';
import {
  hostOf,
  json,
  namespace,
  pod,
  roleWithTrust,
  ROLE_ANNOTATION,
  serviceAccount,
  statement,
  trustOf,
  bindReadOnly,
} from '../support/irsa-states.js';
import { tempDir } from '../support/temp.js';

let g: Ground;
let providerArn: string;
let host: string;

const doctor = (ns: string, name: string, ...args: string[]) =>
  g.iamsa(['doctor', '-c', g.cluster, '-n', ns, '--name', name, ...g.kubeFlags, ...args]);
const bind = (ns: string, name: string) => bindReadOnly(g, ns, name);

before(async () => {
  g = await startGround('demo');
  const enabled = await g.iamsa(['enable-oidc', '--cluster', 'demo', '--approve', '-o', 'json']);
  assert.equal(enabled.code, 0, enabled.stderr);
  providerArn = json(enabled.stdout).providerArn;
  host = hostOf(providerArn);
});
after(() => g.close());

describe('a healthy binding', () => {
  test('made by create-serviceaccount, with a pod started after it: no FAIL, exit 0', async () => {
    await namespace(g, 'healthy');
    await bind('healthy', 'api');
    await pod(g, 'healthy', 'api-1', 'api');
    const r = await doctor('healthy', 'api');
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stdout, /^ {2}IRSA\d+ FAIL/m);
    for (const id of [
      'IRSA001',
      'IRSA002',
      'IRSA003',
      'IRSA004',
      'IRSA005',
      'IRSA006',
      'IRSA007',
      'IRSA008',
      'IRSA009',
      'IRSA010',
    ]) {
      assert.match(r.stdout, new RegExp(`^ {2}${id} ok `, 'm'), r.stdout);
    }
    assert.match(r.stdout, /no check failed \(10 ok, 0 FAIL, 0 warn, 0 skipped\)/);
  });
});

describe('IRSA011 --simulate (iam:SimulatePrincipalPolicy, served by the test IAM endpoint)', () => {
  const simulate = (ns: string, name: string, ...args: string[]) =>
    g.iamsa(
      ['doctor', '-c', g.cluster, '-n', ns, '--name', name, ...g.kubeFlags, ...args],
      g.iamEndpointEnv,
    );
  const RESOURCE = ['--simulate', 's3:GetObject', '--resource', 'arn:aws:s3:::b/k'];

  test('allowed: ok, naming the policy that allows it (exit 0)', async () => {
    await namespace(g, 'sim-ok');
    await bind('sim-ok', 'app');
    const served = g.iamEndpoint.requests.length;
    const r = await simulate('sim-ok', 'app', ...RESOURCE);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(
      r.stdout,
      /^ {2}IRSA011 ok {6}simulated actions {2}role iamsa-demo-sim-ok-app may s3:GetObject$/m,
    );
    assert.match(
      r.stdout,
      /^ {10}- s3:GetObject on arn:aws:s3:::b\/k: allowed \(ReadOnlyAccess\)$/m,
    );
    assert.ok(
      g.iamEndpoint.requests
        .slice(served)
        .some((q) => q.action === 'SimulatePrincipalPolicy' && q.served && q.status === 200),
      'IAM answered the simulation',
    );
  });

  test('denied: FAIL with each decision, a policy that allows it and the create command (exit 6)', async () => {
    await namespace(g, 'sim-no');
    const file = join(tempDir('doctor-sim'), 'other-bucket.json');
    writeFileSync(
      file,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other/*' }],
      }),
    );
    const made = await g.iamsa([
      'create-serviceaccount',
      '--cluster',
      g.cluster,
      '--namespace',
      'sim-no',
      '--name',
      'app',
      '--attach-policy',
      file,
      ...g.kubeFlags,
      '--approve',
    ]);
    assert.equal(made.code, 0, made.stderr);
    const r = await simulate('sim-no', 'app', ...RESOURCE, '-o', 'json');
    assert.equal(r.code, 6, r.stderr);
    const c = json(r.stdout).checks.find((x: any) => x.id === 'IRSA011');
    assert.equal(c.status, 'fail');
    assert.equal(c.message, 'role iamsa-demo-sim-no-app may not s3:GetObject');
    assert.deepEqual(c.details, [
      's3:GetObject on arn:aws:s3:::b/k: implicitDeny',
      'a policy that allows them: {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::b/k"]}]}',
    ]);
    assert.match(
      c.fix,
      /^iamsa create-serviceaccount (?!.*POLICY_ARN).* --attach-policy policy\.json .*--approve {2}# policy\.json: the policy above$/,
    );
    // The other checks still pass: only the simulation fails.
    const failed = json(r.stdout)
      .checks.filter((x: any) => x.status === 'fail')
      .map((x: any) => x.id);
    assert.deepEqual(failed, ['IRSA011']);
  });

  test('an explicit Deny on a role iamsa did not make says to remove it first', async () => {
    await namespace(g, 'sim-deny');
    const arn = await roleWithTrust(
      g,
      'sim-deny-role',
      trustOf(
        statement(providerArn, {
          StringEquals: {
            [`${host}:sub`]: 'system:serviceaccount:sim-deny:app',
            [`${host}:aud`]: 'sts.amazonaws.com',
          },
        }),
      ),
    );
    await g.iam.send(
      new PutRolePolicyCommand({
        RoleName: 'sim-deny-role',
        PolicyName: 'no-bucket-b',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' }],
        }),
      }),
    );
    await serviceAccount(g, 'sim-deny', 'app', { [ROLE_ANNOTATION]: arn });
    // Two resources: IAM answers one result for the action, each resource's decision inside.
    const r = await simulate('sim-deny', 'app', ...RESOURCE, '--resource', 'arn:aws:s3:::c/k');
    assert.equal(r.code, 6, r.stderr);
    assert.match(
      r.stdout,
      /^ {2}IRSA011 FAIL {4}simulated actions {2}role sim-deny-role may not s3:GetObject \(an explicit Deny: remove it first\)$/m,
    );
    assert.match(
      r.stdout,
      /^ {10}- s3:GetObject on arn:aws:s3:::b\/k: explicitDeny \(no-bucket-b\)$/m,
    );
    assert.match(
      r.stdout,
      /^ {10}- s3:GetObject on arn:aws:s3:::c\/k: allowed \(ReadOnlyAccess\)$/m,
    );
    assert.match(
      r.stdout,
      /^ {10}fix: aws iam put-role-policy --role-name sim-deny-role --policy-name allow-s3-GetObject /m,
    );
  });
});
