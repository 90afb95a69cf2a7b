// apply -f: a bindings file is the whole state of the roles iamsa owns for it. Policies it no longer
// lists and policies attached by hand are detached; the trust is derived whole from the binding and
// the role's tags (shared and migrating roles too). Flags (create-serviceaccount) only add.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planApply } from '../../src/actions/fleet/apply.js';
import { type BindingSpec, FLAGS_SOURCE } from '../../src/actions/binding/spec.js';
import { openClusterSession } from '../../src/actions/binding/cluster-session.js';
import { composePlan } from '../../src/actions/engine/plan.js';
import { planBinding } from '../../src/actions/binding/plan-binding.js';
import { checkBinding } from '../../src/actions/binding/check.js';
import type { FileProblemsError } from '../../src/cli/bindings-file/index.js';
import { parseBindingsFile } from '../../src/cli/bindings-file/index.js';
import { ExitCode, type IamsaError } from '../../src/errors.js';
import {
  buildPodIdentityTrustStatement,
  parseTrustPolicy,
  policiesFingerprint,
  TAG_MECHANISM,
  type PlacedStatement,
  recordStatements,
  TAG_MIGRATION,
  TAG_POLICIES,
} from '../../src/policy/index.js';
import {
  ACCOUNT,
  clusterInfo,
  enableCluster,
  FakeKube,
  fakeRegion,
  quietReporter,
} from '../support/fakes.js';

const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const HAND = `arn:aws:iam::${ACCOUNT}:policy/hand-attached`;
const ROLE = 'iamsa-prod-default-app';
const SHARED = 'iamsa-shared-default-app';

/** The fake's methods on a plain object, as the real gateway is (apply spreads it). */
function plain<T extends object>(o: T): T {
  const proto = Object.getPrototypeOf(o) as object;
  const methods = Object.getOwnPropertyNames(proto).filter((k) => k !== 'constructor');
  return Object.fromEntries(
    methods.map((k) => [k, (o[k as keyof T] as (...a: unknown[]) => unknown).bind(o)]),
  ) as T;
}

async function ground(...clusters: string[]) {
  const g = fakeRegion(...clusters);
  // One Kubernetes per cluster (the fake region shares one).
  const kubes = new Map(clusters.map((c, i) => [c, i === 0 ? g.kube : new FakeKube()]));
  const access = {
    ...g.access,
    iam: plain(g.iam),
    openKube: async (_kube: unknown, name: string, cluster: Promise<unknown>) => {
      await cluster;
      return { gateway: kubes.get(name)!, warnings: [] };
    },
  };
  for (const c of clusters) await enableCluster(g.iam, clusterInfo(c));
  g.iam.policies.add(HAND);
  /** Plans (and with apply: applies) a file as `iamsa apply -f` does. */
  const apply = async (yaml: string, opts: { prune?: boolean; apply?: boolean } = {}) => {
    const file = parseBindingsFile(yaml, 'bindings.yaml');
    const planned = await planApply(
      { file: 'bindings.yaml', ...file, prune: !!opts.prune, maxTrustPolicySize: 2048 },
      { mode: 'eks' },
      { reporter: quietReporter, access: async () => access },
    );
    if (opts.apply === false) return { plan: planned.result, result: undefined };
    const result = await planned.apply();
    assert.equal(result.exitCode, undefined, JSON.stringify(result.bindings, null, 1));
    return { plan: planned.result, result };
  };
  const trust = async (name: string) =>
    parseTrustPolicy((await g.iam.getRole(name))!.trustPolicy).Statement;
  return { ...g, apply, trust };
}

/** A binding as create-serviceaccount's flags give it, checked. */
const byFlags = (extra: Partial<BindingSpec>) =>
  checkBinding({
    cluster: 'prod',
    namespace: 'default',
    name: 'app',
    policyArns: [],
    tags: {},
    roleOnly: false,
    overrideExisting: false,
    createNamespace: false,
    source: FLAGS_SOURCE,
    ...extra,
  });

const file = (body: string) => `apiVersion: iamsa.io/v1alpha1
kind: ServiceAccountBindings
cluster: prod
bindings:
${body}`;

