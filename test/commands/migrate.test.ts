// migrate-to-pod-identity in-process (test/support/harness.ts, the set-up through
// test/support/fake-ground.ts): IRSA bindings made by iamsa (and one role made by hand, one used by
// an EKS add-on) move to Pod Identity, converge on re-runs, lose their IRSA parts with
// --remove-irsa, and come back exactly with --rollback. The binary's smoke run against moto, the EKS
// endpoint and the emulator is test/integration/migrate.test.ts.
import assert from 'node:assert/strict';
import type { CommandResult } from '../../src/actions/engine/plan.js';
import { removeIrsaCommand } from '../../src/cli/commands/migrate-to-pod-identity.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import {
  CreateRoleCommand,
  GetRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  buildTrustStatement,
  type PolicyStatement,
  recordStatements,
  STS_AUDIENCE,
} from '../../src/policy/index.js';
import { ACCOUNT } from '../support/fakes.js';
import { type FakeGround, fakeGround } from '../support/fake-ground.js';
import { createHarness, type Harness, REGION } from '../support/harness.js';
import { removeTempDir, tempDir } from '../support/temp.js';
import {
  namespace as makeNamespace,
  serviceAccount,
  bindReadOnly,
  hostOf,
  pod,
} from '../support/irsa-states.js';

