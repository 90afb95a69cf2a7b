// migrate-from-kube2iam's usage errors in-process (test/support/harness.ts): exit 2 before any call.
// Migrations of real-looking kube2iam and kiam installations run through the binary against moto and
// the emulator (test/integration/migrate-from-kube2iam.test.ts).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, test } from 'node:test';
import { createHarness } from '../support/harness.js';
import { tempDir } from '../support/temp.js';
import type { ClusterInfo } from '../../src/aws/eks.js';
import { ACCOUNT, enableCluster, type FakeKube } from '../support/fakes.js';
import type { Workload } from '../../src/kube/workloads.js';

const ROLE_ARN = 'eks.amazonaws.com/role-arn';
let h = createHarness({ clusters: ['demo'] });
const migrate = (...args: string[]) =>
  h.run(['migrate-from-kube2iam', '--cluster', 'demo', ...args]);

test('bad flags are exit 2 before anything is read', async () => {
  const before = h.state();
  const r = await migrate('--flavour', 'kube3iam');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /invalid --flavour "kube3iam": expected kube2iam or kiam/);
  assert.match(r.stderr, /did you mean --flavour kube2iam\?/);
  const k = await migrate('--flavour', 'kiam', '--namespace-restrictions');
  assert.equal(k.code, 2);
  const b = await migrate('--base-role-arn', 'arn:aws:iam::123456789012:role/app');
  assert.equal(b.code, 2);
  assert.deepEqual(h.state(), before);
  assert.deepEqual(h.connections, [], 'the cluster was not reached');
  assert.deepEqual(h.iam.calls, [], 'IAM was not read');
  assert.equal(h.eks().describes, 0, 'EKS was not read');
});

