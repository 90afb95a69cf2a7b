// EKS Pod Identity bindings through the built binary: moto for IAM and clusters, the test ground's
// EKS endpoint for associations and add-ons, the Kubernetes emulator for service accounts. Smoke
// runs of what goes over EKS's wire: create (and a converged re-run), re-pointing an association,
// a lost create race (ResourceInUseException), delete. The semantics (refusals, the agent
// precondition, get-serviceaccounts, update, doctor, audit) run in-process in
// test/commands/pod-identity.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { ACCOUNT, type Ground, REGION, startGround } from '../support/ground.js';
import { podIdentityTrust } from '../support/expected-trust.js';

const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const CLUSTER_ARN = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/demo`;
const roleArnOf = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

let g: Ground;
const create = (...args: string[]) =>
  g.iamsa([
    'create-serviceaccount',
    '--mechanism',
    'pod-identity',
    ...g.kubeFlags,
    ...(args.includes('--cluster') ? [] : ['--cluster', g.cluster]),
    ...args,
  ]);
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;
const roleOf = async (name: string) =>
  (await g.iam.send(new GetRoleCommand({ RoleName: name }))).Role;
const associationOf = (namespace: string, name: string, cluster = g.cluster) =>
  g.eksEndpoint
    .associations(cluster)
    .find((a) => a.namespace === namespace && a.serviceAccount === name);
const sa = (ns: string, name: string) => g.kube.getObject('serviceaccounts', ns, name);
/** The trust of the EKS user guide (pod-id-role), written out literally. */
const expectedTrust = podIdentityTrust(ACCOUNT, CLUSTER_ARN);

before(async () => {
  // No enable-oidc: Pod Identity needs no OIDC provider.
  g = await startGround('demo');
  await g.installPodIdentityAgent('demo');
});
after(() => g.close());

describe('create-serviceaccount --mechanism pod-identity', () => {
  test('creates the role with the Pod Identity trust, the association and a labelled service account; a re-run has nothing to do', async () => {
    const r = await create(
      '--namespace',
      'default',
      '--name',
      'app',
      '--attach-policy-arn',
      READONLY,
      '--tags',
      'team=payments',
      '--approve',
      '-o',
      'json',
    );
    assert.equal(r.code, 0, r.stderr);
    const out = json(r.stdout);
    const roleArn = roleArnOf('iamsa-demo-default-app');
    assert.equal(out.applied, true);
    assert.equal(out.roleArn, roleArn);
    assert.equal(out.providerArn, undefined);
    assert.equal(out.bindings[0].mechanism, 'pod-identity');
    assert.deepEqual(
      out.steps.map((s: { resource: string; action: string }) => `${s.resource}:${s.action}`),
      [
        'iam-role:create',
        'policy-attachment:create',
        'pod-identity-association:create',
        'service-account:create',
      ],
    );
    const role = await roleOf('iamsa-demo-default-app');
    assert.deepEqual(
      JSON.parse(decodeURIComponent(role?.AssumeRolePolicyDocument ?? '')),
      expectedTrust,
    );
    const tags = Object.fromEntries((role?.Tags ?? []).map((t) => [t.Key, t.Value]));
    assert.equal(tags['iamsa.io/managed-by'], 'iamsa');
    assert.equal(tags['iamsa.io/mechanism'], 'pod-identity');
    assert.equal(tags['iamsa.io/cluster-arn'], CLUSTER_ARN);
    assert.equal(tags.team, 'payments');
    const association = associationOf('default', 'app');
    assert.equal(association?.roleArn, roleArn);
    assert.equal(association?.disableSessionTags, false);
    assert.equal(association?.tags['iamsa.io/managed-by'], 'iamsa');
    assert.equal(association?.tags['iamsa.io/service-account'], 'app');
    assert.equal(association?.tags.team, 'payments');
    const account = sa('default', 'app');
    assert.equal(account.metadata.labels['app.kubernetes.io/managed-by'], 'iamsa');
    assert.equal(account.metadata.annotations?.['eks.amazonaws.com/role-arn'], undefined);

    const state = await g.awsState();
    const writes = g.kubeWrites();
    const again = await create(
      '--namespace',
      'default',
      '--name',
      'app',
      '--attach-policy-arn',
      READONLY,
      '--tags',
      'team=payments',
      '--approve',
    );
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /= unchanged\s+pod-identity-association\s+default\/app/);
    assert.match(again.stdout, /Nothing to do/);
    assert.deepEqual(await g.awsState(), state);
    assert.equal(g.kubeWrites(), writes);
    assert.equal(
      g.eksEndpoint.associations('demo').filter((a) => a.serviceAccount === 'app').length,
      1,
    );
  });

  test('a changed role converges the association; the next run has nothing to do', async () => {
    const first = await create(
      '--namespace',
      'default',
      '--name',
      'mover',
      '--attach-policy-arn',
      READONLY,
      '--role-name',
      'pi-mover-a',
      '--approve',
    );
    assert.equal(first.code, 0, first.stderr);
    assert.equal(associationOf('default', 'mover')?.roleArn, roleArnOf('pi-mover-a'));
    const moved = await create(
      '--namespace',
      'default',
      '--name',
      'mover',
      '--attach-policy-arn',
      READONLY,
      '--role-name',
      'pi-mover-b',
      '--approve',
    );
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stdout, /~ update\s+pod-identity-association\s+default\/mover/);
    assert.match(
      moved.stdout,
      /role: arn:aws:iam::123456789012:role\/pi-mover-a -> arn:aws:iam::123456789012:role\/pi-mover-b/,
    );
    assert.equal(associationOf('default', 'mover')?.roleArn, roleArnOf('pi-mover-b'));
    const again = await create(
      '--namespace',
      'default',
      '--name',
      'mover',
      '--attach-policy-arn',
      READONLY,
      '--role-name',
      'pi-mover-b',
      '--approve',
    );
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing to do/);
  });

  test('losing the create race to an identical run (ResourceInUseException) converges', async () => {
    g.eksEndpoint.raceNextCreate('demo');
    const r = await create(
      '--namespace',
      'default',
      '--name',
      'racer',
      '--attach-policy-arn',
      READONLY,
      '--approve',
    );
    assert.equal(r.code, 0, r.stderr);
    const lost = g.eksEndpoint.requests.filter((q) => q.served && q.status === 409);
    assert.ok(lost.length >= 1, 'the create met ResourceInUseException');
    assert.equal(associationOf('default', 'racer')?.roleArn, roleArnOf('iamsa-demo-default-racer'));
  });
});

describe('delete-serviceaccount --mechanism pod-identity', () => {
  const del = (...args: string[]) =>
    g.iamsa([
      'delete-serviceaccount',
      '--mechanism',
      'pod-identity',
      '--cluster',
      g.cluster,
      ...g.kubeFlags,
      ...args,
    ]);

  test('deletes the association, the service account iamsa made and the role; a re-run has nothing to do', async () => {
    const made = await create(
      '--namespace',
      'default',
      '--name',
      'gone',
      '--attach-policy-arn',
      READONLY,
      '--approve',
    );
    assert.equal(made.code, 0, made.stderr);
    const plan = await del('-n', 'default', '--name', 'gone');
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /- delete\s+pod-identity-association\s+default\/gone/);
    assert.match(
      plan.stdout,
      /- delete\s+iam-role\s+arn:aws:iam::123456789012:role\/iamsa-demo-default-gone/,
    );
    assert.ok(associationOf('default', 'gone'), 'a plan deletes nothing');
    const r = await del('-n', 'default', '--name', 'gone', '--approve', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      json(r.stdout).steps.map(
        (s: { resource: string; action: string }) => `${s.resource}:${s.action}`,
      ),
      [
        'pod-identity-association:delete',
        'service-account:delete',
        'policy-attachment:delete',
        'iam-role:delete',
      ],
    );
    assert.equal(associationOf('default', 'gone'), undefined);
    assert.equal(sa('default', 'gone'), undefined);
    await assert.rejects(roleOf('iamsa-demo-default-gone'), /NoSuchEntity|cannot be found/);
    const again = await del('-n', 'default', '--name', 'gone', '--approve');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing to do/);
  });
});