const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const ANNOTATION = 'eks.amazonaws.com/role-arn';
const CLUSTER_ARN = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/demo`;
const PODS_STATEMENT = {
  Effect: 'Allow',
  Principal: { Service: 'pods.eks.amazonaws.com' },
  Action: ['sts:AssumeRole', 'sts:TagSession'],
  Condition: {
    StringEquals: { 'aws:SourceAccount': ACCOUNT },
    ArnEquals: { 'aws:SourceArn': CLUSTER_ARN },
  },
};
const NAMES = ['api', 'worker', 'cron', 'web', 'batch'];

let h: Harness;
let g: FakeGround;
let providerArn: string;
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;
const migrate = (...args: string[]) =>
  g.iamsa(['migrate-to-pod-identity', '--cluster', 'demo', ...g.kubeFlags, ...args]);
const roleName = (ns: string, name: string) => `iamsa-demo-${ns}-${name}`;
const roleOf = async (name: string) =>
  (await g.iam.send(new GetRoleCommand({ RoleName: name }))).Role;
const trustOf = async (name: string) =>
  JSON.parse(decodeURIComponent((await roleOf(name))?.AssumeRolePolicyDocument ?? ''));
const tagsOf = async (name: string) =>
  Object.fromEntries(((await roleOf(name))?.Tags ?? []).map((t: any) => [t.Key, t.Value]));
/** What a service account is, without what the API server bumps on every write. */
const saOf = (ns: string, name: string) => {
  const o = g.kube.getObject('serviceaccounts', ns, name);
  return o && { annotations: o.metadata.annotations ?? {}, labels: o.metadata.labels ?? {} };
};
const associationsIn = (ns: string) =>
  [...h.eks().associations.values()].filter((a) => a.cluster === 'demo' && a.namespace === ns);
const namespace = (name: string) => makeNamespace(g, name);
const bind = (ns: string, name: string) => bindReadOnly(g, ns, name);
async function snapshot(ns: string, names: string[]) {
  const out: Record<string, unknown> = {};
  for (const n of names) {
    out[n] = { trust: await trustOf(roleName(ns, n)), sa: saOf(ns, n) };
  }
  return out;
}

before(async () => {
  h = createHarness({ clusters: ['demo'] });
  g = fakeGround(h, 'demo');
  const enabled = await g.iamsa(['enable-oidc', '--cluster', 'demo', '--approve', '-o', 'json']);
  assert.equal(enabled.code, 0, enabled.stderr);
  providerArn = json(enabled.stdout).providerArn;
  h.eks().installAgent('demo');
});

describe('migrate-to-pod-identity', () => {
  test('5 IRSA bindings migrate, re-run is Nothing to do, --remove-irsa leaves only Pod Identity, --rollback restores IRSA exactly', async () => {
    await namespace('mig');
    for (const n of NAMES) await bind('mig', n);
    const before = await snapshot('mig', NAMES);
    const aws = await g.awsState();

    // The plan changes nothing.
    const plan = await migrate('-n', 'mig');
    assert.equal(plan.code, 0, plan.stderr);
    for (const n of NAMES) {
      assert.match(plan.stdout, new RegExp(`\\+ create\\s+pod-identity-association\\s+mig/${n}`));
      assert.match(plan.stdout, new RegExp(`~ update\\s+iam-role\\s+\\S+${roleName('mig', n)}`));
    }
    assert.deepEqual(await g.awsState(), aws);
    assert.equal(associationsIn('mig').length, 0);

    const r = await migrate('-n', 'mig', '--approve', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json(r.stdout).bindings.length, 5);
    for (const n of NAMES) {
      const a = associationsIn('mig').find((x) => x.serviceAccount === n);
      assert.equal(a?.roleArn, `arn:aws:iam::${ACCOUNT}:role/${roleName('mig', n)}`);
      assert.equal(a?.tags['iamsa.io/migrated-from'], 'irsa');
      const trust = await trustOf(roleName('mig', n));
      assert.equal(trust.Statement.length, 2, 'IRSA keeps working');
      assert.deepEqual(trust.Statement[1], PODS_STATEMENT);
      assert.equal(trust.Statement[0].Principal.Federated, providerArn);
      assert.equal((await tagsOf(roleName('mig', n)))['iamsa.io/migration'], 'pods-added');
      assert.ok(saOf('mig', n)?.annotations[ANNOTATION], 'the annotation stays');
    }
    const again = await migrate('-n', 'mig', '--approve');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing to do/);

    // get-serviceaccounts sees Pod Identity bindings that still carry the annotation.
    const got = json(
      (
        await g.iamsa([
          'get-serviceaccounts',
          '-c',
          'demo',
          '-n',
          'mig',
          ...g.kubeFlags,
          '-o',
          'json',
        ])
      ).stdout,
    );
    assert.ok(
      got.serviceAccounts.every(
        (row: any) => row.mechanism === 'pod-identity' && row.status === 'ok' && row.irsaRoleArn,
      ),
      JSON.stringify(got.serviceAccounts),
    );

    const removed = await migrate('-n', 'mig', '--remove-irsa', '--approve');
    assert.equal(removed.code, 0, removed.stderr);
    for (const n of NAMES) {
      assert.deepEqual((await trustOf(roleName('mig', n))).Statement, [PODS_STATEMENT]);
      assert.equal(saOf('mig', n)?.annotations[ANNOTATION], undefined);
      assert.equal((await tagsOf(roleName('mig', n)))['iamsa.io/mechanism'], 'pod-identity');
    }
    const removedAgain = await migrate('-n', 'mig', '--remove-irsa', '--approve');
    assert.equal(removedAgain.code, 0, removedAgain.stderr);
    assert.match(removedAgain.stdout, /Nothing to do/);

    const rolledBack = await migrate('-n', 'mig', '--rollback', '--approve');
    assert.equal(rolledBack.code, 0, rolledBack.stderr);
    assert.deepEqual(await snapshot('mig', NAMES), before);
    assert.equal(associationsIn('mig').length, 0);
    for (const n of NAMES) {
      const tags = await tagsOf(roleName('mig', n));
      assert.deepEqual(
        Object.keys(tags).filter((k) => /migration|irsa-trust|mechanism/.test(k)),
        [],
      );
    }
    const rolledAgain = await migrate('-n', 'mig', '--rollback', '--approve');
    assert.equal(rolledAgain.code, 0, rolledAgain.stderr);
    assert.match(rolledAgain.stdout, /Nothing to do/);
  });

  test('a selection that matches no binding says so, and a mistyped namespace is IRSA-W025, not "already in place"', async () => {
    await namespace('backend');
    await bind('backend', 'writer');
    const typo = await migrate('-n', 'backnd');
    assert.equal(typo.code, 0, typo.stderr);
    assert.match(
      typo.stderr,
      /IRSA-W025.*namespace backnd does not exist in cluster demo: did you mean backend\?/,
    );
    assert.match(typo.stdout, /Nothing to do: no IRSA binding matches -n backnd\.\n$/);
    const name = await migrate('-n', 'backend', '--name', 'writr');
    assert.match(
      name.stdout,
      /Nothing to do: no IRSA binding matches -n backend --name writr\.\n$/,
    );
    assert.doesNotMatch(name.stderr, /IRSA-W025/, 'the namespace exists');
    const back = await migrate('-n', 'backend', '--rollback');
    assert.match(
      back.stdout,
      /Nothing to do: no binding migrate-to-pod-identity migrated matches -n backend\.\n$/,
    );
    const doc = json((await migrate('-n', 'backnd', '-o', 'json')).stdout);
    assert.deepEqual(doc.bindings, []);
    assert.deepEqual(
      doc.warningDetails.map((w: { code: string }) => w.code),
      ['IRSA-W025'],
    );
    // Once migrated, the same selection is in place: that is what "already in place" says.
    assert.equal((await migrate('-n', 'backend', '--approve')).code, 0);
    assert.match(
      (await migrate('-n', 'backend')).stdout,
      /Nothing to do: everything is already in place\.\n$/,
    );
  });

  test('a rollback right after migrating (IRSA kept) restores the trust exactly too', async () => {
    await namespace('mig2');
    await bind('mig2', 'one');
    const before = await snapshot('mig2', ['one']);
    assert.equal((await migrate('-n', 'mig2', '--approve')).code, 0);
    // Mid-migration the role serves both mechanisms: an update (found to be Pod Identity from
    // the association) and a create-serviceaccount re-run (IRSA) keep both statements.
    const trust = await trustOf(roleName('mig2', 'one'));
    for (const command of ['update-serviceaccount', 'create-serviceaccount']) {
      const r = await g.iamsa([
        command,
        '--cluster',
        'demo',
        '-n',
        'mig2',
        '--name',
        'one',
        '--attach-policy-arn',
        READONLY,
        ...g.kubeFlags,
        '--approve',
      ]);
      assert.equal(r.code, 0, `${command}: ${r.stderr}`);
      assert.deepEqual(await trustOf(roleName('mig2', 'one')), trust, command);
    }
    const r = await migrate('-n', 'mig2', '--rollback', '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await snapshot('mig2', ['one']), before);
    assert.equal(associationsIn('mig2').length, 0);
  });

  test("a role iamsa did not make is skipped unless --include-foreign-roles; an add-on's role unless named", async () => {
    await namespace('mig3');
    const trust = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: providerArn },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              [`${providerArn.split('oidc-provider/')[1]}:sub`]: 'system:serviceaccount:mig3:hand',
            },
          },
        },
      ],
    };
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'hand-made',
        AssumeRolePolicyDocument: JSON.stringify(trust),
      }),
    );
    await g.kubeAdmin('POST', '/api/v1/namespaces/mig3/serviceaccounts', {
      metadata: {
        name: 'hand',
        annotations: { [ANNOTATION]: `arn:aws:iam::${ACCOUNT}:role/hand-made` },
      },
    });
    await bind('mig3', 'ebs');
    h.eks().addons.set('demo/aws-ebs-csi-driver', {
      name: 'aws-ebs-csi-driver',
      status: 'ACTIVE',
      serviceAccountRoleArn: `arn:aws:iam::${ACCOUNT}:role/${roleName('mig3', 'ebs')}`,
    });
    const plan = await migrate('-n', 'mig3', '-o', 'json');
    assert.equal(plan.code, 0, plan.stderr);
    const doc = json(plan.stdout);
    assert.deepEqual(doc.bindings, []);
    assert.match(
      doc.warnings.join('\n'),
      /skipped mig3\/hand: role hand-made is not iamsa's .* --include-foreign-roles/,
    );
    assert.match(
      doc.warnings.join('\n'),
      /skipped mig3\/ebs: role .* is used by the EKS add-on aws-ebs-csi-driver/,
    );

    const foreign = await migrate(
      '-n',
      'mig3',
      '--include-foreign-roles',
      '--approve',
      '-o',
      'json',
    );
    assert.equal(foreign.code, 0, foreign.stderr);
    assert.deepEqual(
      json(foreign.stdout).bindings.map((b: any) => b.name),
      ['hand'],
    );
    const a = associationsIn('mig3').find((x) => x.serviceAccount === 'hand');
    assert.equal(a?.tags['iamsa.io/attached-role'], 'true', 'deleting the binding keeps the role');
    assert.equal((await trustOf('hand-made')).Statement.length, 2);

    const named = await migrate('-n', 'mig3', '--name', 'ebs', '--approve', '-o', 'json');
    assert.equal(named.code, 0, named.stderr);
    assert.ok(associationsIn('mig3').some((x) => x.serviceAccount === 'ebs'));
  });

  test("annotating a service account with another binding's role gains nothing: it is skipped, with why", async () => {
    await namespace('esc');
    await bind('esc', 'app');
    const arn = (await roleOf(roleName('esc', 'app')))?.Arn ?? '';
    await serviceAccount(g, 'esc', 'intruder', { [ANNOTATION]: arn });
    const r = await migrate('-n', 'esc', '--approve', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      json(r.stdout).warnings.join('\n'),
      /skipped esc\/intruder: it is annotated with .*whose trust does not admit it/,
    );
    assert.deepEqual(
      associationsIn('esc').map((a) => a.serviceAccount),
      ['app'],
      'only the binding the role is for gets an association',
    );
  });

  test('a hand-made association to a migrating role is named by every plan of its IRSA binding (IRSA-W006)', async () => {
    await namespace('handed');
    await bind('handed', 'app');
    assert.equal((await migrate('-n', 'handed', '--approve')).code, 0);
    const role = (await roleOf(roleName('handed', 'app')))?.Arn ?? '';
    await h.eks().createPodIdentityAssociation({
      cluster: 'demo',
      namespace: 'handed',
      serviceAccount: 'other',
      roleArn: role,
      tags: {},
    });
    const named =
      /IRSA-W006 association \S+ hands role iamsa-demo-handed-app \(iamsa's role for handed\/app\) to handed\/other of cluster demo; it is not made by iamsa/;
    const again = await g.iamsa([
      ...['create-serviceaccount', '--cluster', 'demo', '-n', 'handed', '--name', 'app'],
      ...['--attach-policy-arn', READONLY, ...g.kubeFlags],
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, named);
    const dir = tempDir('handed-association');
    try {
      const file = join(dir, 'bindings.yaml');
      writeFileSync(
        file,
        `apiVersion: iamsa.io/v1alpha1\nkind: ServiceAccountBindings\ncluster: demo\nbindings:\n  - {namespace: handed, name: app, attachPolicyARNs: [${READONLY}]}\n`,
      );
      const applied = await g.iamsa(['apply', '-f', file, ...g.kubeFlags]);
      assert.equal(applied.code, 0, applied.stderr);
      assert.match(applied.stderr, named);
    } finally {
      removeTempDir(dir);
    }
  });

  test("an association with copied iamsa tags is said to be tagged as iamsa's, not made by iamsa (IRSA-W006)", async () => {
    await namespace('forged');
    await bind('forged', 'app');
    assert.equal((await migrate('-n', 'forged', '--approve')).code, 0);
    const role = (await roleOf(roleName('forged', 'app')))?.Arn ?? '';
    const own = [...h.eks().associations.values()].find((a) => a.namespace === 'forged')!;
    await h.eks().createPodIdentityAssociation({
      cluster: 'demo',
      namespace: 'forged',
      serviceAccount: 'evil',
      roleArn: role,
      tags: { ...own.tags, 'iamsa.io/service-account': 'evil' },
    });
    const again = await g.iamsa([
      ...['create-serviceaccount', '--cluster', 'demo', '-n', 'forged', '--name', 'app'],
      ...['--attach-policy-arn', READONLY, ...g.kubeFlags],
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stderr,
      /IRSA-W006 association \S+ hands role iamsa-demo-forged-app \(iamsa's role for forged\/app\) to forged\/evil of cluster demo; it is tagged as iamsa's for forged\/evil, not for this binding/,
    );
  });

  test("one binding's conflict is its own error (exit 5); the others migrate", async () => {
    await namespace('mig4');
    await bind('mig4', 'fine');
    await bind('mig4', 'taken');
    await h.eks().createPodIdentityAssociation({
      cluster: 'demo',
      namespace: 'mig4',
      serviceAccount: 'taken',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/someone-elses`,
      tags: {},
    });
    const r = await migrate('-n', 'mig4', '--approve', '-o', 'json');
    assert.equal(r.code, 5, r.stderr);
    const doc = json(r.stdout);
    const taken = doc.bindings.find((b: any) => b.name === 'taken');
    assert.match(taken.error.message, /already has a Pod Identity association .*someone-elses/);
    assert.ok(
      associationsIn('mig4').some(
        (a) => a.serviceAccount === 'fine' && a.tags?.['iamsa.io/migrated-from'],
      ),
    );
  });

  test('without an ACTIVE agent add-on it is exit 3 and nothing changes; --rollback with --remove-irsa is exit 2', async () => {
    h.eks().installAgent('demo', 'CREATING');
    try {
      const r = await migrate('--approve');
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /eks-pod-identity-agent add-on of cluster demo is CREATING/);
    } finally {
      h.eks().installAgent('demo');
    }
    const both = await migrate('--rollback', '--remove-irsa');
    assert.equal(both.code, 2, both.stderr);
  });
});