describe('a service account the migration reuses is one it made', () => {
  const BASE = `arn:aws:iam::${ACCOUNT}:role/`;
  const NODE = `${BASE}k2-node`;
  let k: FakeKube;
  const daemonTrust = (principal: string) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }],
    });
  const deployment = (name: string, sa: string, asks?: string): Workload => ({
    kind: 'Deployment',
    namespace: 'shop',
    name,
    annotations: {},
    templateAnnotations: asks ? { 'iam.amazonaws.com/role': asks } : {},
    serviceAccountName: sa,
    owners: [],
    resourceVersion: '1',
  });
  const sa = (name: string, annotations: Record<string, string> = {}, labels = {}) =>
    k.serviceAccounts.set(`shop/${name}`, {
      namespace: 'shop',
      name,
      annotations,
      labels,
      resourceVersion: '1',
    });
  const run = (...args: string[]) =>
    migrate('-n', 'shop', '--daemon-role-arn', NODE, '-o', 'json', ...args);

  beforeEach(async () => {
    h = createHarness({ clusters: ['demo'] });
    k = h.kube('demo');
    k.namespaces.add('shop');
    await enableCluster(h.iam, h.eks().clusters.get('demo') as ClusterInfo);
    for (const [name, principal] of [
      ['k2-node', 'arn:aws:iam::111122223333:root'],
      ['k2-app', NODE],
    ] as const) {
      await h.iam.createRole({
        name,
        path: '/',
        trustPolicy: daemonTrust(principal),
        description: '',
        tags: {},
      });
    }
    sa('web');
    // b shares web and asks for nothing: a needs a service account of its own, a-k2-app.
    k.workloads.push(
      deployment('a', 'web', 'k2-app'),
      deployment('c', 'a-k2-app'),
      deployment('b', 'web'),
    );
  });

  test('a forged annotation on a foreign service account is no licence to hand it a role', async () => {
    sa('a-k2-app', { 'iamsa.io/kube2iam-service-account': 'created' });
    const trust = (await h.iam.getRole('k2-app'))?.trustPolicy;
    const r = await run('--approve');
    assert.equal(r.code, 5, r.stderr);
    assert.match(
      r.stdout,
      /service account shop\/a-k2-app exists and the migration did not make it/,
    );
    assert.deepEqual(k.serviceAccounts.get('shop/a-k2-app')?.annotations, {
      'iamsa.io/kube2iam-service-account': 'created',
    });
    assert.equal((await h.iam.getRole('k2-app'))?.trustPolicy, trust, 'the trust is unchanged');
  });

  test('nor is a copied label: another workload runs as it and asks for no role', async () => {
    sa(
      'a-k2-app',
      { 'iamsa.io/kube2iam-service-account': 'created' },
      { 'app.kubernetes.io/managed-by': 'iamsa' },
    );
    const r = await run('--approve');
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stdout, /deployment shop\/c runs as it and does not ask for k2-app/);
    assert.equal(k.serviceAccounts.get('shop/a-k2-app')?.annotations[ROLE_ARN], undefined);
  });

  test("a bare pod asking for another binding's role is refused, not told to recreate itself", async () => {
    await h.iam.createRole({
      name: 'pay-api',
      path: '/',
      trustPolicy: daemonTrust(NODE),
      description: '',
      tags: {
        'iamsa.io/managed-by': 'iamsa',
        'iamsa.io/namespace': 'pay',
        'iamsa.io/service-account': 'api',
      },
    });
    k.workloads.push(
      { ...deployment('debug', 'web', 'pay-api'), kind: 'Pod' },
      { ...deployment('job', 'web', 'k2-app'), kind: 'Job' },
    );
    const r = await run();
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /IRSA-W047 not migrated: pod shop\/debug asks kube2iam for role pay-api/,
    );
    assert.doesNotMatch(r.stderr, /pod shop\/debug .*recreate/);
    assert.match(
      r.stderr,
      /IRSA-W030 not migrated: job shop\/job .*recreate it: .*iamsa create-serviceaccount --attach-role-arn arn:aws:iam::111122223333:role\/k2-app/,
    );
  });

  test('--rollback deletes only a service account iamsa made, never on an annotation alone', async () => {
    sa('a-k2-app', { 'iamsa.io/kube2iam-service-account': 'created' });
    const r = await run('--rollback', '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /delete/);
    assert.match(r.stderr, /shop\/a-k2-app .*not made by iamsa/);
    assert.ok(k.serviceAccounts.has('shop/a-k2-app'), 'the service account is left');
  });

  test('its own service account is made, migrated and rolled back', async () => {
    k.workloads.splice(1, 1);
    const r = await run('--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(k.serviceAccounts.get('shop/a-k2-app')?.annotations[ROLE_ARN], `${BASE}k2-app`);
    assert.equal(k.workloads[0]?.serviceAccountName, 'a-k2-app');
    const again = await run('--approve');
    assert.equal(again.code, 0, again.stderr);
    const back = await run('--rollback', '--approve');
    assert.equal(back.code, 0, back.stderr);
    assert.equal(k.serviceAccounts.has('shop/a-k2-app'), false, 'the one it made is deleted');
    assert.equal(k.workloads[0]?.serviceAccountName, 'web');
  });
});

test('a namespace filter that matches nothing says so (IRSA-W025 for a mistyped one), not "already in place"', async () => {
  const k = createHarness({ clusters: ['demo'] });
  assert.equal((await k.run(['enable-oidc', '--cluster', 'demo', '--approve'])).code, 0);
  await k.kube('demo').createNamespace('legacy');
  const run = (...args: string[]) => k.run(['migrate-from-kube2iam', '--cluster', 'demo', ...args]);
  const typo = await run('-n', 'legacyy');
  assert.equal(typo.code, 0, typo.stderr);
  assert.match(
    typo.stderr,
    /IRSA-W025.*namespace legacyy does not exist in cluster demo: did you mean legacy\?/,
  );
  assert.match(
    typo.stdout,
    /Nothing to do: no workload in namespace legacyy asks kube2iam for a role that can move to IRSA\.\n$/,
  );
  const back = await run('-n', 'legacy', '--rollback');
  assert.doesNotMatch(back.stderr, /IRSA-W025/);
  assert.match(
    back.stdout,
    /Nothing to do: nothing in namespace legacy was migrated from kube2iam\.\n$/,
  );
});

