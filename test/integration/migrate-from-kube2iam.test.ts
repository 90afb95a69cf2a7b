// migrate-from-kube2iam through the built binary, on clusters that look like real kube2iam and
// kiam installations: annotated workloads of every kind in several namespaces, namespace
// restrictions that allow some requests and refuse others, a role in another account, a shared
// `default` service account asking for two roles, a bare pod, RBAC bound to the old account.
// Each is migrated (plan, approve, re-run unchanged, cleanup) and rolled back to a snapshot, and no
// workload ever ends up able to take a role its namespace restriction refused. Bad flags are tested
// in-process (test/commands/migrate-from-kube2iam.test.ts).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  CreateRoleCommand,
  GetRoleCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT, type Ground, startGround } from '../support/ground.js';
import {
  daemonDecision,
  type DaemonConfig,
  KUBE2IAM_RECORD_ANNOTATION,
  sharedRoleOwnershipTags,
} from '../../src/policy/index.js';

const KINDS = {
  deployments: { api: 'apps/v1', kind: 'Deployment' },
  statefulsets: { api: 'apps/v1', kind: 'StatefulSet' },
  daemonsets: { api: 'apps/v1', kind: 'DaemonSet' },
  cronjobs: { api: 'batch/v1', kind: 'CronJob' },
} as const;
type Kind = keyof typeof KINDS;
const ROLE = 'iam.amazonaws.com/role';
const IRSA = 'eks.amazonaws.com/role-arn';
const BASE = `arn:aws:iam::${ACCOUNT}:role/`;
const NODE_ROLE = `${BASE}eks-node`;
const KIAM_SERVER = `${BASE}kiam-server`;
const OTHER_ACCOUNT_ROLE = 'arn:aws:iam::999999999999:role/app-partner';

let g: Ground;
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;
/** The workloads a JSON plan binds, as namespace/kind/name. */
const sources = (stdout: string): string[] =>
  json(stdout).bindings.map((b: any) => `${b.namespace}/${b.source}`);
const migrate = (...args: string[]) =>
  g.iamsa(['migrate-from-kube2iam', '--cluster', 'demo', ...g.kubeFlags, ...args]);

const daemonTrust = (principal: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }],
});
async function role(name: string, principal: string) {
  await g.iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify(daemonTrust(principal)),
    }),
  );
}
const roleOf = async (name: string) =>
  (await g.iam.send(new GetRoleCommand({ RoleName: name }))).Role;
const trustOf = async (name: string) =>
  JSON.parse(decodeURIComponent((await roleOf(name))?.AssumeRolePolicyDocument ?? ''));
const tagsOf = async (name: string) =>
  Object.fromEntries(((await roleOf(name))?.Tags ?? []).map((t) => [t.Key, t.Value]));