describe('migrate-to-pod-identity: pods still on IRSA', () => {
  test('the first migration says to restart, then --remove-irsa; --remove-irsa names pods still on IRSA (IRSA-W056) and is refused (exit 5) unless --allow-irsa-pods; doctor offers the restart first', async () => {
    await namespace('stale');
    await bind('stale', 'api');
    await pod(g, 'stale', 'api-1', 'api'); // the webhook gives it IRSA credentials only
    const first = await migrate('-n', 'stale', '--approve');
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      /Restart the pods of that service account[^\n]*\n.*kubectl rollout restart deployment -n stale <deployment using service account api>/,
    );
    assert.match(
      first.stdout,
      /remove IRSA[^\n]*\n.*iamsa migrate-to-pod-identity --cluster demo --region \S+ -n stale --remove-irsa --approve/,
    );
    // With the Kubernetes connection flags given, ready to paste.
    const result = { cluster: 'demo', region: 'us-east-1' } as CommandResult;
    assert.equal(
      removeIrsaCommand(
        { namespace: 'stale', kubeServer: 'https://k', kubeCaFile: 'ca.pem' },
        result,
        'p',
      ),
      'iamsa migrate-to-pod-identity --cluster demo --region us-east-1 --profile p -n stale --remove-irsa --kube-server https://k --kube-ca-file ca.pem --approve',
    );
    assert.equal(
      removeIrsaCommand({ context: 'dev' }, result, undefined),
      'iamsa migrate-to-pod-identity --cluster demo --region us-east-1 --remove-irsa --context dev --approve',
    );

    const doctor = await g.iamsa([
      ...['doctor', '--cluster', 'demo', '-n', 'stale', '--name', 'api', ...g.kubeFlags],
      ...['-o', 'json'],
    ]);
    const checks = Object.fromEntries(json(doctor.stdout).checks.map((c: any) => [c.id, c]));
    assert.equal(checks.PODID007.status, 'warn');
    assert.match(checks.PODID006.fix, /^kubectl delete pod -n stale api-1/);
    assert.doesNotMatch(checks.PODID006.fix, /--remove-irsa/);
    assert.match(checks.PODID006.details.join(), /restart them first, then: iamsa .*--remove-irsa/);

    const trust = await trustOf(roleName('stale', 'api'));
    for (const extra of [[], ['--approve']]) {
      const refused = await migrate('-n', 'stale', '--remove-irsa', ...extra);
      assert.equal(refused.code, 5, refused.stdout + refused.stderr);
      assert.match(
        refused.stderr,
        /IRSA-W056.*1 pod\(s\) of stale\/api .*still use IRSA credentials \(api-1\).*kubectl delete pod -n stale api-1/,
      );
      assert.match(
        refused.stdout + refused.stderr,
        /would cut the credentials of running pods.*\n?.*--allow-irsa-pods/,
      );
    }
    assert.deepEqual(await trustOf(roleName('stale', 'api')), trust, 'nothing cut');
    assert.ok(saOf('stale', 'api')?.annotations[ANNOTATION]);

    const allowed = await migrate('-n', 'stale', '--remove-irsa', '--allow-irsa-pods');
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stderr, /IRSA-W056.*api-1/);
    assert.equal((await migrate('-n', 'stale', '--allow-irsa-pods')).code, 2);

    // Restarted: the new pod has Pod Identity credentials, and --remove-irsa goes through.
    await g.kubeAdmin('DELETE', '/api/v1/namespaces/stale/pods/api-1');
    await pod(g, 'stale', 'api-2', 'api', {
      env: [
        {
          name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI',
          value: 'http://169.254.170.23/v1/credentials',
        },
      ],
    });
    const removed = await migrate('-n', 'stale', '--remove-irsa', '--approve');
    assert.equal(removed.code, 0, removed.stderr);
    assert.doesNotMatch(removed.stderr, /IRSA-W056/);
    assert.deepEqual((await trustOf(roleName('stale', 'api'))).Statement, [PODS_STATEMENT]);
  });
});