const KRE_NODE = `arn:aws:iam::${ACCOUNT}:role/eks-node`;
/** Namespace kre: deployment z, running as `sa`, asks the daemon for role Zapp (trusting the node role). */
async function kreZapp(sa: string): Promise<FakeKube> {
  h = createHarness({ clusters: ['demo'] });
  const k = h.kube('demo');
  k.namespaces.add('kre');
  await enableCluster(h.iam, h.eks().clusters.get('demo') as ClusterInfo);
  await h.iam.createRole({
    name: 'Zapp',
    path: '/',
    trustPolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: KRE_NODE }, Action: 'sts:AssumeRole' }],
    }),
    description: '',
    tags: {},
  });
  k.serviceAccounts.set(`kre/${sa}`, {
    namespace: 'kre',
    name: sa,
    annotations: {},
    labels: {},
    resourceVersion: '1',
  });
  k.workloads.push({
    kind: 'Deployment',
    namespace: 'kre',
    name: 'z',
    annotations: {},
    templateAnnotations: { 'iam.amazonaws.com/role': 'Zapp' },
    serviceAccountName: sa,
    owners: [],
    resourceVersion: '1',
  });
  return k;
}

describe('namespace restrictions are RE2, as the daemons read them (issue 16)', () => {
  let k: FakeKube;
  beforeEach(async () => {
    k = await kreZapp('default');
  });
  const kube2iam = (pattern: string) => {
    k.namespaceAnnotationsOf.set('kre', {
      'iam.amazonaws.com/allowed-roles': JSON.stringify([pattern]),
    });
    return migrate(
      '-n',
      'kre',
      '--namespace-restrictions',
      '--namespace-restriction-format',
      'regexp',
      '--approve',
    );
  };
  const kiam = (pattern: string, ...flags: string[]) => {
    k.namespaceAnnotationsOf.set('kre', { 'iam.amazonaws.com/permitted': pattern });
    return migrate('-n', 'kre', '--flavour', 'kiam', ...flags, '--approve');
  };
  const refused = (r: { code: number; stdout: string; stderr: string }, pattern: string) => {
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /IRSA-W029 refused: deployment kre\/z/);
    assert.ok(r.stderr.includes(JSON.stringify(pattern).slice(1, -1)), r.stderr);
    assert.equal(k.workloads[0]?.serviceAccountName, 'default', 'not migrated');
    assert.equal(k.serviceAccounts.get('kre/default')?.annotations[ROLE_ARN], undefined);
  };

  for (const pattern of ['Zap(?=p)p', 'Zapp(?!x)', '(Z)ap\\1?p', 'Zapp{0,1001}', '(?<n>Zapp)']) {
    test(`kube2iam: ${pattern}, which RE2 does not compile, grants nothing`, async () => {
      refused(await kube2iam(pattern), pattern);
    });
  }
  for (const pattern of ['Zap(?=p)p', 'Zapp{0,1001}']) {
    test(`kiam: ${pattern}, which RE2 does not compile, grants nothing`, async () => {
      refused(await kiam(pattern), pattern);
      refused(await kiam(pattern, '--strict-namespace-regexp'), pattern);
    });
  }
  test('RE2-only syntax that matches is translated, mid-expression flags are "cannot tell"', async () => {
    refused(await kube2iam('Z(?i)APP'), 'Z(?i)APP');
    const r = await kube2iam('(?P<n>Z)[[:alpha:]]{2}\\pL');
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /IRSA-W029/);
    assert.notEqual(k.workloads[0]?.serviceAccountName, 'default', 'migrated');
  });
});

