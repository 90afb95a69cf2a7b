// EKS Pod Identity bindings in-process (test/support/harness.ts) over the stateful fakes: create,
// delete, update and get-serviceaccounts of Pod Identity bindings, the agent precondition, ownership
// refusals, doctor's and audit's Pod Identity checks. The set-up and inspection calls are the
// ground's (test/support/fake-ground.ts). test/integration/pod-identity.test.ts keeps the smoke
// runs through the binary against moto, the ground's EKS endpoint and the Kubernetes emulator.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  CreatePodIdentityAssociationCommand,
  DeletePodIdentityAssociationCommand,
  UpdatePodIdentityAssociationCommand,
} from '@aws-sdk/client-eks';
import {
  CreateRoleCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT } from '../support/fakes.js';
import { podIdentityTrust } from '../support/expected-trust.js';
import { type FakeGround, fakeGround } from '../support/fake-ground.js';
import { createHarness, REGION } from '../support/harness.js';

const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const CLUSTER_ARN = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/demo`;
const roleArnOf = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

let g: FakeGround;
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

// Each test starts from a fresh cluster "demo" with the agent add-on.
beforeEach(async () => {
  // No enable-oidc: Pod Identity needs no OIDC provider.
  g = fakeGround(createHarness({ clusters: ['demo'] }), 'demo');
  await g.installPodIdentityAgent('demo');
});

describe('create-serviceaccount --mechanism pod-identity', () => {
  test('plans first: the role, the association and the service account; nothing changes', async () => {
    const before = await g.awsState();
    const r = await create(
      '--namespace',
      'default',
      '--name',
      'planned',
      '--attach-policy-arn',
      READONLY,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /\+ create\s+iam-role\s+arn:aws:iam::111122223333:role\/iamsa-demo-default-planned/,
    );
    assert.match(
      r.stdout,
      /trust pods\.eks\.amazonaws\.com for arn:aws:eks:us-east-1:111122223333:cluster\/demo/,
    );
    assert.match(r.stdout, /\+ create\s+pod-identity-association\s+default\/planned/);
    assert.match(r.stdout, /\+ create\s+service-account\s+default\/planned/);
    assert.doesNotMatch(r.stdout, /OIDC provider/);
    assert.deepEqual(await g.awsState(), before);
    assert.equal(associationOf('default', 'planned'), undefined);
    assert.equal(sa('default', 'planned'), undefined);
  });

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
    const tags = Object.fromEntries((role?.Tags ?? []).map((t: any) => [t.Key, t.Value]));
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
      /role: arn:aws:iam::111122223333:role\/pi-mover-a -> arn:aws:iam::111122223333:role\/pi-mover-b/,
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

  test('an association made outside iamsa is re-pointed only with --override-existing-serviceaccounts', async () => {
    await g.eks.send(
      new CreatePodIdentityAssociationCommand({
        clusterName: 'demo',
        namespace: 'default',
        serviceAccount: 'foreign',
        roleArn: roleArnOf('someone-elses'),
      }),
    );
    const refused = await create(
      '--namespace',
      'default',
      '--name',
      'foreign',
      '--attach-policy-arn',
      READONLY,
      '--approve',
    );
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(refused.stderr, /already has a Pod Identity association .* not made by iamsa/);
    assert.match(refused.stderr, /--override-existing-serviceaccounts/);
    assert.equal(associationOf('default', 'foreign')?.roleArn, roleArnOf('someone-elses'));
    const forced = await create(
      '--namespace',
      'default',
      '--name',
      'foreign',
      '--attach-policy-arn',
      READONLY,
      '--override-existing-serviceaccounts',
      '--approve',
    );
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(
      associationOf('default', 'foreign')?.roleArn,
      roleArnOf('iamsa-demo-default-foreign'),
    );
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
    assert.equal(g.eksEndpoint.racesLost, 1, 'the create met an identical association');
    assert.equal(g.eksEndpoint.associations('demo').length, 1);
    assert.equal(associationOf('default', 'racer')?.roleArn, roleArnOf('iamsa-demo-default-racer'));
  });

  test('an existing role trusting Pod Identity is attached as it is; one that does not is refused', async () => {
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'pi-attached',
        AssumeRolePolicyDocument: JSON.stringify(expectedTrust),
      }),
    );
    const ok = await create(
      '--namespace',
      'default',
      '--name',
      'attached',
      '--attach-role-arn',
      roleArnOf('pi-attached'),
      '--approve',
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(associationOf('default', 'attached')?.roleArn, roleArnOf('pi-attached'));
    const otherCluster = structuredClone(expectedTrust);
    otherCluster.Statement[0]!.Condition.ArnEquals['aws:SourceArn'] =
      `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/other`;
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'pi-elsewhere',
        AssumeRolePolicyDocument: JSON.stringify(otherCluster),
      }),
    );
    const refused = await create(
      '--namespace',
      'default',
      '--name',
      'elsewhere',
      '--attach-role-arn',
      roleArnOf('pi-elsewhere'),
      '--approve',
    );
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /does not trust Pod Identity sessions of default\/elsewhere/);
    assert.match(refused.stderr, /aws:SourceArn/);
    assert.equal(associationOf('default', 'elsewhere'), undefined);
  });

  test('an IRSA role of the same binding is not rewritten for Pod Identity', async () => {
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'iamsa-demo-default-legacy',
        AssumeRolePolicyDocument: JSON.stringify(expectedTrust),
        Tags: [
          { Key: 'iamsa.io/managed-by', Value: 'iamsa' },
          { Key: 'iamsa.io/cluster', Value: 'demo' },
          { Key: 'iamsa.io/cluster-arn', Value: CLUSTER_ARN },
          { Key: 'iamsa.io/namespace', Value: 'default' },
          { Key: 'iamsa.io/service-account', Value: 'legacy' },
        ],
      }),
    );
    const r = await create(
      '--namespace',
      'default',
      '--name',
      'legacy',
      '--attach-policy-arn',
      READONLY,
      '--approve',
    );
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /is iamsa's IRSA role for default\/legacy/);
    assert.match(r.stderr, /--mechanism irsa/);
  });

  test('pod-identity-only flags without --mechanism pod-identity, and --role-only with it, are refused', async () => {
    const irsa = await g.iamsa([
      'create-serviceaccount',
      '--cluster',
      'demo',
      '--name',
      'x',
      '--attach-policy-arn',
      READONLY,
      '--disable-session-tags',
    ]);
    assert.equal(irsa.code, 2, irsa.stderr);
    assert.match(irsa.stderr, /--disable-session-tags applies only to Pod Identity bindings/);
    const roleOnly = await create('--name', 'x', '--attach-policy-arn', READONLY, '--role-only');
    assert.equal(roleOnly.code, 2, roleOnly.stderr);
    const bad = await create(
      '--name',
      'x',
      '--attach-policy-arn',
      READONLY,
      '--mechanism',
      'podid',
    );
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /invalid --mechanism "podid": expected irsa or pod-identity/);
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
      /- delete\s+iam-role\s+arn:aws:iam::111122223333:role\/iamsa-demo-default-gone/,
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

  test('keeps a role given with --attach-role-arn, and refuses associations iamsa did not make', async () => {
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'pi-keep',
        AssumeRolePolicyDocument: JSON.stringify(expectedTrust),
      }),
    );
    const made = await create(
      '--namespace',
      'default',
      '--name',
      'keeper',
      '--attach-role-arn',
      roleArnOf('pi-keep'),
      '--approve',
    );
    assert.equal(made.code, 0, made.stderr);
    const r = await del('-n', 'default', '--name', 'keeper', '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(associationOf('default', 'keeper'), undefined);
    assert.ok(await roleOf('pi-keep'), 'the given role is never deleted');

    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'iamsa-demo-default-theirs',
        AssumeRolePolicyDocument: JSON.stringify(expectedTrust),
      }),
    );
    await g.eks.send(
      new CreatePodIdentityAssociationCommand({
        clusterName: 'demo',
        namespace: 'default',
        serviceAccount: 'theirs',
        roleArn: roleArnOf('iamsa-demo-default-theirs'),
      }),
    );
    const refused = await del('-n', 'default', '--name', 'theirs', '--approve');
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(refused.stderr, /not iamsa's to delete/);
    assert.ok(associationOf('default', 'theirs'));
  });
});

describe('the eks-pod-identity-agent precondition', () => {
  test('a cluster without the agent add-on exits 3 with the command that installs it, and nothing changes', async () => {
    await g.createCluster('bare');
    const before = await g.awsState();
    const writes = g.kubeWrites();
    const r = await create(
      '--cluster',
      'bare',
      '--name',
      'app',
      '--attach-policy-arn',
      READONLY,
      '--approve',
    );
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /cluster bare has no eks-pod-identity-agent add-on/);
    assert.match(
      r.stderr,
      /aws eks create-addon --cluster-name bare --addon-name eks-pod-identity-agent --region us-east-1/,
    );
    assert.deepEqual(await g.awsState(), before);
    assert.deepEqual(g.eksEndpoint.associations('bare'), []);
    assert.equal(g.kubeWrites(), writes);
  });

  test('an agent add-on that is not ACTIVE exits 3 and says its status', async () => {
    await g.createCluster('degraded');
    await g.installPodIdentityAgent('degraded');
    g.eksEndpoint.setAddonStatus('degraded', 'eks-pod-identity-agent', 'DEGRADED');
    const before = await g.awsState();
    const r = await create(
      '--cluster',
      'degraded',
      '--name',
      'app',
      '--attach-policy-arn',
      READONLY,
      '--approve',
    );
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /add-on of cluster degraded is DEGRADED, not ACTIVE/);
    assert.match(r.stderr, /aws eks describe-addon --cluster-name degraded/);
    assert.deepEqual(await g.awsState(), before);
  });
});

describe('get-serviceaccounts with Pod Identity bindings', () => {
  const get = (...args: string[]) =>
    g.iamsa(['get-serviceaccounts', '--cluster', g.cluster, ...g.kubeFlags, ...args]);
  const associate = (namespace: string, serviceAccount: string, roleArn: string) =>
    g.eks.send(
      new CreatePodIdentityAssociationCommand({
        clusterName: 'demo',
        namespace,
        serviceAccount,
        roleArn,
      }),
    );
  const serviceAccount = (namespace: string, name: string, annotations = {}) =>
    g.kubeAdmin('POST', `/api/v1/namespaces/${namespace}/serviceaccounts`, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name, annotations },
    });
  const trustRole = (name: string, trust: unknown) =>
    g.iam.send(
      new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }),
    );

  test('each association is a pod-identity row with a computed status; an annotated one is one row flagged', async () => {
    await g.kubeAdmin('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'getpi' },
    });
    const made = await create(
      '--namespace',
      'getpi',
      '--name',
      'fine',
      '--attach-policy-arn',
      READONLY,
      '--approve',
    );
    assert.equal(made.code, 0, made.stderr);
    // A role that does not exist, one trusting another cluster, one without aws:SourceArn.
    await serviceAccount('getpi', 'nothing');
    await associate('getpi', 'nothing', roleArnOf('pi-get-nothing'));
    const otherCluster = structuredClone(expectedTrust);
    otherCluster.Statement[0]!.Condition.ArnEquals['aws:SourceArn'] =
      `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/other`;
    await trustRole('pi-get-other', otherCluster);
    await serviceAccount('getpi', 'mismatch');
    await associate('getpi', 'mismatch', roleArnOf('pi-get-other'));
    const broad = structuredClone(expectedTrust) as { Statement: Array<Record<string, unknown>> };
    delete broad.Statement[0]!.Condition;
    await trustRole('pi-get-broad', broad);
    await serviceAccount('getpi', 'broad');
    await associate('getpi', 'broad', roleArnOf('pi-get-broad'));
    // An association whose service account does not exist yet.
    await trustRole('pi-get-nosa', expectedTrust);
    await associate('getpi', 'unborn', roleArnOf('pi-get-nosa'));
    // Both mechanisms on one service account: one row, flagged.
    await trustRole('pi-get-both', expectedTrust);
    await serviceAccount('getpi', 'both', {
      'eks.amazonaws.com/role-arn': roleArnOf('irsa-get-both'),
    });
    await associate('getpi', 'both', roleArnOf('pi-get-both'));
    // A plain IRSA annotation in the same namespace keeps its irsa row.
    await serviceAccount('getpi', 'irsa-only', {
      'eks.amazonaws.com/role-arn': roleArnOf('irsa-only'),
    });

    const r = await get('-n', 'getpi', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const rows = json(r.stdout).serviceAccounts as Array<Record<string, any>>;
    const row = (name: string) => rows.find((x) => x.name === name);
    assert.deepEqual(
      rows.map((x) => `${x.name}:${x.mechanism}:${x.status}`),
      [
        'both:pod-identity:ok',
        'broad:pod-identity:over-broad',
        'fine:pod-identity:ok',
        'irsa-only:irsa:role-missing',
        'mismatch:pod-identity:trust-mismatch',
        'nothing:pod-identity:role-missing',
        'unborn:pod-identity:no-sa',
      ],
    );
    assert.equal(row('fine')?.roleArn, roleArnOf('iamsa-demo-getpi-fine'));
    assert.equal(row('fine')?.managedBy, 'iamsa');
    assert.deepEqual(row('fine')?.policies, [READONLY]);
    assert.match(row('fine')?.associationId, /^a-/);
    assert.equal(row('both')?.roleArn, roleArnOf('pi-get-both'));
    assert.equal(row('both')?.irsaRoleArn, roleArnOf('irsa-get-both'));
    assert.equal(row('fine')?.irsaRoleArn, undefined);
    assert.match(row('mismatch')?.problems.join(' '), /aws:SourceArn/);
    assert.match(row('broad')?.problems.join(' '), /no condition on aws:SourceArn/);
    // The cluster has no OIDC provider: said for its IRSA row...
    assert.match(json(r.stdout).warnings.join('\n'), /no IAM OIDC provider/);

    const text = await get('-n', 'getpi');
    assert.equal(text.code, 0, text.stderr);
    const [head, ...lines] = text.stdout.split('\n');
    assert.match(
      head ?? '',
      /^NAMESPACE\s+NAME\s+MECHANISM\s+ROLE\s+MANAGED-BY\s+STATUS\s+POLICIES$/,
    );
    const both = lines.find((l) => l.startsWith('getpi') && l.includes(' both ')) ?? '';
    assert.equal(both.indexOf('pod-identity+irsa'), (head ?? '').indexOf('MECHANISM'));
    assert.match(
      text.stdout,
      /Both mechanisms:\n {2}getpi\/both: also annotated with IRSA role .*irsa-get-both; new pods get Pod Identity/,
    );

    // ...but not when every binding shown is Pod Identity, which needs none.
    const only = await get('-n', 'getpi', '--name', 'fine', '-o', 'json');
    assert.equal(only.code, 0, only.stderr);
    assert.deepEqual(json(only.stdout).warnings, []);
    assert.equal(json(only.stdout).serviceAccounts.length, 1);
  });

  test('an iamsa Pod Identity role whose association is gone is no-association', async () => {
    const made = await create(
      '--namespace',
      'default',
      '--name',
      'unlinked',
      '--attach-policy-arn',
      READONLY,
      '--approve',
    );
    assert.equal(made.code, 0, made.stderr);
    const a = associationOf('default', 'unlinked');
    await g.eks.send(
      new DeletePodIdentityAssociationCommand({
        clusterName: 'demo',
        associationId: a?.associationId,
      }),
    );
    const r = await get('-n', 'default', '--name', 'unlinked', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const [row] = json(r.stdout).serviceAccounts;
    assert.equal(row.mechanism, 'pod-identity');
    assert.equal(row.status, 'no-association');
    assert.equal(row.roleArn, roleArnOf('iamsa-demo-default-unlinked'));
  });

  test("an association handing iamsa's role to another service account is other-binding, not ok", async () => {
    await g.kubeAdmin('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'pa' },
    });
    const made = await create(
      '-n',
      'pa',
      '--name',
      'one',
      '--attach-policy-arn',
      READONLY,
      '--approve',
    );
    assert.equal(made.code, 0, made.stderr);
    // A forged association: pa/evil gets pa/one's role, with the tags of pa/one's association.
    const tags = associationOf('pa', 'one')!.tags;
    await serviceAccount('pa', 'evil');
    await g.eks.send(
      new CreatePodIdentityAssociationCommand({
        clusterName: 'demo',
        namespace: 'pa',
        serviceAccount: 'evil',
        roleArn: roleArnOf('iamsa-demo-pa-one'),
        tags,
      }),
    );
    const r = await get('-n', 'pa', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const rows = json(r.stdout).serviceAccounts as Array<Record<string, any>>;
    const evil = rows.find((row) => row.name === 'evil')!;
    assert.equal(evil.status, 'other-binding');
    assert.deepEqual(evil.problems, [
      "role iamsa-demo-pa-one is iamsa's for pa/one, not for this service account",
    ]);
    assert.equal(rows.find((row) => row.name === 'one')!.status, 'ok');
  });
});

describe('delete-serviceaccount without --mechanism', () => {
  const del = (...args: string[]) =>
    g.iamsa(['delete-serviceaccount', '--cluster', g.cluster, ...g.kubeFlags, ...args]);
  const steps = (stdout: string) =>
    json(stdout).steps.map(
      (s: { resource: string; action: string }) => `${s.resource}:${s.action}`,
    );
  const annotate = (name: string, arn: string) =>
    g.kubeAdmin('PATCH', `/api/v1/namespaces/default/serviceaccounts/${name}`, {
      metadata: { annotations: { 'eks.amazonaws.com/role-arn': arn } },
    });

  test("iamsa's association makes it a Pod Identity delete", async () => {
    const made = await create(
      '-n',
      'default',
      '--name',
      'auto',
      '--attach-policy-arn',
      READONLY,
      '--approve',
    );
    assert.equal(made.code, 0, made.stderr);
    const r = await del('-n', 'default', '--name', 'auto', '--approve', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json(r.stdout).bindings[0].mechanism, 'pod-identity');
    assert.deepEqual(steps(r.stdout), [
      'pod-identity-association:delete',
      'service-account:delete',
      'policy-attachment:delete',
      'iam-role:delete',
    ]);
    assert.equal(associationOf('default', 'auto'), undefined);
    await assert.rejects(roleOf('iamsa-demo-default-auto'), /NoSuchEntity|cannot be found/);
  });

  test('both the association and the annotation of one role: says so and deletes each part once', async () => {
    const made = await create(
      '-n',
      'default',
      '--name',
      'twice',
      '--attach-policy-arn',
      READONLY,
      '--approve',
    );
    assert.equal(made.code, 0, made.stderr);
    await annotate('twice', roleArnOf('iamsa-demo-default-twice'));
    const plan = await del('-n', 'default', '--name', 'twice', '--keep-serviceaccount');
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(
      plan.stderr,
      /has both a Pod Identity association .* and the IRSA annotation .*: deleting both/,
    );
    const r = await del(
      '-n',
      'default',
      '--name',
      'twice',
      '--keep-serviceaccount',
      '--approve',
      '-o',
      'json',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(steps(r.stdout), [
      'pod-identity-association:delete',
      'policy-attachment:delete',
      'iam-role:delete',
      'service-account:update',
    ]);
    assert.equal(associationOf('default', 'twice'), undefined);
    const account = sa('default', 'twice');
    assert.ok(account, 'kept');
    assert.equal(account.metadata.annotations?.['eks.amazonaws.com/role-arn'], undefined);
    await assert.rejects(roleOf('iamsa-demo-default-twice'), /NoSuchEntity|cannot be found/);
    const again = await del('-n', 'default', '--name', 'twice', '--approve');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing to do|- delete\s+service-account/);
  });

  test("an annotation naming someone else's role stays; the association goes", async () => {
    const made = await create(
      '-n',
      'default',
      '--name',
      'mixed',
      '--attach-policy-arn',
      READONLY,
      '--approve',
    );
    assert.equal(made.code, 0, made.stderr);
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'not-iamsas',
        AssumeRolePolicyDocument: JSON.stringify(expectedTrust),
      }),
    );
    await annotate('mixed', roleArnOf('not-iamsas'));
    const r = await del(
      '-n',
      'default',
      '--name',
      'mixed',
      '--keep-serviceaccount',
      '--approve',
      '-o',
      'json',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      json(r.stdout).warnings.join('\n') + r.stderr,
      /now uses role .*not-iamsas.*: it is left as it is/,
    );
    assert.equal(associationOf('default', 'mixed'), undefined);
    assert.equal(
      sa('default', 'mixed').metadata.annotations?.['eks.amazonaws.com/role-arn'],
      roleArnOf('not-iamsas'),
    );
    assert.ok(await roleOf('not-iamsas'));
  });

  test('an association iamsa did not make is left alone by the IRSA delete', async () => {
    await g.eks.send(
      new CreatePodIdentityAssociationCommand({
        clusterName: 'demo',
        namespace: 'default',
        serviceAccount: 'theirs-auto',
        roleArn: roleArnOf('someone-elses'),
      }),
    );
    const r = await del('-n', 'default', '--name', 'theirs-auto', '--approve', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json(r.stdout).bindings[0].mechanism, 'irsa');
    assert.match(JSON.stringify(json(r.stdout)), /not made by iamsa: it is left as it is/);
    assert.ok(associationOf('default', 'theirs-auto'));
  });
});

describe('update-serviceaccount on Pod Identity bindings', () => {
  const update = (...args: string[]) =>
    g.iamsa(['update-serviceaccount', '--cluster', g.cluster, ...g.kubeFlags, ...args]);
  const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
  const attachedTo = async (role: string) =>
    (
      (await g.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role })))
        .AttachedPolicies ?? []
    )
      .map((p: any) => p.PolicyArn ?? '')
      .sort();

  test('changes the permissions, keeps the trust and the association as they are; a re-run has nothing to do', async () => {
    const made = await create(
      '-n',
      'default',
      '--name',
      'upd',
      '--attach-policy-arn',
      READONLY,
      '--disable-session-tags',
      '--approve',
    );
    assert.equal(made.code, 0, made.stderr);
    const trustBefore = (await roleOf('iamsa-demo-default-upd'))?.AssumeRolePolicyDocument;
    const r = await update(
      '--mechanism',
      'pod-identity',
      '-n',
      'default',
      '--name',
      'upd',
      '--attach-policy-arn',
      S3_READ,
      '--detach-policy-arn',
      READONLY,
      '--well-known-policies',
      'autoScaler',
      '--approve',
      '-o',
      'json',
    );
    assert.equal(r.code, 0, r.stderr);
    const attached = await attachedTo('iamsa-demo-default-upd');
    assert.ok(attached.includes(S3_READ));
    assert.ok(!attached.includes(READONLY));
    assert.ok(
      attached.some((a: string) => a.endsWith(':policy/iamsa-demo-default-upd-autoScaler')),
      `the well-known policy is attached: ${attached.join(', ')}`,
    );
    assert.equal((await roleOf('iamsa-demo-default-upd'))?.AssumeRolePolicyDocument, trustBefore);
    const association = associationOf('default', 'upd');
    assert.equal(association?.roleArn, roleArnOf('iamsa-demo-default-upd'));
    assert.equal(association?.disableSessionTags, true, 'an update keeps what it was not asked');
    assert.ok(
      json(r.stdout).steps.some(
        (s: { resource: string; action: string }) =>
          s.resource === 'pod-identity-association' && s.action === 'unchanged',
      ),
    );
    // Without --mechanism, iamsa's association says it is a Pod Identity binding.
    const again = await update(
      '-n',
      'default',
      '--name',
      'upd',
      '--attach-policy-arn',
      S3_READ,
      '--approve',
    );
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing to do/);
  });

  test("finds the binding's role through the association, and converges an association that was re-pointed", async () => {
    const made = await create(
      '-n',
      'default',
      '--name',
      'upd-named',
      '--role-name',
      'pi-upd-named',
      '--attach-policy-arn',
      READONLY,
      '--approve',
    );
    assert.equal(made.code, 0, made.stderr);
    const r = await update(
      '--mechanism',
      'pod-identity',
      '-n',
      'default',
      '--name',
      'upd-named',
      '--attach-policy-arn',
      S3_READ,
      '--approve',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await attachedTo('pi-upd-named')).includes(S3_READ));
    // Someone re-points the association by hand: an update with --role-name brings it back.
    const a = associationOf('default', 'upd-named');
    await g.eks.send(
      new UpdatePodIdentityAssociationCommand({
        clusterName: 'demo',
        associationId: a?.associationId,
        roleArn: roleArnOf('pi-upd-elsewhere'),
      }),
    );
    const back = await update(
      '--mechanism',
      'pod-identity',
      '-n',
      'default',
      '--name',
      'upd-named',
      '--role-name',
      'pi-upd-named',
      '--approve',
    );
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /~ update\s+pod-identity-association\s+default\/upd-named/);
    assert.equal(associationOf('default', 'upd-named')?.roleArn, roleArnOf('pi-upd-named'));
  });

  test('a binding that does not exist is exit 3', async () => {
    const r = await update(
      '--mechanism',
      'pod-identity',
      '-n',
      'default',
      '--name',
      'upd-nobody',
      '--attach-policy-arn',
      S3_READ,
      '--approve',
    );
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /there is no binding to update/);
    assert.equal(associationOf('default', 'upd-nobody'), undefined);
  });
});

describe('doctor on Pod Identity bindings', () => {
  const doctor = (ns: string, name: string, ...args: string[]) =>
    g.iamsa(['doctor', '-c', g.cluster, '-n', ns, '--name', name, ...g.kubeFlags, ...args]);
  const checksOf = async (ns: string, name: string) => {
    const r = await doctor(ns, name, '-o', 'json');
    assert.ok(r.code === 0 || r.code === 6, r.stderr);
    const report = json(r.stdout);
    return {
      code: r.code,
      report,
      byId: Object.fromEntries(report.checks.map((c: any) => [c.id, c])) as Record<string, any>,
    };
  };
  const pod = (name: string, sa: string, env: { name: string; value: string }[] = []) =>
    g.kubeAdmin('POST', '/api/v1/namespaces/default/pods', {
      metadata: { name },
      spec: {
        serviceAccountName: sa,
        containers: [{ name: 'app', image: 'busybox:1.36', env }],
      },
    });
  const podIdentityEnv = [
    { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: 'http://169.254.170.23/v1/credentials' },
  ];

  test('a healthy binding: the Pod Identity checks and the role permissions are ok, exit 0', async () => {
    const made = await create(
      '-n',
      'default',
      '--name',
      'doc-ok',
      '--attach-policy-arn',
      READONLY,
      '--approve',
    );
    assert.equal(made.code, 0, made.stderr);
    await pod('doc-ok-1', 'doc-ok', podIdentityEnv);
    const r = await doctor('default', 'doc-ok');
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    for (const id of [
      'PODID001',
      'PODID002',
      'PODID003',
      'PODID004',
      'PODID005',
      'PODID006',
      'PODID007',
      'IRSA008',
      'IRSA010',
    ]) {
      assert.match(r.stdout, new RegExp(`^ {2}${id} +ok `, 'm'), r.stdout);
    }
    assert.doesNotMatch(r.stdout, /IRSA001|OIDC provider/, 'no IRSA-only check');
    const { report } = await checksOf('default', 'doc-ok');
    assert.equal(report.mechanism, 'pod-identity');
    assert.equal(report.roleArn, roleArnOf('iamsa-demo-default-doc-ok'));
    assert.deepEqual(report.summary, { ok: 9, fail: 0, warn: 0, skipped: 0 });
  });

  test('a trust for another cluster fails with the statement to add; the IRSA annotation and old pods are warnings', async () => {
    const otherCluster = structuredClone(expectedTrust);
    otherCluster.Statement[0]!.Condition.ArnEquals['aws:SourceArn'] =
      `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/other`;
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'pi-doc-other',
        AssumeRolePolicyDocument: JSON.stringify(otherCluster),
      }),
    );
    await g.kubeAdmin('POST', '/api/v1/namespaces/default/serviceaccounts', {
      metadata: {
        name: 'doc-bad',
        annotations: { 'eks.amazonaws.com/role-arn': roleArnOf('irsa-doc-bad') },
      },
    });
    await g.eks.send(
      new CreatePodIdentityAssociationCommand({
        clusterName: 'demo',
        namespace: 'default',
        serviceAccount: 'doc-bad',
        roleArn: roleArnOf('pi-doc-other'),
      }),
    );
    await pod('doc-bad-1', 'doc-bad');
    const { code, byId } = await checksOf('default', 'doc-bad');
    assert.equal(code, 6);
    assert.equal(byId.PODID004.status, 'fail');
    assert.match(byId.PODID004.details.join('\n'), /aws:SourceArn/);
    assert.match(
      byId.PODID004.fix,
      /^aws iam update-assume-role-policy --role-name pi-doc-other --policy-document /,
    );
    assert.match(
      byId.PODID004.fix,
      new RegExp(`pods\\.eks\\.amazonaws\\.com.*${CLUSTER_ARN.replaceAll('/', '\\/')}`),
    );
    assert.equal(byId.PODID005.status, 'skipped');
    assert.equal(byId.PODID006.status, 'warn');
    assert.match(byId.PODID006.message, /new pods get Pod Identity credentials/);
    assert.equal(byId.PODID007.status, 'warn');
    assert.match(byId.PODID007.fix, /kubectl delete pod -n default doc-bad-1/);
    assert.equal(byId.IRSA010.status, 'fail', 'the role grants nothing');
  });

  test('a missing role and a missing service account fail; a degraded agent fails with the describe command', async () => {
    await g.eks.send(
      new CreatePodIdentityAssociationCommand({
        clusterName: 'demo',
        namespace: 'default',
        serviceAccount: 'doc-nobody',
        roleArn: roleArnOf('pi-doc-none'),
      }),
    );
    g.eksEndpoint.setAddonStatus('demo', 'eks-pod-identity-agent', 'DEGRADED');
    try {
      const { code, byId } = await checksOf('default', 'doc-nobody');
      assert.equal(code, 6);
      assert.equal(byId.PODID001.status, 'fail');
      assert.match(byId.PODID001.message, /DEGRADED/);
      assert.match(
        byId.PODID001.fix,
        /aws eks describe-addon --cluster-name demo --addon-name eks-pod-identity-agent/,
      );
      assert.equal(byId.PODID002.status, 'fail');
      assert.match(byId.PODID002.fix, /kubectl create serviceaccount -n default doc-nobody/);
      assert.equal(byId.PODID003.status, 'fail');
      assert.match(byId.PODID003.message, /does not exist/);
      assert.match(byId.PODID003.fix, /iamsa create-serviceaccount --mechanism pod-identity/);
      assert.equal(byId.PODID004.status, 'skipped');
    } finally {
      g.eksEndpoint.setAddonStatus('demo', 'eks-pod-identity-agent', 'ACTIVE');
    }
  });
});

describe('audit with Pod Identity associations', () => {
  test('broken, over-broad and unclaimed associations and both mechanisms are findings; a degraded agent is high', async () => {
    // The ground's cluster (the one the Kubernetes emulator serves); only this test's aud-* names
    // are looked at.
    const associate = (sa: string, role: string) =>
      g.eks.send(
        new CreatePodIdentityAssociationCommand({
          clusterName: 'demo',
          namespace: 'default',
          serviceAccount: sa,
          roleArn: roleArnOf(role),
        }),
      );
    const trustFor = (arn: string | undefined) => {
      const t = structuredClone(expectedTrust) as any;
      if (arn) t.Statement[0].Condition.ArnEquals['aws:SourceArn'] = arn;
      else delete t.Statement[0].Condition;
      return t;
    };
    const role = (name: string, trust: unknown) =>
      g.iam.send(
        new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }),
      );
    const account = (name: string, annotations = {}) =>
      g.kubeAdmin('POST', '/api/v1/namespaces/default/serviceaccounts', {
        metadata: { name, annotations },
      });
    await role('pi-aud-fine', trustFor(CLUSTER_ARN));
    await role('pi-aud-elsewhere', trustFor(`arn:aws:eks:${REGION}:${ACCOUNT}:cluster/other`));
    await role('pi-aud-broad', trustFor(undefined));
    await account('aud-fine');
    await associate('aud-fine', 'pi-aud-fine');
    await account('aud-gone');
    await associate('aud-gone', 'pi-aud-gone');
    await account('aud-elsewhere');
    await associate('aud-elsewhere', 'pi-aud-elsewhere');
    await account('aud-broad');
    await associate('aud-broad', 'pi-aud-broad');
    await associate('aud-unborn', 'pi-aud-fine');
    await account('aud-both', { 'eks.amazonaws.com/role-arn': roleArnOf('pi-aud-fine') });
    await associate('aud-both', 'pi-aud-fine');
    const run = () => g.iamsa(['audit', '-c', 'demo', ...g.kubeFlags, '-o', 'json']);
    const r = await run();
    assert.equal(r.code, 0, r.stderr);
    const report = json(r.stdout);
    assert.ok(report.associations >= 6);
    const found = (report.findings as Array<Record<string, string>>)
      .filter((f) => f.id?.startsWith('PODID') && f.serviceAccount?.startsWith('default/aud-'))
      .map((f) => `${f.id} ${f.serviceAccount}`)
      .sort();
    assert.deepEqual(found, [
      'PODID102 default/aud-elsewhere',
      'PODID102 default/aud-gone',
      'PODID103 default/aud-broad',
      'PODID104 default/aud-unborn',
      'PODID105 default/aud-both',
    ]);
    g.eksEndpoint.setAddonStatus('demo', 'eks-pod-identity-agent', 'DEGRADED');
    try {
      const degraded = json((await run()).stdout);
      const agent = degraded.findings.find((f: { id: string }) => f.id === 'PODID101');
      assert.equal(agent?.severity, 'high');
      assert.match(agent?.fix, /aws eks describe-addon --cluster-name demo/);
      const sarif = await g.iamsa(['audit', '-c', 'demo', ...g.kubeFlags, '-o', 'sarif']);
      assert.match(sarif.stdout, /"PODID101"/);
    } finally {
      g.eksEndpoint.setAddonStatus('demo', 'eks-pod-identity-agent', 'ACTIVE');
    }
  });
});