const lines = (plan: { steps: Array<{ action: string; resource: string; id: string }> }) =>
  plan.steps
    .filter((s) => s.action !== 'unchanged')
    .map((s) => `${s.action} ${s.resource} ${s.id}`);

describe('apply -f: the file is the whole state of its roles', () => {
  it('detaches what the file no longer lists and what was attached by hand; the fingerprint records only the file', async () => {
    const g = await ground('prod');
    await g.apply(
      file(`  - namespace: default
    name: app
    attachPolicyARNs: [${READONLY}, ${S3_READ}]
    attachPolicy:
      Version: '2012-10-17'
      Statement: [{Effect: Allow, Action: 's3:GetObject', Resource: '*'}]
`),
    );
    await g.iam.attachPolicy(ROLE, HAND);
    const narrowed = file(`  - namespace: default
    name: app
    attachPolicyARNs: [${READONLY}]
`);
    const { plan } = await g.apply(narrowed);
    const changed = lines(plan);
    assert.ok(changed.includes(`delete policy-attachment ${S3_READ}`), changed.join('\n'));
    assert.ok(changed.includes(`delete policy-attachment ${HAND}`), changed.join('\n'));
    assert.ok(
      changed.some((l) => l.startsWith('delete inline-policy')),
      changed.join('\n'),
    );
    assert.deepEqual(await g.iam.listAttachedPolicyArns(ROLE), [READONLY]);
    assert.equal(await g.iam.getInlinePolicy(ROLE, 'iamsa-inline'), undefined);
    assert.equal(
      (await g.iam.getRole(ROLE))!.tags[TAG_POLICIES],
      policiesFingerprint({ managedArns: [READONLY] }),
    );
    // Converged: a re-run changes nothing.
    const again = await g.apply(narrowed, { apply: false });
    assert.deepEqual(lines(again.plan), []);
  });

  it('removes a permissions boundary the file no longer declares; a re-run changes nothing', async () => {
    const g = await ground('prod');
    const boundary = `arn:aws:iam::${ACCOUNT}:policy/boundary`;
    g.iam.policies.add(boundary);
    const binding = `  - namespace: default
    name: app
    attachPolicyARNs: [${READONLY}]
`;
    await g.apply(file(`${binding}    permissionsBoundary: ${boundary}\n`));
    assert.equal((await g.iam.getRole(ROLE))!.permissionsBoundaryArn, boundary);
    const { plan } = await g.apply(file(binding));
    const role = plan.steps.find((s) => s.resource === 'iam-role');
    assert.ok(
      role?.changes.some(
        (c) => c === `permissions boundary: ${boundary} -> (none) (not in the file)`,
      ),
      JSON.stringify(role),
    );
    assert.equal((await g.iam.getRole(ROLE))!.permissionsBoundaryArn, undefined);
    assert.deepEqual(lines((await g.apply(file(binding), { apply: false })).plan), []);
  });

  it('deletes the well-known policy of a key the file no longer lists', async () => {
    const g = await ground('prod');
    await g.apply(
      file(`  - namespace: default
    name: app
    attachPolicyARNs: [${READONLY}]
    wellKnownPolicies: {autoScaler: true}
`),
    );
    const own = (await g.iam.listAttachedPolicyArns(ROLE)).filter((a) => a !== READONLY);
    assert.equal(own.length, 1);
    const { plan } = await g.apply(
      file(`  - namespace: default
    name: app
    attachPolicyARNs: [${READONLY}]
`),
    );
    assert.ok(lines(plan).includes(`delete managed-policy ${own[0]}`), lines(plan).join('\n'));
    assert.deepEqual(await g.iam.listAttachedPolicyArns(ROLE), [READONLY]);
    assert.equal(g.iam.managed.has(own[0]!), false);
  });

  it('create-serviceaccount (flags) only adds: a policy it was not given stays, with a warning', async () => {
    const g = await ground('prod');
    await g.apply(
      file(`  - namespace: default
    name: app
    attachPolicyARNs: [${READONLY}]
`),
    );
    await g.iam.attachPolicy(ROLE, HAND);
    const session = openClusterSession(g.access, {
      cluster: 'prod',
      kube: { mode: 'eks' },
      reporter: quietReporter,
    });
    const binding = await planBinding(session, byFlags({ policyArns: [S3_READ] }));
    assert.ok(!binding.steps.some((s) => s.action === 'delete'));
    assert.match(binding.warnings.join('\n'), /leaves alone: .*hand-attached/);
    const header = { command: 'test', cluster: 'prod', region: 'us-east-1', warnings: [] };
    await composePlan(header, [binding], quietReporter).apply();
    assert.deepEqual(
      (await g.iam.listAttachedPolicyArns(ROLE)).sort(),
      [HAND, READONLY, S3_READ].sort(),
    );
  });
});