// Forged state gains nothing: a hand-made association tagged as migrated is not rolled back to, a
// lone iamsa.io/migration tag opens no IRSA role to Pod Identity, a decoy role with copied
// ownership tags is not migrated, and a migrating role keeps only the IRSA statement iamsa recorded.
const setTrust = (name: string, doc: unknown) =>
  g.iam.send(
    new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: JSON.stringify(doc) }),
  );
const arnOf = async (name: string) => (await roleOf(name))?.Arn ?? '';
const warningsOf = (stdout: string) => (json(stdout).warnings as string[]).join('\n');
/** The hand-made association someone with eks:CreatePodIdentityAssociation could add. */
const forgeAssociation = (ns: string, name: string, roleArn: string, extra = {}) =>
  h.eks().createPodIdentityAssociation({
    cluster: 'demo',
    namespace: ns,
    serviceAccount: name,
    roleArn,
    tags: { 'iamsa.io/migrated-from': 'irsa', ...extra },
  });
const ownershipOf = (ns: string, name: string) => ({
  'iamsa.io/managed-by': 'iamsa',
  'iamsa.io/cluster': 'demo',
  'iamsa.io/cluster-arn': CLUSTER_ARN,
  'iamsa.io/namespace': ns,
  'iamsa.io/service-account': name,
});
const writeBindings = (dir: string, binding: string) => {
  const file = join(dir, 'bindings.yaml');
  writeFileSync(
    file,
    `apiVersion: iamsa.io/v1alpha1\nkind: ServiceAccountBindings\ncluster: demo\nbindings:\n  - ${binding}\n`,
  );
  return file;
};