async function namespace(name: string, annotations: Record<string, string> = {}) {
  await g.kubeAdmin('POST', '/api/v1/namespaces', { metadata: { name, annotations } });
}
async function workload(
  kind: Kind,
  ns: string,
  name: string,
  sa: string,
  asks?: string,
  annotations: Record<string, string> = {},
) {
  const template = {
    metadata: { labels: { app: name }, ...(asks ? { annotations: { [ROLE]: asks } } : {}) },
    spec: {
      ...(sa === 'default' ? {} : { serviceAccountName: sa }),
      containers: [{ name: 'app', image: 'busybox:1.36' }],
      ...(kind === 'cronjobs' ? { restartPolicy: 'OnFailure' } : {}),
    },
  };
  const spec =
    kind === 'cronjobs'
      ? { schedule: '0 3 * * *', jobTemplate: { spec: { template } } }
      : { selector: { matchLabels: { app: name } }, template, serviceName: name };
  if (kind !== 'statefulsets') delete (spec as Record<string, unknown>).serviceName;
  const { api, kind: k } = KINDS[kind];
  await g.kubeAdmin('POST', `/apis/${api}/namespaces/${ns}/${kind}`, {
    apiVersion: api,
    kind: k,
    metadata: { name, annotations },
    spec,
  });
}
async function serviceAccount(ns: string, name: string) {
  await g.kubeAdmin('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name } });
}
const objectOf = (kind: Kind, ns: string, name: string) => g.kube.getObject(kind, ns, name);
const templateOf = (kind: Kind, ns: string, name: string) => {
  const o = objectOf(kind, ns, name);
  return kind === 'cronjobs' ? o?.spec.jobTemplate.spec.template : o?.spec.template;
};

/** Every workload and service account as the user sees them, and the roles' trusts and tags. */
async function snapshot(roles: string[]) {
  const kube: Record<string, unknown> = {};
  for (const kind of Object.keys(KINDS) as Kind[]) {
    for (const ns of ['shop', 'data', 'ops', 'pay', 'open']) {
      for (const o of g.kube.getObject('namespaces', undefined, ns) ? list(kind, ns) : []) {
        kube[`${kind}/${ns}/${o.metadata.name}`] = {
          annotations: o.metadata.annotations ?? {},
          template: kind === 'cronjobs' ? o.spec.jobTemplate.spec.template : o.spec.template,
        };
      }
      for (const sa of g.kube.getObject('namespaces', undefined, ns)
        ? list('serviceaccounts', ns)
        : [])
        kube[`sa/${ns}/${sa.metadata.name}`] = sa.metadata.annotations ?? {};
    }
  }
  const iam: Record<string, unknown> = {};
  for (const r of roles) iam[r] = { trust: await trustOf(r), tags: await tagsOf(r) };
  return { kube, iam };
}
/** The objects of a kind in a namespace, as the last refreshLists() read them. */
function list(kind: Kind | 'serviceaccounts', ns: string): any[] {
  return LISTED.get(`${kind}/${ns}`) ?? [];
}
const LISTED = new Map<string, any[]>();
async function refreshLists() {
  LISTED.clear();
  const { request } = await import('node:https');
  for (const kind of [...Object.keys(KINDS), 'serviceaccounts'] as (Kind | 'serviceaccounts')[]) {
    const api = kind === 'serviceaccounts' ? 'api/v1' : `apis/${KINDS[kind].api}`;
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        `${g.kube.url}/${api}/${kind}`,
        { headers: { authorization: `Bearer ${g.adminToken}` }, ca: g.pki.rootCertPem },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });
    for (const item of JSON.parse(body).items ?? []) {
      const key = `${kind}/${item.metadata.namespace}`;
      LISTED.set(key, [...(LISTED.get(key) ?? []), item]);
    }
  }
}

/**
 * The property: every service account bound to a role (IRSA annotation) is run only by workloads
 * whose namespace restriction lets the daemon hand them that role, and which asked for it.
 */
async function assertNothingWidened(config: DaemonConfig, asked: Map<string, string>) {
  await refreshLists();
  for (const [key, items] of LISTED) {
    const [kind, ns = ''] = key.split('/');
    if (kind === 'serviceaccounts') continue;
    const nsAnnotations = g.kube.getObject('namespaces', undefined, ns)?.metadata.annotations ?? {};
    for (const o of items) {
      const t = kind === 'cronjobs' ? o.spec.jobTemplate.spec.template : o.spec.template;
      const saName = t.spec.serviceAccountName ?? 'default';
      const bound = g.kube.getObject('serviceaccounts', ns, saName)?.metadata.annotations?.[IRSA];
      if (bound === undefined) continue;
      const wanted = asked.get(`${kind}/${ns}/${o.metadata.name}`);
      assert.ok(
        wanted,
        `${kind}/${ns}/${o.metadata.name} runs as ${saName} (${bound}) but asked for no role`,
      );
      const d = daemonDecision(config, wanted, nsAnnotations);
      assert.ok(
        d.allowed,
        `${kind}/${ns}/${o.metadata.name} got ${bound}, refused by its namespace`,
      );
      assert.equal(d.roleArn, bound);
    }
  }
}