describe('--rollback puts back only the daemon role the admin names (issue 16)', () => {
  const NODE = KRE_NODE;
  const ATTACKER = `arn:aws:iam::${ACCOUNT}:role/attacker`;
  const daemon = (principal: string) => ({
    Effect: 'Allow',
    Principal: { AWS: principal },
    Action: 'sts:AssumeRole',
  });
  beforeEach(async () => {
    await kreZapp('web');
    const run = (...args: string[]) => migrate('-n', 'kre', '--approve', ...args);
    assert.equal((await run()).code, 0);
    assert.equal((await run('--cleanup', '--daemon-role-arn', NODE)).code, 0);
  });
  const trust = async () =>
    JSON.parse(decodeURIComponent((await h.iam.getRole('Zapp'))?.trustPolicy ?? '{}'));
  const forge = async (...statements: object[]) => {
    const tags = (await h.iam.getRole('Zapp'))?.tags ?? {};
    const keys = Object.keys(tags).filter((t) => t.startsWith('iamsa.io/kube2iam-trust-'));
    await h.iam.untagRole('Zapp', keys);
    const value = Buffer.from(JSON.stringify(statements.map((s, i) => [i, s]))).toString('base64');
    await h.iam.tagRole('Zapp', { 'iamsa.io/kube2iam-trust-0': value });
  };

  for (const daemonRole of [[], ['--daemon-role-arn', NODE]]) {
    test(`a forged statement of another role of the account is refused ${daemonRole.length ? 'with' : 'without'} --daemon-role-arn`, async () => {
      const before = await trust();
      await forge(daemon(NODE), daemon(ATTACKER));
      const r = await migrate('-n', 'kre', '--rollback', '--approve', ...daemonRole);
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stdout + r.stderr, /iamsa\.io\/kube2iam-trust-/);
      assert.deepEqual(await trust(), before, 'the trust is unchanged');
      assert.doesNotMatch(JSON.stringify(await trust()), /attacker/);
    });
  }
  test('a role never migrated gets no daemon trust from a forged record and annotation', async () => {
    const role = (name: string) =>
      h.iam.createRole({
        name,
        path: '/',
        trustPolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [daemon(`arn:aws:iam::${ACCOUNT}:role/ci`)],
        }),
        description: '',
        tags: {},
      });
    await role('secret-admin');
    const record = Buffer.from(JSON.stringify([[0, daemon(NODE)]])).toString('base64');
    await h.iam.tagRole('secret-admin', {
      'iamsa.io/kube2iam-migration': 'kube2iam',
      'iamsa.io/kube2iam-trust-0': record,
    });
    const k = h.kube('demo');
    k.serviceAccounts.set('kre/evil', {
      namespace: 'kre',
      name: 'evil',
      annotations: {
        'eks.amazonaws.com/role-arn': `arn:aws:iam::${ACCOUNT}:role/secret-admin`,
        'iamsa.io/kube2iam-service-account': 'annotated',
      },
      labels: {},
      resourceVersion: '1',
    });
    const before = (await h.iam.getRole('secret-admin'))?.trustPolicy;
    const r = await migrate('-n', 'kre', '--rollback', '--approve', '--daemon-role-arn', NODE);
    assert.equal(r.code, 5, r.stdout + r.stderr);
    assert.match(
      r.stdout + r.stderr,
      /role secret-admin holds no IRSA statement the migration wrote/,
    );
    assert.equal((await h.iam.getRole('secret-admin'))?.trustPolicy, before, 'trust unchanged');
  });

  test('the true record comes back with --daemon-role-arn', async () => {
    const r = await migrate('-n', 'kre', '--rollback', '--approve', '--daemon-role-arn', NODE);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await trust()).Statement, [daemon(NODE)]);
  });
});

test("apply --prune leaves a migration's service account without IRSA-W050: iamsa's, no file's", async () => {
  const k = await kreZapp('web');
  // b shares web and asks for nothing: the migration makes kre/z-Zapp for z.
  k.workloads.push({ ...(k.workloads[0] as Workload), name: 'b', templateAnnotations: {} });
  assert.equal((await migrate('-n', 'kre', '--approve')).code, 0);
  const made = [...k.serviceAccounts.values()].find(
    (a) => a.annotations['iamsa.io/kube2iam-service-account'] === 'created',
  );
  assert.ok(made, 'the migration made a service account');
  const path = join(tempDir('kube2iam-prune'), 'bindings.yaml');
  writeFileSync(
    path,
    'apiVersion: iamsa.io/v1alpha1\nkind: ServiceAccountBindings\ncluster: demo\nbindings:\n' +
      '  - {name: keep, attachPolicyARNs: [arn:aws:iam::aws:policy/ReadOnlyAccess]}\n',
  );
  assert.equal((await h.run(['apply', '-f', path, '--approve'])).code, 0);
  const before = h.state();
  const r = await h.run(['apply', '-f', path, '--prune', '--approve']);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /IRSA-W050/);
  assert.deepEqual(h.state(), before, 'nothing was changed');
  // A copy of it elsewhere (label and annotation) still is warned about.
  k.serviceAccounts.set('kre/copy', { ...made, name: 'copy' });
  const copied = await h.run(['apply', '-f', path, '--prune', '--approve']);
  assert.match(copied.stderr, /IRSA-W050 service account kre\/copy/);
  assert.doesNotMatch(copied.stderr, new RegExp(`IRSA-W050 service account kre/${made.name} `));
});