describe('apply -f: the whole trust of a role iamsa owns', () => {
  const drift = [
    { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' },
    {
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.example.com/id/X` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringLike: { 'oidc.example.com/id/X:sub': '*' } },
    },
  ];
  const addDrift = async (g: Awaited<ReturnType<typeof ground>>, name: string) => {
    const doc = parseTrustPolicy((await g.iam.getRole(name))!.trustPolicy);
    await g.iam.updateTrustPolicy(
      name,
      JSON.stringify({ ...doc, Statement: [...doc.Statement, ...drift] }),
    );
  };
  const single = file(`  - namespace: default
    name: app
    attachPolicyARNs: [${READONLY}]
`);
  const pods = buildPodIdentityTrustStatement({
    accountId: ACCOUNT,
    clusterArns: [clusterInfo('prod').arn],
  });
  const shared = (clusters: string) =>
    file(`  - clusters: [${clusters}]
    namespace: default
    name: app
    attachPolicyARNs: [${READONLY}]
`);

  it('a shared role loses statements no cluster of its tags accounts for', async () => {
    const g = await ground('prod', 'dr');
    await g.apply(shared('prod, dr'));
    const made = await g.trust(SHARED);
    assert.equal(made.length, 2);
    await addDrift(g, SHARED);
    await g.apply(shared('prod, dr'));
    assert.deepEqual(await g.trust(SHARED), made);
  });

  it('a shared role keeps (until --prune) only the exact statement of a cluster no longer listed', async () => {
    const g = await ground('prod', 'dr', 'eu');
    await g.apply(shared('prod, dr, eu'));
    const made = await g.trust(SHARED);
    await addDrift(g, SHARED);
    await g.apply(shared('prod, dr'));
    const after = await g.trust(SHARED);
    assert.equal(after.length, 3, JSON.stringify(after));
    assert.ok(after.every((s) => made.some((m) => JSON.stringify(m) === JSON.stringify(s))));
    await g.apply(shared('prod, dr'), { prune: true });
    assert.equal((await g.trust(SHARED)).length, 2);
  });

  /** What migrate-to-pod-identity records on a role: the tag and the IRSA trust it had. */
  const migrationTags = (placed: PlacedStatement[] = []) => ({
    [TAG_MIGRATION]: 'pods-added',
    ...recordStatements(placed),
  });

  it('a role being migrated to Pod Identity has exactly its IRSA and Pod Identity statements', async () => {
    const g = await ground('prod');
    await g.apply(single);
    const [irsa] = await g.trust(ROLE);
    const host = Object.keys(
      (irsa!.Condition as { StringEquals: object }).StringEquals,
    )[0]!.replace(/:sub$/, '');
    const widened = {
      ...irsa!,
      Condition: { StringLike: { [`${host}:sub`]: 'system:serviceaccount:*' } },
    };
    await g.iam.tagRole(ROLE, migrationTags([[0, irsa!]]));
    await g.iam.updateTrustPolicy(
      ROLE,
      JSON.stringify({ Version: '2012-10-17', Statement: [irsa, widened, pods, drift[0]] }),
    );
    await g.apply(single);
    const after = await g.trust(ROLE);
    assert.equal(after.length, 2, JSON.stringify(after));
    assert.deepEqual(after[0], irsa);
    assert.equal(JSON.stringify(after[1]), JSON.stringify(pods));
  });

  it('re-applying an IRSA binding after migrate-to-pod-identity --remove-irsa warns that it undoes the migration', async () => {
    const g = await ground('prod');
    await g.apply(single);
    // What --remove-irsa leaves: Pod Identity's statement only, the role marked as Pod Identity.
    await g.iam.tagRole(ROLE, { ...migrationTags(), [TAG_MECHANISM]: 'pod-identity' });
    await g.iam.updateTrustPolicy(
      ROLE,
      JSON.stringify({ Version: '2012-10-17', Statement: [pods] }),
    );
    const { plan } = await g.apply(single, { apply: false });
    const warnings = plan.bindings.flatMap((b) => b.warnings);
    assert.ok(
      warnings.some((w) => /^IRSA-W001 default\/app: .*undoes the migration/.test(w)),
      warnings.join('\n'),
    );
  });

  it('from an eksctl ClusterConfig, IRSA-W001 says to move the entry to iam.podIdentityAssociations', async () => {
    const g = await ground('prod');
    await g.apply(single);
    await g.iam.tagRole(ROLE, { ...migrationTags(), [TAG_MECHANISM]: 'pod-identity' });
    await g.iam.updateTrustPolicy(
      ROLE,
      JSON.stringify({ Version: '2012-10-17', Statement: [pods] }),
    );
    const eksctl = `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: { name: prod, region: eu-west-1 }
iam:
  serviceAccounts:
    - metadata: { namespace: default, name: app }
      attachPolicyARNs: [${READONLY}]
`;
    const { plan } = await g.apply(eksctl, { apply: false });
    const w001 = plan.bindings.flatMap((b) => b.warnings).find((w) => w.startsWith('IRSA-W001'));
    assert.match(
      w001 ?? '',
      /move its entry from iam\.serviceAccounts to iam\.podIdentityAssociations/,
    );
    assert.doesNotMatch(w001 ?? '', /mechanism/);
  });
});

describe('apply -f: one binding per service account, one role per binding (exit 2)', () => {
  const both = (role: boolean) => `${file(`  - namespace: default
    name: app${role ? '\n    roleName: app-role' : ''}
    attachPolicyARNs: [${READONLY}]
`)}---
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: { name: prod, region: us-east-1 }
iam:
  serviceAccounts:
    - metadata: { name: app, namespace: default }${role ? '\n      roleName: app-role' : ''}
      attachPolicyARNs: [${S3_READ}]
`;

  it('the same service account in an iamsa and an eksctl document, one naming the region, is a duplicate', () => {
    assert.throws(
      () => parseBindingsFile(both(false), 'bindings.yaml'),
      (e: FileProblemsError) =>
        e.exitCode === ExitCode.usage &&
        /duplicate binding default\/app for cluster prod; .*region us-east-1, here with \(default\)|region \(default\), here with us-east-1/.test(
          e.detail ?? '',
        ),
    );
  });

  it('... and with its own roleName, compared in the region the default resolves to', async () => {
    const g = await ground('prod');
    await assert.rejects(
      g.apply(both(true)),
      (e: IamsaError) =>
        e.exitCode === ExitCode.usage &&
        /duplicate binding default\/app for cluster prod \(us-east-1\)/.test(e.message),
    );
    assert.equal(g.iam.roles.size, 0);
  });

  it('two bindings whose default role names collide are a file problem', () => {
    const yaml = file(`  - namespace: b-c
    name: d
    attachPolicyARNs: [${READONLY}]
  - namespace: b
    name: c-d
    attachPolicyARNs: [${READONLY}]
`);
    assert.throws(
      () => parseBindingsFile(yaml, 'bindings.yaml'),
      (e: FileProblemsError) =>
        e.exitCode === ExitCode.usage &&
        /bindings\.yaml:\d+: .*default role name iamsa-prod-b-c-d of b\/c-d .*also the role of b-c\/d/.test(
          e.detail ?? '',
        ),
    );
  });
});

describe('apply -f: a binding moved between one cluster and several', () => {
  const one = file(`  - namespace: default
    name: app
    attachPolicyARNs: [${READONLY}]
`);
  const two = file(`  - namespace: default
    name: app
    clusters: [prod, dr]
    attachPolicyARNs: [${READONLY}]
`);
  const annotation = (g: Awaited<ReturnType<typeof ground>>) =>
    g.kube.serviceAccounts.get('default/app')?.annotations['eks.amazonaws.com/role-arn'];

  it('names the old role in the plan, and deletes it with --prune (both ways)', async () => {
    const g = await ground('prod', 'dr');
    await g.apply(one);
    const { plan } = await g.apply(two);
    assert.ok(
      (plan.warnings as string[]).includes(
        `IRSA-W003 role ${ROLE} is left from before default/app moved from cluster prod alone to clusters prod, dr: it still trusts default/app of prod and holds its policies; re-run apply with --prune to delete it`,
      ),
      plan.warnings.join('\n'),
    );
    assert.ok(await g.iam.getRole(ROLE));
    const pruned = await g.apply(two, { prune: true });
    assert.ok(
      pruned.plan.steps.some((s) => s.action === 'delete' && s.resource === 'iam-role'),
      JSON.stringify(pruned.plan.steps),
    );
    assert.equal(await g.iam.getRole(ROLE), undefined);
    assert.match(annotation(g) ?? '', new RegExp(`role/${SHARED}$`));

    // Back to one cluster: the shared role lets go of prod (dr, which this file does not name,
    // is not pruned: it keeps its statement).
    const back = await g.apply(one, { prune: true });
    assert.ok(
      (back.plan.warnings as string[]).includes(
        `IRSA-W003 role ${SHARED} is left from before default/app moved from several clusters to cluster prod alone: it still trusts default/app of prod (and of the other clusters in its iamsa.io/clusters tag) and holds its policies; --prune will take cluster prod out of it (the role is deleted when no cluster is left)`,
      ),
      back.plan.warnings.join('\n'),
    );
    const left = await g.iam.getRole(SHARED);
    assert.equal(left?.tags['iamsa.io/clusters'], 'dr');
    assert.equal((await g.trust(SHARED)).length, 1);
    assert.match(annotation(g) ?? '', new RegExp(`role/${ROLE}$`));
    const again = await g.apply(one, { prune: true, apply: false });
    assert.deepEqual(lines(again.plan), []);
  });
});

describe('apply -f --prune: a binding moved to one cluster while the other is pruned', () => {
  it("plans the old shared role's removal once, and deletes it with its last cluster", async () => {
    const g = await ground('prod', 'dr');
    const both = `apiVersion: iamsa.io/v1alpha1
kind: ServiceAccountBindings
bindings:
  - namespace: default
    name: app
    clusters: [prod, dr]
    attachPolicyARNs: [${READONLY}]
  - namespace: default
    name: other
    clusters: [dr]
    attachPolicyARNs: [${READONLY}]
`;
    await g.apply(both);
    assert.ok(await g.iam.getRole(SHARED));
    // app now on prod alone; dr (still in the file for "other") no longer has app: pruned.
    const moved = both.replace('clusters: [prod, dr]', 'clusters: [prod]');
    const { plan } = await g.apply(moved, { prune: true });
    const sharedRows = plan.steps.filter(
      (s) =>
        s.resource === 'iam-role' && s.id.endsWith(`role/${SHARED}`) && s.action !== 'unchanged',
    );
    assert.equal(sharedRows.length, 1, JSON.stringify(sharedRows, null, 1));
    assert.equal(sharedRows[0]?.action, 'delete');
    assert.equal(await g.iam.getRole(SHARED), undefined);
    assert.ok(await g.iam.getRole(ROLE));
    const again = await g.apply(moved, { prune: true, apply: false });
    assert.deepEqual(lines(again.plan), []);
  });
});

describe("apply -f: the audience is the binding's", () => {
  const aud = (st: unknown) =>
    Object.entries(
      (st as { Condition: { StringEquals: Record<string, string> } }).Condition.StringEquals,
    ).find(([k]) => k.endsWith(':aud'))?.[1];
  const app = `  - namespace: default
    name: app
    attachPolicyARNs: [${READONLY}]
`;

  it('a declared eks.amazonaws.com/audience is the trust aud exactly, and a re-run keeps it', async () => {
    const g = await ground('prod');
    const declared = file(`${app}    annotations: {eks.amazonaws.com/audience: vault}\n`);
    const { plan } = await g.apply(declared);
    assert.deepEqual((await g.trust(ROLE)).map(aud), ['vault']);
    assert.ok(
      plan.warnings.some((w) =>
        w.startsWith(
          'IRSA-W045 the OIDC provider of cluster prod does not list the audience vault',
        ),
      ),
      plan.warnings.join('\n'),
    );
    assert.deepEqual(lines((await g.apply(declared, { apply: false })).plan), []);
  });

  it('the hint that adds an audience quotes it for the shell (an audience of *)', async () => {
    const g = await ground('prod');
    const { plan } = await g.apply(
      file(`${app}    annotations: {eks.amazonaws.com/audience: '*'}\n`),
    );
    const hint = plan.warnings.find((w) => w.startsWith('IRSA-W045'));
    assert.ok(hint?.endsWith(" --client-id '*'"), plan.warnings.join('\n'));
  });

  it("a service account's own audience annotation is kept on re-apply (not rewritten to STS's)", async () => {
    const g = await ground('prod');
    await g.apply(file(app));
    g.kube.serviceAccounts.get('default/app')!.annotations['eks.amazonaws.com/audience'] = 'vault';
    await g.apply(file(app));
    assert.deepEqual((await g.trust(ROLE)).map(aud), ['vault']);
    assert.deepEqual(lines((await g.apply(file(app), { apply: false })).plan), []);
  });

  it('where the binding declares the default, another aud on the role is drift and is replaced', async () => {
    const g = await ground('prod');
    await g.apply(file(app));
    const role = (await g.iam.getRole(ROLE))!;
    await g.iam.updateTrustPolicy(
      ROLE,
      decodeURIComponent(role.trustPolicy).replace('sts.amazonaws.com', 'vault'),
    );
    const { plan } = await g.apply(file(app));
    assert.ok(
      lines(plan).some((l) => l.startsWith('update iam-role')),
      lines(plan).join('\n'),
    );
    assert.deepEqual((await g.trust(ROLE)).map(aud), ['sts.amazonaws.com']);
  });
});

describe('apply -f: inline policies made by hand under other names', () => {
  const BACKDOOR = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  });
  const single = file(`  - namespace: default
    name: app
    attachPolicyARNs: [${READONLY}]
`);

  it('plans their deletion and deletes them; a re-run changes nothing', async () => {
    const g = await ground('prod');
    await g.apply(single);
    await g.iam.putInlinePolicy(ROLE, 'backdoor', BACKDOOR);
    const { plan } = await g.apply(single);
    assert.ok(
      lines(plan).some((l) => l.startsWith('delete inline-policy') && l.endsWith('/backdoor')),
      lines(plan).join('\n'),
    );
    assert.deepEqual(await g.iam.listInlinePolicyNames(ROLE), []);
    const again = await g.apply(single, { apply: false });
    assert.deepEqual(lines(again.plan), []);
  });

  it('create-serviceaccount (flags) leaves them, with IRSA-W002', async () => {
    const g = await ground('prod');
    await g.apply(single);
    await g.iam.putInlinePolicy(ROLE, 'backdoor', BACKDOOR);
    const session = openClusterSession(g.access, {
      cluster: 'prod',
      kube: { mode: 'eks' },
      reporter: quietReporter,
    });
    const binding = await planBinding(session, byFlags({ policyArns: [READONLY] }));
    assert.ok(!binding.steps.some((s) => s.action === 'delete'));
    assert.match(binding.warnings.join('\n'), /IRSA-W002.*inline policy backdoor/);
  });
});

describe("--attach-role-arn of iamsa's role for another binding", () => {
  it("never tells the user to add this service account to that role's trust", async () => {
    const g = await ground('prod');
    await g.apply(
      file(`  - namespace: default
    name: app
    attachPolicyARNs: [${READONLY}]
`),
    );
    const session = openClusterSession(g.access, {
      cluster: 'prod',
      kube: { mode: 'eks' },
      reporter: quietReporter,
    });
    const binding = await planBinding(
      session,
      byFlags({
        namespace: 'evil',
        name: 'thief',
        attachRoleArn: (await g.iam.getRole(ROLE))!.arn,
        createNamespace: true,
      }),
    );
    assert.ok(binding.error, 'refused');
    assert.match(binding.error.message, /iamsa's role for default\/app/);
    assert.doesNotMatch(binding.error.hint ?? '', /add the statement/);
    assert.match(binding.error.hint ?? '', /stays as it is/);
    assert.equal(binding.error.detail, undefined);
  });
});