before(async () => {
  g = await startGround('demo');
});
beforeEach(async () => {
  await g.reset();
  const enabled = await g.iamsa(['enable-oidc', '--cluster', 'demo', '--approve']);
  assert.equal(enabled.code, 0, enabled.stderr);
});
after(() => g.close());

describe('migrate-from-kube2iam', () => {
  test('kube2iam with glob namespace restrictions: plan, approve, re-run, cleanup, rollback to the snapshot', async () => {
    const config: DaemonConfig = {
      flavour: 'kube2iam',
      baseRoleArn: BASE,
      namespaceRestrictions: true,
      restrictionFormat: 'glob',
      strictRegexp: false,
    };
    const roles = ['app-reader', 'db-admin', 'batch-writer'];
    for (const r of roles) await role(r, NODE_ROLE);
    const allowed = (...p: string[]) => ({ 'iam.amazonaws.com/allowed-roles': JSON.stringify(p) });
    await namespace('shop', allowed('app-*'));
    await namespace('data', allowed('db-*', 'batch-writer', 'arn:aws:iam::999999999999:role/*'));
    await namespace('ops');
    await serviceAccount('shop', 'web');
    await serviceAccount('data', 'agent');
    const asked = new Map<string, string>([
      ['deployments/shop/web', 'app-reader'],
      ['deployments/shop/sneaky', 'db-admin'],
      ['statefulsets/data/db', 'db-admin'],
      ['cronjobs/data/nightly', 'batch-writer'],
      ['daemonsets/data/agent', OTHER_ACCOUNT_ROLE],
      ['deployments/ops/tool', `${BASE}app-reader`],
    ]);
    await workload('deployments', 'shop', 'web', 'web', 'app-reader');
    await workload('deployments', 'shop', 'sneaky', 'default', 'db-admin');
    await workload('statefulsets', 'data', 'db', 'default', 'db-admin');
    await workload('cronjobs', 'data', 'nightly', 'default', 'batch-writer');
    await workload('daemonsets', 'data', 'agent', 'agent', OTHER_ACCOUNT_ROLE);
    await workload('deployments', 'ops', 'tool', 'default', `${BASE}app-reader`);
    // Passes shop's `app-*` glob (matched on the ARN text), but no role has that ARN.
    await workload('deployments', 'shop', 'climber', 'default', `${BASE}app-../db-admin`);
    await g.kubeAdmin('POST', '/api/v1/namespaces/shop/pods', {
      metadata: { name: 'debug', annotations: { [ROLE]: 'app-reader' } },
      spec: { containers: [{ name: 'sh', image: 'busybox:1.36' }] },
    });
    await g.kubeAdmin('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/data/rolebindings', {
      metadata: { name: 'default-reads' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'data' }],
    });
    await refreshLists();
    const before = await snapshot(roles);
    const flags = ['--base-role-arn', BASE, '--namespace-restrictions'];

    // The plan writes nothing and says what stays refused or unmigrated.
    const plan = await migrate(...flags);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stderr, /refused: deployment shop\/sneaky asks kube2iam for db-admin/);
    assert.match(plan.stderr, /refused: deployment ops\/tool/);
    assert.match(plan.stderr, /not migrated: daemonset data\/agent .*account 999999999999/);
    assert.match(plan.stderr, /not migrated: pod shop\/debug .*recreate it/);
    assert.match(
      plan.stderr,
      /not migrated: deployment shop\/climber asks for \S+app-\.\.\/db-admin, which does not exist \(the role named db-admin is \S+:role\/db-admin\)/,
    );
    assert.match(
      plan.stdout + plan.stderr,
      /statefulset data\/db moves from service account default to db-db-admin: RBAC bound to default does not follow \(RoleBinding data\/default-reads \(ClusterRole\/view\)\)/,
    );
    await refreshLists();
    assert.deepEqual(await snapshot(roles), before);

    const r = await migrate(...flags, '--approve', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const doc = json(r.stdout);
    assert.deepEqual(doc.bindings.map((b: any) => `${b.namespace}/${b.source}->${b.name}`).sort(), [
      'data/cronjob/nightly->nightly-batch-writer',
      'data/statefulset/db->db-db-admin',
      'shop/deployment/web->web',
    ]);
    const provider = (await trustOf('app-reader')).Statement[1].Principal.Federated;
    assert.match(provider, /oidc-provider/);
    // The foreign role keeps its node trust and gains exactly the service account's statement.
    const appTrust = await trustOf('app-reader');
    assert.deepEqual(appTrust.Statement[0], daemonTrust(NODE_ROLE).Statement[0]);
    assert.equal(appTrust.Statement.length, 2);
    const host = provider.split('oidc-provider/')[1];
    assert.deepEqual(appTrust.Statement[1].Condition, {
      StringEquals: {
        [`${host}:sub`]: 'system:serviceaccount:shop:web',
        [`${host}:aud`]: 'sts.amazonaws.com',
      },
    });
    assert.equal((await tagsOf('app-reader'))['iamsa.io/kube2iam-migration'], 'kube2iam');
    assert.equal(
      g.kube.getObject('serviceaccounts', 'shop', 'web').metadata.annotations[IRSA],
      `${BASE}app-reader`,
    );
    assert.equal(templateOf('deployments', 'shop', 'web').metadata.annotations?.[ROLE], undefined);
    assert.ok(
      objectOf('deployments', 'shop', 'web').metadata.annotations[KUBE2IAM_RECORD_ANNOTATION],
    );
    // The shared default account asked for two roles: each workload got its own.
    assert.equal(templateOf('statefulsets', 'data', 'db').spec.serviceAccountName, 'db-db-admin');
    assert.equal(
      templateOf('cronjobs', 'data', 'nightly').spec.serviceAccountName,
      'nightly-batch-writer',
    );
    assert.equal(
      g.kube.getObject('serviceaccounts', 'data', 'default').metadata.annotations?.[IRSA],
      undefined,
    );
    // Refused and unmigrated requests are untouched.
    assert.equal(
      templateOf('deployments', 'shop', 'sneaky').metadata.annotations[ROLE],
      'db-admin',
    );
    assert.equal(
      templateOf('daemonsets', 'data', 'agent').metadata.annotations[ROLE],
      OTHER_ACCOUNT_ROLE,
    );
    await assertNothingWidened(config, asked);
    // db-admin admits only the service account made for the workload that asked for it.
    const subjects = (await trustOf('db-admin')).Statement.flatMap((s: any) =>
      Object.entries(s.Condition?.StringEquals ?? {})
        .filter(([k]) => k.endsWith(':sub'))
        .map(([, v]) => v),
    );
    assert.deepEqual(subjects, ['system:serviceaccount:data:db-db-admin']);
    assert.equal(
      templateOf('deployments', 'shop', 'climber').metadata.annotations[ROLE],
      `${BASE}app-../db-admin`,
    );

    // doctor and audit know the intermediate state: both trusts, expected until --cleanup.
    const audit = json(
      (await g.iamsa(['audit', '-c', 'demo', ...g.kubeFlags, '-o', 'json'])).stdout,
    );
    assert.deepEqual(
      audit.findings
        .filter((f: any) => f.id === 'KUBE2IAM201')
        .map((f: any) => f.role)
        .sort(),
      roles.map((r) => `${BASE}${r}`).sort(),
    );
    const doctor = await g.iamsa([
      'doctor',
      '-c',
      'demo',
      '-n',
      'shop',
      '--name',
      'web',
      ...g.kubeFlags,
      '-o',
      'json',
    ]);
    const mid = json(doctor.stdout).checks.find((c: any) => c.id === 'KUBE2IAM001');
    assert.equal(mid?.status, 'ok', doctor.stdout);
    assert.match(mid.message, /mid-migration from kube2iam/);
    // The command that finishes it runs as this migration did: its daemon flags, this connection.
    const cleanup = `--flavour kube2iam --namespace-restrictions --base-role-arn ${BASE} ${g.kubeFlags.join(' ')} --cleanup --approve`;
    for (const fix of [
      ...audit.findings.filter((f: any) => f.id === 'KUBE2IAM201').map((f: any) => f.fix),
      mid.message,
    ]) {
      assert.ok(fix.includes(cleanup), fix);
    }

    const again = await migrate(...flags, '--approve', '-o', 'json');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(json(again.stdout).changed, false);

    // Cleanup: app-reader is still handed to the bare pod; db-admin and batch-writer lose the node.
    const early = await migrate(...flags, '--cleanup', '--approve', '-o', 'json');
    assert.equal(early.code, 3, early.stderr);
    assert.match(early.stdout, /app-reader keeps the kube2iam trust: 1 pod/);
    assert.equal((await trustOf('db-admin')).Statement.length, 1);
    assert.equal((await trustOf('db-admin')).Statement[0].Principal.Federated, provider);
    assert.equal((await trustOf('app-reader')).Statement.length, 2);
    await g.kubeAdmin('DELETE', '/api/v1/namespaces/shop/pods/debug');
    const cleaned = await migrate(...flags, '--cleanup', '--approve');
    assert.equal(cleaned.code, 0, cleaned.stderr);
    assert.equal((await trustOf('app-reader')).Statement.length, 1);
    assert.match(cleaned.stderr, /kube2iam is still needed/);
    assert.doesNotMatch(cleaned.stdout, /Restart the pods/, 'the pods already use IRSA');
    await assertNothingWidened(config, asked);

    // Rollback restores everything as it was (the bare pod aside, which the test deleted).
    const back = await migrate(...flags, '--rollback', '--daemon-role-arn', NODE_ROLE, '--approve');
    assert.equal(back.code, 0, back.stderr);
    // The rollback changed each template, so their pods roll: named to watch, not to restart.
    assert.match(
      back.stdout,
      /Next step:\n {2}No restart needed: iamsa changed the pod template of these 2 workloads, so their pods roll by themselves; watch them with\n {2}kubectl rollout status statefulset\/db -n data\n {2}kubectl rollout status deployment\/web -n shop\n$/,
    );
    await refreshLists();
    assert.deepEqual(await snapshot(roles), before);
    const twice = await migrate(...flags, '--rollback', '--approve', '-o', 'json');
    assert.equal(json(twice.stdout).changed, false);
  });

  test('kiam: always-on permitted regexp (unanchored), kiam server trust, rollback to the snapshot', async () => {
    const config: DaemonConfig = {
      flavour: 'kiam',
      baseRoleArn: BASE,
      namespaceRestrictions: false,
      restrictionFormat: 'glob',
      strictRegexp: false,
    };
    const roles = ['pay-api', 'pay-worker', 'admin'];
    for (const r of roles) await role(r, KIAM_SERVER);
    await namespace('pay', { 'iam.amazonaws.com/permitted': 'pay-' });
    await namespace('open');
    const asked = new Map<string, string>([
      ['deployments/pay/api', 'pay-api'],
      ['deployments/pay/worker', `${BASE}pay-worker`],
      ['deployments/pay/root', 'admin'],
      ['deployments/open/api', 'pay-api'],
    ]);
    await workload('deployments', 'pay', 'api', 'default', 'pay-api');
    await workload('deployments', 'pay', 'worker', 'default', `${BASE}pay-worker`);
    await workload('deployments', 'pay', 'root', 'default', 'admin');
    await workload('deployments', 'open', 'api', 'default', 'pay-api');
    await refreshLists();
    const before = await snapshot(roles);
    const flags = ['--flavour', 'kiam', '--base-role-arn', BASE];

    // One workload's failure stops only its own chain; the exit code is its; a re-run finishes.
    g.kube.failNext('PATCH', /deployments\/worker$/, 409, 'the object has been modified');
    const partial = await migrate(...flags, '--approve', '-o', 'json');
    assert.equal(partial.code, 5, partial.stderr);
    const failed = json(partial.stdout).bindings.filter((b: any) => b.error);
    assert.deepEqual(
      failed.map((b: any) => b.source),
      ['deployment/worker'],
    );
    assert.equal(templateOf('deployments', 'pay', 'api').spec.serviceAccountName, 'api-pay-api');
    assert.equal(
      templateOf('deployments', 'pay', 'worker').metadata.annotations[ROLE],
      `${BASE}pay-worker`,
    );

    const r = await migrate(...flags, '--approve', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /refused: deployment pay\/root asks kiam for admin/);
    assert.match(r.stderr, /refused: deployment open\/api .*has no iam\.amazonaws\.com\/permitted/);
    assert.equal(json(r.stdout).bindings.length, 2);
    assert.deepEqual(
      json(r.stdout).bindings.map((b: any) => [b.source, b.changed]),
      [
        ['deployment/api', false],
        ['deployment/worker', true],
      ],
    );
    assert.equal(templateOf('deployments', 'pay', 'api').spec.serviceAccountName, 'api-pay-api');
    assert.equal(
      templateOf('deployments', 'pay', 'worker').spec.serviceAccountName,
      'worker-pay-worker',
    );
    await assertNothingWidened(config, asked);
    assert.equal(json((await migrate(...flags, '--approve', '-o', 'json')).stdout).changed, false);

    const cleaned = await migrate(
      ...flags,
      '--cleanup',
      '--daemon-role-arn',
      KIAM_SERVER,
      '--approve',
    );
    assert.equal(cleaned.code, 0, cleaned.stderr);
    assert.equal((await trustOf('pay-api')).Statement.length, 1);
    assert.deepEqual(
      await trustOf('admin'),
      daemonTrust(KIAM_SERVER),
      'a role nobody migrated is untouched',
    );

    const back = await migrate(
      ...flags,
      '--rollback',
      '--daemon-role-arn',
      KIAM_SERVER,
      '--approve',
    );
    assert.equal(back.code, 0, back.stderr);
    await refreshLists();
    assert.deepEqual(await snapshot(roles), before);
  });

  test('rollback is an inverse edit: later trust edits stay, a forged record is refused (exit 5)', async () => {
    await role('app', NODE_ROLE);
    await namespace('shop');
    await serviceAccount('shop', 'web');
    await workload('deployments', 'shop', 'web', 'web', 'app');
    const flags = ['--base-role-arn', BASE];
    assert.equal((await migrate(...flags, '--approve')).code, 0);
    assert.equal((await migrate(...flags, '--cleanup', '--approve')).code, 0);
    const migrated = await trustOf('app');
    const record = await tagsOf('app');
    assert.equal(migrated.Statement.length, 1);

    // One iam:TagRole must not turn an admin's rollback into a trust of everyone.
    const forged = Buffer.from(
      JSON.stringify([[0, { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }]]),
    ).toString('base64');
    await g.iam.send(
      new TagRoleCommand({
        RoleName: 'app',
        Tags: [{ Key: 'iamsa.io/kube2iam-trust-0', Value: forged }],
      }),
    );
    const refused = await migrate(...flags, '--rollback', '--approve', '-o', 'json');
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(refused.stdout, /iamsa\.io\/kube2iam-trust-0 tag of role app records a statement/);
    assert.deepEqual(await trustOf('app'), migrated);
    assert.equal(templateOf('deployments', 'shop', 'web').metadata.annotations?.[ROLE], undefined);
    assert.ok(g.kube.getObject('serviceaccounts', 'shop', 'web').metadata.annotations[IRSA]);

    // The true record back, and a statement someone added after the migration: it stays.
    await g.iam.send(
      new TagRoleCommand({
        RoleName: 'app',
        Tags: [{ Key: 'iamsa.io/kube2iam-trust-0', Value: record['iamsa.io/kube2iam-trust-0'] }],
      }),
    );
    const later = {
      Effect: 'Allow',
      Principal: { Service: 'ec2.amazonaws.com' },
      Action: 'sts:AssumeRole',
    };
    await g.iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: 'app',
        PolicyDocument: JSON.stringify({ ...migrated, Statement: [...migrated.Statement, later] }),
      }),
    );
    const back = await migrate(...flags, '--rollback', '--daemon-role-arn', NODE_ROLE, '--approve');
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual((await trustOf('app')).Statement, [
      daemonTrust(NODE_ROLE).Statement[0],
      later,
    ]);
    assert.deepEqual(await tagsOf('app'), {});
    assert.equal(templateOf('deployments', 'shop', 'web').metadata.annotations[ROLE], 'app');
  });

  test('a forged migration record in another namespace never widens a trust, after migrate and cleanup', async () => {
    await role('k2i-app', NODE_ROLE);
    await namespace('ns1', { 'iam.amazonaws.com/allowed-roles': '["k2i-app"]' });
    await workload('deployments', 'ns1', 'app', 'default', 'k2i-app');
    for (const restricted of [[], ['--namespace-restrictions']]) {
      const flags = ['--base-role-arn', BASE, ...restricted];
      const unchanged = async (...extra: string[]) => {
        const r = await migrate(...flags, ...extra, '--approve', '-o', 'json');
        assert.equal(r.code, 0, r.stderr);
        assert.equal(json(r.stdout).changed, false, r.stdout);
        return r;
      };
      if (restricted.length === 0) {
        // The real migration converges: re-run, cleanup, re-run change nothing more.
        assert.equal((await migrate(...flags, '--approve')).code, 0);
        await unchanged();
        assert.equal((await migrate(...flags, '--cleanup', '--approve')).code, 0);
        await unchanged();
        await unchanged('--cleanup');
        assert.equal((await trustOf('k2i-app')).Statement.length, 1);
        // The attacker can edit workloads of its own namespace, and its namespace allows any role.
        await namespace('ns2', { 'iam.amazonaws.com/allowed-roles': '["*"]' });
        await workload('deployments', 'ns2', 'evil', 'default', undefined, {
          [KUBE2IAM_RECORD_ANNOTATION]: JSON.stringify({
            role: 'k2i-app',
            serviceAccountName: null,
          }),
        });
      }
      const trust = await trustOf('k2i-app');
      const r = await unchanged();
      assert.match(
        r.stderr,
        /IRSA-W047 not migrated: deployment ns2\/evil asks kube2iam for role k2i-app.*no proof of a migration/,
      );
      assert.deepEqual(sources(r.stdout), ['ns1/deployment/app']);
      assert.deepEqual(await trustOf('k2i-app'), trust);
      assert.ok(!JSON.stringify(trust).includes('ns2'), JSON.stringify(trust));
      assert.equal(g.kube.getObject('serviceaccounts', 'ns2', 'evil-k2i-app'), undefined);
    }
  });

  test("a workload gains only a role the daemon could hand out: not iamsa's own, not one whose trust shuts the node role out", async () => {
    const made = await g.iamsa([
      'create-serviceaccount',
      '--cluster',
      'demo',
      '-n',
      'own',
      '--name',
      'app',
      '--create-namespace',
      '--attach-policy-arn',
      'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
      ...g.kubeFlags,
      '--approve',
    ]);
    assert.equal(made.code, 0, made.stderr);
    const owned = 'iamsa-demo-own-app';
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'admin-only',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
              Action: 'sts:AssumeRole',
              Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
            },
          ],
        }),
      }),
    );
    await role('app-reader', NODE_ROLE);
    // A role shared by clusters, as apply makes it, that the node role may assume too.
    const shared = 'iamsa-shared-own-api';
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: shared,
        AssumeRolePolicyDocument: JSON.stringify(daemonTrust(NODE_ROLE)),
        Tags: Object.entries(
          sharedRoleOwnershipTags('own', 'api', [
            { name: 'demo', arn: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/demo` },
          ]),
        ).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    await namespace('evil', { 'iam.amazonaws.com/allowed-roles': '["*"]' });
    await workload('deployments', 'evil', 'grab', 'default', owned);
    await workload('deployments', 'evil', 'admin', 'default', 'admin-only');
    await workload('deployments', 'evil', 'shared', 'default', shared);
    await workload('deployments', 'evil', 'reader', 'default', 'app-reader');
    // A forged migration record: app-reader is the daemon's, but namespace closed may not ask for it.
    await namespace('closed', { 'iam.amazonaws.com/allowed-roles': '["nothing"]' });
    await workload('deployments', 'closed', 'forged', 'default', undefined, {
      [KUBE2IAM_RECORD_ANNOTATION]: JSON.stringify({
        role: 'app-reader',
        serviceAccountName: null,
      }),
    });
    await refreshLists();
    const roles = [owned, 'admin-only', shared];
    const untouched = async () => {
      await refreshLists();
      assert.ok(!JSON.stringify(await trustOf('app-reader')).includes('closed'));
      assert.deepEqual(
        list('serviceaccounts', 'closed')
          .map((a) => a.metadata.annotations?.[IRSA])
          .filter(Boolean),
        [],
      );
      for (const r of roles)
        assert.ok(!JSON.stringify(await trustOf(r)).includes('system:serviceaccount:evil'), r);
      assert.equal(g.kube.getObject('serviceaccounts', 'evil', `grab-${owned}`), undefined);
      assert.equal(g.kube.getObject('serviceaccounts', 'evil', 'admin-admin-only'), undefined);
      assert.equal(g.kube.getObject('serviceaccounts', 'evil', `shared-${shared}`), undefined);
      assert.equal(templateOf('deployments', 'evil', 'grab').metadata.annotations[ROLE], owned);
    };
    const flags = ['--base-role-arn', BASE, '--namespace-restrictions'];
    for (const daemon of [[], ['--daemon-role-arn', NODE_ROLE]]) {
      const r = await migrate(...flags, ...daemon, '--approve', '-o', 'json');
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`IRSA-W047 not migrated: deployment evil/grab asks kube2iam for role ${owned}`),
      );
      assert.match(
        r.stderr,
        /IRSA-W047 not migrated: deployment evil\/admin asks kube2iam for role admin-only.*(lets no role|does not let)/,
      );
      assert.match(
        r.stderr,
        /IRSA-W047 not migrated: deployment evil\/shared asks kube2iam for role iamsa-shared-own-api.*iamsa made it for service account own\/api/,
      );
      assert.match(
        r.stderr,
        /IRSA-W047 not migrated: deployment closed\/forged asks kube2iam for role app-reader.*no proof of a migration/,
      );
      assert.deepEqual(sources(r.stdout), ['evil/deployment/reader']);
      await untouched();
    }
    // An iamsa role the node role can assume is still not a kube2iam role: iamsa made it for own/app.
    const trust = await trustOf(owned);
    await g.iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: owned,
        PolicyDocument: JSON.stringify({
          ...trust,
          Statement: [...trust.Statement, daemonTrust(NODE_ROLE).Statement[0]],
        }),
      }),
    );
    const again = await migrate(...flags, '--daemon-role-arn', NODE_ROLE, '--approve');
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stderr,
      /deployment evil\/grab .*iamsa made it for service account own\/app/,
    );
    await untouched();
  });
});