describe('migrate-to-pod-identity: forged state gains nothing', () => {
  test('--rollback never hands a role never migrated to a hand-made association tagged as migrated', async () => {
    await namespace('rb1');
    await namespace('evil1');
    const role = await bind('rb1', 'a6');
    const before = await trustOf(role);
    await serviceAccount(g, 'evil1', 'z', { 'eks.amazonaws.com/audience': 'vault' });
    await forgeAssociation('evil1', 'z', await arnOf(role), ownershipOf('evil1', 'z'));

    const r = await migrate('--rollback', '--approve', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      warningsOf(r.stdout),
      /skipped evil1\/z: role iamsa-demo-rb1-a6 was never migrated by iamsa/,
    );
    assert.deepEqual(await trustOf(role), before, 'the trust gains no statement for evil1/z');
    assert.equal(saOf('evil1', 'z')?.annotations[ANNOTATION], undefined);
    assert.equal(associationsIn('evil1').length, 1, 'not iamsa’s to delete');
  });

  test('--rollback of a migrated role restores only the binding its record names; a forged association is skipped', async () => {
    await namespace('rb2');
    await namespace('evil2');
    const role = await bind('rb2', 'a1');
    const before = await trustOf(role);
    assert.equal((await migrate('-n', 'rb2', '--approve')).code, 0);
    await serviceAccount(g, 'evil2', 'z', { 'eks.amazonaws.com/audience': 'vault' });
    await forgeAssociation('evil2', 'z', await arnOf(role), ownershipOf('evil2', 'z'));

    const r = await migrate('--rollback', '--approve', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      warningsOf(r.stdout),
      /skipped evil2\/z: the migration record of role iamsa-demo-rb2-a1 .* has no IRSA statement for it/,
    );
    assert.deepEqual(
      json(r.stdout).bindings.map((b: any) => `${b.namespace}/${b.name}`),
      ['rb2/a1'],
    );
    assert.deepEqual(await trustOf(role), before, 'exactly the IRSA trust, nothing for evil2/z');
    assert.equal(saOf('evil2', 'z')?.annotations[ANNOTATION], undefined);
    assert.deepEqual(
      associationsIn('evil2').map((a) => a.serviceAccount),
      ['z'],
    );
  });

  test('--rollback refuses a record with a second statement or an audience neither STS nor the service account declares (exit 5)', async () => {
    await namespace('rb4');
    const role = await bind('rb4', 'a1');
    const m = await migrate('-n', 'rb4', '--remove-irsa', '--approve');
    assert.equal(m.code, 0, m.stderr);
    const after = await trustOf(role);
    const irsa = (audience: string) =>
      buildTrustStatement({
        providerArn,
        issuerHostPath: hostOf(providerArn),
        namespace: 'rb4',
        serviceAccount: 'a1',
        audience,
      });
    const forge = async (...statements: object[]) => {
      const old = Object.keys(await tagsOf(role)).filter((k) =>
        k.startsWith('iamsa.io/irsa-trust-'),
      );
      await h.iam.untagRole(role, old);
      await h.iam.tagRole(
        role,
        recordStatements(statements.map((st, i) => [i, st as PolicyStatement])),
      );
    };
    for (const forged of [
      [irsa(STS_AUDIENCE), irsa('evil-aud')],
      [irsa('evil-aud')],
      [irsa(STS_AUDIENCE), irsa(STS_AUDIENCE)],
    ]) {
      await forge(...forged);
      const r = await migrate('-n', 'rb4', '--rollback', '--approve');
      assert.equal(r.code, 5, `${r.stdout}${r.stderr}`);
      assert.match(
        r.stdout + r.stderr,
        /iamsa\.io\/irsa-trust-0.* of role iamsa-demo-rb4-a1 records? a statement that is not/,
      );
      assert.deepEqual(await trustOf(role), after, 'nothing was restored');
    }
    // The audience the service account declares (a Kubernetes edit of it) may come back.
    await forge(irsa('vault'));
    await g.kubeAdmin('PATCH', '/api/v1/namespaces/rb4/serviceaccounts/a1', {
      metadata: { annotations: { 'eks.amazonaws.com/audience': 'vault' } },
    });
    const ok = await migrate('-n', 'rb4', '--rollback', '--approve');
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual((await trustOf(role)).Statement, [irsa('vault')]);
  });

  test('--rollback leaves a native Pod Identity binding alone whatever its role tags say', async () => {
    await namespace('native');
    const made = await g.iamsa([
      ...['create-serviceaccount', '--cluster', 'demo', '-n', 'native', '--name', 'p1'],
      ...['--mechanism', 'pod-identity', '--attach-policy-arn', READONLY, ...g.kubeFlags],
      '--approve',
    ]);
    assert.equal(made.code, 0, made.stderr);
    const role = roleName('native', 'p1');
    const trust = await trustOf(role);
    const statement = buildTrustStatement({
      providerArn,
      issuerHostPath: hostOf(providerArn),
      namespace: 'native',
      serviceAccount: 'p1',
    });
    await h.iam.tagRole(role, {
      'iamsa.io/migration': 'irsa-removed',
      ...recordStatements([[0, statement]]),
    });
    const r = await migrate('-n', 'native', '--rollback', '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await trustOf(role), trust, 'no IRSA statement');
    assert.equal(saOf('native', 'p1')?.annotations[ANNOTATION], undefined);
    assert.equal(associationsIn('native').length, 1);
  });

  test('a lone iamsa.io/migration tag does not open an IRSA role to Pod Identity (IRSA-W053)', async () => {
    await namespace('tag');
    const role = await bind('tag', 'a2');
    const before = await trustOf(role);
    await h.iam.tagRole(role, { 'iamsa.io/migration': 'pods-added' });
    const create = await g.iamsa([
      ...['create-serviceaccount', '--cluster', 'demo', '-n', 'tag', '--name', 'a2'],
      ...['--attach-policy-arn', READONLY, ...g.kubeFlags, '--approve'],
    ]);
    assert.equal(create.code, 0, create.stderr);
    assert.deepEqual(await trustOf(role), before, 'no Pod Identity statement');
    assert.match(create.stderr, /IRSA-W053 .*iamsa.io\/migration tag.*ignored/);

    const dir = tempDir('forged-migration-tag');
    try {
      const file = writeBindings(
        dir,
        `{namespace: tag, name: a2, attachPolicyARNs: [${READONLY}]}`,
      );
      const applied = await g.iamsa(['apply', '-f', file, ...g.kubeFlags, '--approve']);
      assert.equal(applied.code, 0, applied.stderr);
      assert.deepEqual(await trustOf(role), before);
      assert.match(applied.stderr, /IRSA-W053/);
      // A migration records what it found, whatever the tag said; its rollback restores it.
      assert.equal((await migrate('-n', 'tag', '--approve')).code, 0);
      assert.ok((await tagsOf(role))['iamsa.io/irsa-trust-0'], 'the record is written');
      const back = await migrate('-n', 'tag', '--rollback', '--approve');
      assert.equal(back.code, 0, back.stderr);
      assert.deepEqual(await trustOf(role), before);
      // Nor does it let the binding's IRSA role be rewritten for Pod Identity (a conflict).
      const switched = await g.iamsa([
        ...['create-serviceaccount', '--cluster', 'demo', '-n', 'tag', '--name', 'a2'],
        ...['--mechanism', 'pod-identity', '--attach-policy-arn', READONLY, ...g.kubeFlags],
        '--approve',
      ]);
      assert.equal(switched.code, 5, switched.stderr);
      assert.match(switched.stderr, /making it a Pod Identity role would cut off the pods/);
      assert.deepEqual(await trustOf(role), before);
    } finally {
      removeTempDir(dir);
    }
  });

  test('a decoy role with copied ownership tags and a wider trust is not migrated (not iamsa’s trust)', async () => {
    await namespace('decoy');
    const real = await bind('decoy', 'm1');
    const irsa = (await trustOf(real)).Statement[0];
    const trust = {
      Version: '2012-10-17',
      Statement: [
        irsa,
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'sts:AssumeRole',
        },
      ],
    };
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'decoy-m',
        AssumeRolePolicyDocument: JSON.stringify(trust),
        Tags: Object.entries(ownershipOf('decoy', 'm1')).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    await g.kubeAdmin('PATCH', '/api/v1/namespaces/decoy/serviceaccounts/m1', {
      metadata: { annotations: { [ANNOTATION]: await arnOf('decoy-m') } },
    });
    for (const extra of [[], ['--remove-irsa']]) {
      const r = await migrate('-n', 'decoy', '--name', 'm1', ...extra, '--approve', '-o', 'json');
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        warningsOf(r.stdout),
        /skipped decoy\/m1: role decoy-m is not iamsa's \(it carries iamsa's tags for decoy\/m1, but its trust is not iamsa's .*--include-foreign-roles/,
      );
      assert.deepEqual(json(r.stdout).bindings, []);
    }
    assert.deepEqual(await trustOf('decoy-m'), trust);
    assert.deepEqual(
      Object.keys(await tagsOf('decoy-m')).filter((k) => /migration|irsa-trust/.test(k)),
      [],
    );
    assert.equal(associationsIn('decoy').length, 0);
  });

  test('a migrating Pod Identity role keeps only the IRSA statement iamsa recorded: hand-added ones are drift', async () => {
    await namespace('wide');
    const role = await bind('wide', 'a1');
    assert.equal((await migrate('-n', 'wide', '--approve')).code, 0);
    const migrated = await trustOf(role);
    const host = hostOf(providerArn);
    const other = providerArn.replace(/id\/[^/]+$/, 'id/OTHER');
    const statement = (federated: string, h2: string, aud: string) => ({
      Effect: 'Allow',
      Principal: { Federated: federated },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: { [`${h2}:sub`]: 'system:serviceaccount:wide:a1', [`${h2}:aud`]: aud },
      },
    });
    await setTrust(role, {
      ...migrated,
      Statement: [
        ...migrated.Statement,
        statement(providerArn, host, 'vault'),
        statement(other, hostOf(other), 'sts.amazonaws.com'),
      ],
    });
    const dir = tempDir('migrating-drift');
    try {
      const file = writeBindings(
        dir,
        `{namespace: wide, name: a1, mechanism: pod-identity, attachPolicyARNs: [${READONLY}]}`,
      );
      const applied = await g.iamsa(['apply', '-f', file, ...g.kubeFlags, '--approve']);
      assert.equal(applied.code, 0, applied.stderr);
      assert.deepEqual(await trustOf(role), migrated, 'both hand-added statements are removed');
      const again = await g.iamsa(['apply', '-f', file, ...g.kubeFlags]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /Nothing to do/);
    } finally {
      removeTempDir(dir);
    }
  });
});

describe('migrate-to-pod-identity on an iamsa role with an unnarrowed Pod Identity statement', () => {
  test('the plan shows it as drift and the migration replaces it with the statement narrowed to the cluster', async () => {
    await namespace('k9');
    await bind('k9', 's1');
    const name = roleName('k9', 's1');
    const irsa = await trustOf(name);
    const anyCluster = {
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
    };
    await g.iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: name,
        PolicyDocument: JSON.stringify({ ...irsa, Statement: [...irsa.Statement, anyCluster] }),
      }),
    );
    const plan = await migrate('-n', 'k9', '--name', 's1');
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(
      plan.stdout,
      new RegExp(
        `trust - 1 Pod Identity statement\\(s\\) not narrowed to ${CLUSTER_ARN} \\(drift\\), \\+ pods\\.eks\\.amazonaws\\.com for ${CLUSTER_ARN}`,
      ),
    );
    const r = await migrate('-n', 'k9', '--name', 's1', '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await trustOf(name)).Statement, [...irsa.Statement, PODS_STATEMENT]);
    assert.equal((await tagsOf(name))['iamsa.io/migration'], 'pods-added');
    assert.match((await migrate('-n', 'k9', '--name', 's1')).stdout, /Nothing to do/);
    // A rollback takes iamsa's statement away again: the role is back to its IRSA trust alone.
    const back = await migrate('-n', 'k9', '--name', 's1', '--rollback', '--approve');
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual(await trustOf(name), irsa);
  });
});
