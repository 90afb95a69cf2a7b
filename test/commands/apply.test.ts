// `iamsa apply -f` in-process (test/support/harness.ts): batches of 100, failures that do not stop
// the others, --prune and roles shared by clusters of several regions, over the stateful fakes
// (one EKS per region, one Kubernetes API per cluster). The eksctl formats, Pod Identity and one
// run per feature against moto and the emulator stay in test/integration/apply.test.ts.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ACCOUNT } from '../support/fakes.js';
import { createHarness, type Harness } from '../support/harness.js';
import { removeTempDir, tempDir } from '../support/temp.js';

const RO = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const S3 = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const ANNOTATION = 'eks.amazonaws.com/role-arn';
const HEAD = 'apiVersion: iamsa.io/v1alpha1\nkind: ServiceAccountBindings\n';

let h: Harness;
const dir = tempDir('apply-in-process');
let fileNo = 0;
/** Writes a bindings file and returns its path. */
const file = (text: string) => {
  const path = join(dir, `bindings-${++fileNo}.yaml`);
  writeFileSync(path, text);
  return path;
};
const apply = (path: string, ...args: string[]) => h.run(['apply', '-f', path, ...args]);
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;
const sa = (ns: string, name: string, cluster = 'demo') =>
  h.kube(cluster).getServiceAccount(ns, name);
const roleOf = (name: string) => h.iam.getRole(name);
const trustOf = async (name: string) =>
  JSON.parse(decodeURIComponent((await roleOf(name))?.trustPolicy ?? '{}'));
const enableOidc = async (cluster: string, region?: string) => {
  const r = await h.run([
    'enable-oidc',
    '--cluster',
    cluster,
    ...(region ? ['--region', region] : []),
    '--approve',
  ]);
  assert.equal(r.code, 0, r.stderr);
};
/** A cluster of another region, enabled for IRSA. */
const clusterIn = async (name: string, region: string) => {
  h.eks(region).addCluster(name);
  h.kube(name);
  await enableOidc(name, region);
};

after(() => removeTempDir(dir));

describe('a file of 100 bindings', () => {
  const many = (inline: string, others = 99) =>
    `${HEAD}cluster: demo\ntags: {team: platform}\nbindings:\n` +
    Array.from(
      { length: others },
      (_, i) =>
        `  - namespace: team-${i % 5}\n    name: app-${i}\n    createNamespace: true\n    attachPolicyARNs: [${i % 2 ? RO : S3}]\n`,
    ).join('') +
    `  - namespace: team-0\n    name: inline\n    createNamespace: true\n    attachPolicy: ${inline}\n`;
  const policy = (action: string) =>
    `{Version: "2012-10-17", Statement: [{Effect: Allow, Action: "${action}", Resource: "*"}]}`;

  test('apply, converge, and repair a deleted service account and a changed policy', async () => {
    h = createHarness({ clusters: ['demo'] });
    await enableOidc('demo');
    const path = file(many(policy('s3:GetObject')));
    const applied = await apply(path, '--approve');
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /100 bindings: 100 created, 0 unchanged\nDone\./);
    for (const i of [0, 42, 98]) {
      assert.equal(
        (await sa(`team-${i % 5}`, `app-${i}`))?.annotations[ANNOTATION],
        `arn:aws:iam::${ACCOUNT}:role/iamsa-demo-team-${i % 5}-app-${i}`,
      );
    }
    // Converged: one account scan and one LIST per namespace, not three IAM reads and a GET per
    // binding; and nothing written (no TagRole, no re-put inline policy, no service account).
    const iamCalls = h.iam.calls.length;
    const kubeCalls = h.kube('demo').calls.length;
    const converged = await apply(path, '--approve');
    assert.equal(converged.code, 0, converged.stderr);
    assert.match(converged.stdout, /100 bindings: 100 unchanged\nNothing to do/);
    const iam = h.iam.calls.slice(iamCalls);
    const count = (calls: string[], name: string) => calls.filter((c) => c === name).length;
    assert.equal(count(iam, 'listRoleDetails'), 1, iam.join(' '));
    assert.equal(count(iam, 'getRole'), 0, iam.join(' '));
    assert.deepEqual(
      iam.filter((c) => !/^(get|list|policyExists)/.test(c)),
      [],
      'a converged file writes nothing to IAM',
    );
    const kube = h.kube('demo').calls.slice(kubeCalls);
    assert.equal(count(kube, 'getServiceAccount'), 0, 'no GET of a single service account');
    assert.ok(count(kube, 'listServiceAccounts') <= 5, kube.join(' '));
    assert.deepEqual(
      kube.filter((c) => c !== 'listServiceAccounts'),
      [],
      'a converged file writes nothing to Kubernetes',
    );

    // Without iam:GetAccountAuthorizationDetails: a warning, and the reads go role by role
    // (20 bindings, the smallest batch that scans).
    h.iam.denied.add('listRoleDetails');
    const before = h.iam.calls.length;
    const denied = await apply(file(many(policy('s3:GetObject'), 19)));
    h.iam.denied.delete('listRoleDetails');
    assert.equal(denied.code, 0, denied.stderr);
    assert.match(denied.stdout, /20 bindings: 20 unchanged\nNothing to do/);
    assert.match(denied.stderr, /could not read the account's roles at once .*one role at a time/);
    assert.equal(count(h.iam.calls.slice(before), 'getRole'), 20);

    // Drift: a service account deleted, an inline policy edited by hand.
    await h.kube('demo').deleteServiceAccount('team-2', 'app-7');
    await h.iam.putInlinePolicy(
      'iamsa-demo-team-0-inline',
      'iamsa-inline',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      }),
    );
    const drift = await apply(path);
    assert.match(drift.stdout, /100 bindings: 1 to create, 1 to update, 98 unchanged/);
    assert.match(drift.stdout, /\+ create\s+service-account\s+team-2\/app-7/);
    assert.match(drift.stdout, /~ update\s+inline-policy/);
    const repaired = await apply(path, '--approve');
    assert.equal(repaired.code, 0, repaired.stderr);
    assert.ok(await sa('team-2', 'app-7'));
    const inline = await h.iam.getInlinePolicy('iamsa-demo-team-0-inline', 'iamsa-inline');
    assert.match(decodeURIComponent(inline ?? ''), /s3:GetObject/);

    // A changed file: the inline policy is rewritten, the rest stays.
    const changed = await apply(file(many(policy('s3:ListBucket'))), '--approve');
    assert.match(changed.stdout, /100 bindings: 1 updated, 99 unchanged/);
    assert.match((await apply(path)).stdout, /1 to update, 99 unchanged/);
  });
});

describe('next step', () => {
  test('an --approve that changed service accounts says to restart their pods; a converged re-run does not', async () => {
    h = createHarness({ clusters: ['demo'] });
    await enableOidc('demo');
    const path = file(
      `${HEAD}cluster: demo\nbindings:\n  - name: web\n    attachPolicyARNs: [${RO}]\n`,
    );
    const first = await apply(path, '--approve');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Next step:\n {2}Restart the pods of that service account/);
    assert.match(
      first.stdout,
      /kubectl rollout restart deployment -n default <deployment using service account web>/,
    );
    const again = await apply(path, '--approve');
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /Restart the pods/);
  });

  test('the restart step names only service accounts that remain: never a role-only binding, never a pruned one', async () => {
    h = createHarness({ clusters: ['demo'] });
    await enableOidc('demo');
    const all = file(
      `${HEAD}cluster: demo\nbindings:\n  - {name: app1, attachPolicyARNs: [${RO}]}\n  - {namespace: jobs, name: batch, roleOnly: true, attachPolicyARNs: [${RO}]}\n  - {name: app2, attachPolicyARNs: [${RO}]}\n`,
    );
    const first = await apply(all, '--approve');
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      /Next step:\n {2}Restart the pods of these 2 service accounts so they pick up the change, e\.g\.\n {2}kubectl rollout restart deployment -n default <deployment using service account app1>\n {2}kubectl rollout restart deployment -n default <deployment using service account app2>\n$/,
    );
    const fewer = file(
      `${HEAD}cluster: demo\nbindings:\n  - {name: app2, attachPolicyARNs: [${RO}]}\n`,
    );
    const pruned = await apply(fewer, '--prune', '--approve');
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /3 bindings: 2 deleted, 1 unchanged\nDone\.\n$/);
    assert.doesNotMatch(pruned.stdout, /Next step|Restart the pods/);
  });
});

describe('a new namespace two bindings share', () => {
  test('is shown once in the plan, created once, and a re-run converges', async () => {
    h = createHarness({ clusters: ['demo'] });
    await enableOidc('demo');
    const binding = (name: string) =>
      `  - {namespace: backend, name: ${name}, createNamespace: true, attachPolicyARNs: [${RO}]}\n`;
    const path = file(`${HEAD}cluster: demo\nbindings:\n${binding('api')}${binding('worker')}`);
    const times = (text: string, re: RegExp) =>
      text.match(new RegExp(re.source, `${re.flags}g`))?.length ?? 0;
    const plan = await apply(path);
    assert.equal(plan.code, 0, plan.stderr);
    assert.equal(times(plan.stdout, /\+ create +namespace +backend$/m), 1, plan.stdout);
    assert.equal(times(plan.stdout, /\+ create +service-account +backend\/(api|worker)$/m), 2);
    const applied = await apply(path, '--approve');
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal(times(applied.stdout, /create +namespace +backend$/m), 1, applied.stdout);
    for (const name of ['api', 'worker']) {
      assert.match(
        String((await sa('backend', name))?.annotations[ANNOTATION]),
        /iamsa-demo-backend-/,
      );
    }
    const again = await apply(path, '--approve', '-o', 'json');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(json(again.stdout).changed, false);
  });
});

describe('failures', () => {
  test('a binding that fails does not stop the others; the exit code is the most serious', async () => {
    h = createHarness({ clusters: ['demo'] });
    await enableOidc('demo');
    await h.iam.createRole({
      name: 'not-iamsas',
      path: '/',
      trustPolicy: '{"Version":"2012-10-17","Statement":[]}',
      description: 'made by hand',
      tags: {},
    });
    const path = file(`${HEAD}cluster: demo\nbindings:
  - name: fine-1
    attachPolicyARNs: [${RO}]
  - name: missing-policy
    attachPolicyARNs: [arn:aws:iam::${ACCOUNT}:policy/does-not-exist]
  - name: taken
    roleName: not-iamsas
    attachPolicyARNs: [${RO}]
  - name: fine-2
    attachPolicyARNs: [${RO}]
`);
    const r = await apply(path, '--approve');
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stdout, /4 bindings: 2 created, 0 unchanged, 2 failed/);
    assert.match(r.stdout, /failed demo default\/missing-policy: bad input \(exit 2\)/);
    assert.match(r.stdout, /failed demo default\/taken: conflict \(exit 5\)/);
    assert.ok(await sa('default', 'fine-1'));
    assert.ok(await sa('default', 'fine-2'));
    const doc = json((await apply(path, '-o', 'json')).stdout);
    assert.equal(doc.exitCode, 5);
    assert.deepEqual(
      doc.bindings.map((b: any) => b.error?.exitCode ?? 0),
      [0, 2, 5, 0],
    );
  });

  test('a cluster that does not exist is said once, naming the bindings it blocks; the others apply', async () => {
    h = createHarness({ clusters: ['demo'] });
    await enableOidc('demo');
    const path = file(`${HEAD}bindings:
  - {clusters: [demo], name: fine, attachPolicyARNs: [${RO}]}
  - {clusters: [prod], name: a, attachPolicyARNs: [${RO}]}
  - {clusters: [prod], name: b, attachPolicyARNs: [${RO}]}
  - {clusters: [prod], name: c, attachPolicyARNs: [${RO}]}
`);
    const r = await apply(path, '--approve');
    assert.equal(r.code, 3, r.stderr);
    const once = (text: string) => r.stdout.split(text).length - 1;
    assert.equal(once('cluster prod not found in region us-east-1'), 1, r.stdout);
    assert.equal(once('hint: clusters in region us-east-1: demo'), 1, r.stdout);
    assert.match(r.stdout, /\(the same for prod default\/b, prod default\/c\)/);
    assert.match(r.stdout, /4 bindings: 1 created, 0 unchanged, 3 failed/);
    assert.ok(await sa('default', 'fine'));
  });

  test("a roleName naming another binding's role suggests no attachRoleARN (it is refused too)", async () => {
    h = createHarness({ clusters: ['demo'] });
    await enableOidc('demo');
    const one = file(
      `${HEAD}cluster: demo\nbindings:\n  - {name: first, attachPolicyARNs: [${RO}]}\n`,
    );
    assert.equal((await apply(one, '--approve')).code, 0);
    const path = file(
      `${HEAD}cluster: demo\nbindings:\n  - {name: second, roleName: iamsa-demo-default-first, attachPolicyARNs: [${RO}]}\n`,
    );
    const doc = json((await apply(path, '-o', 'json')).stdout);
    const error = doc.bindings[0].error;
    assert.equal(error.exitCode, 5);
    assert.match(
      error.hint,
      /^choose another bindings\[0\]\.roleName: role iamsa-demo-default-first is iamsa.s for another binding$/,
    );
    assert.doesNotMatch(JSON.stringify(error), /attachRoleARN/);
  });

  test('a broken file changes nothing and lists every problem with its line', async () => {
    h = createHarness({ clusters: ['demo'] });
    const path = file(`${HEAD}cluster: demo\nbindings:
  - name: Bad_Name
    attachPolicyARNs: [${RO}]
  - name: ok
    attachPolicyARN: [${RO}]
  - name: ok2
    attachPolicyARNs: [not-an-arn]
`);
    const before = h.state();
    const r = await apply(path, '--approve');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /3 problems; nothing was changed/);
    assert.match(r.stderr, /bindings-\d+\.yaml:5: invalid bindings\[0\]\.name "Bad_Name"/);
    assert.match(
      r.stderr,
      /bindings-\d+\.yaml:8: bindings\[1\]\.attachPolicyARN: unknown field "attachPolicyARN"; did you mean "attachPolicyARNs"\?/,
    );
    assert.match(
      r.stderr,
      /bindings-\d+\.yaml:10: invalid bindings\[2\]\.attachPolicyARNs\[0\] "not-an-arn"/,
    );
    assert.deepEqual(h.state(), before);
    const machine = await apply(path, '-o', 'json');
    assert.equal(json(machine.stdout).error.detail.split('\n').length, 3);
    // The schema by where this copy of iamsa has it, not a path only a checkout has.
    const [, schema = ''] = /the schema: (.+)\)$/.exec(json(machine.stdout).error.hint) ?? [];
    assert.ok(isAbsolute(schema) && existsSync(schema), json(machine.stdout).error.hint);
    assert.match(schema, /schema\/iamsa-bindings\.schema\.json$/);
  });

  test('-f - reads the bindings from stdin: applied, and a re-run from stdin converges', async () => {
    h = createHarness({ clusters: ['demo'] });
    await enableOidc('demo');
    const text = `${HEAD}cluster: demo\nbindings:\n  - name: piped\n    attachPolicyARNs: [${RO}]\n`;
    const r = await h.run(['apply', '-f', '-', '--approve'], { stdin: text });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1 binding: 1 created/);
    assert.ok(await sa('default', 'piped'));
    const again = await h.run(['apply', '-f', '-'], { stdin: text });
    assert.match(again.stdout, /Nothing to do/);
    const broken = await h.run(['apply', '-f', '-'], {
      stdin: `${HEAD}cluster: demo\nbindings: [{name: X}]\n`,
    });
    assert.equal(broken.code, 2);
    // stdin by its name, and one problem is "it" (issue 19).
    assert.match(broken.stderr, /^error: stdin: 1 problem; nothing was changed\n/);
    assert.match(broken.stderr, /\nhint: fix it and run again /);
  });

  test('flags that contradict the file are refused', async () => {
    h = createHarness({ clusters: ['demo'] });
    const path = file(
      `${HEAD}cluster: demo\nbindings:\n  - name: a\n    attachPolicyARNs: [${RO}]\n`,
    );
    const r = await apply(path, '--cluster', 'other');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /:3: cluster: the file says cluster demo but --cluster says other/);
    const region = await h.run([
      'apply',
      '-f',
      file(
        `${HEAD}cluster: demo\nregion: us-east-1\nbindings:\n  - name: a\n    attachPolicyARNs: [${RO}]\n`,
      ),
      '--region',
      'eu-west-1',
    ]);
    assert.equal(region.code, 2);
    assert.match(region.stderr, /the file says region us-east-1 but --region says eu-west-1/);
  });
});

describe('--prune', () => {
  /** A cluster of another region with one binding applied: its file and its role. */
  const oneBinding = async (cluster: string) => {
    h = createHarness({ clusters: ['demo'] });
    await clusterIn(cluster, 'ap-northeast-2');
    const path = file(`${HEAD}cluster: ${cluster}\nregion: ap-northeast-2\nbindings:
  - {name: stays, attachPolicyARNs: [${RO}]}
`);
    assert.equal((await apply(path, '--approve')).code, 0);
    return { path, stays: (await roleOf(`iamsa-${cluster}-default-stays`))! };
  };

  test('deletes exactly the bindings iamsa owns that the file no longer lists, first in the plan', async () => {
    h = createHarness({ clusters: ['demo'] });
    await clusterIn('pruned', 'ap-northeast-2');
    const cluster = 'cluster: pruned\nregion: ap-northeast-2\n';
    const full = file(`${HEAD}${cluster}bindings:
  - {name: stays, attachPolicyARNs: [${RO}]}
  - {name: goes, attachPolicyARNs: [${RO}]}
  - {name: role-goes, roleOnly: true, attachPolicyARNs: [${RO}]}
`);
    const r = await apply(full, '--approve');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // Not iamsa's: made by hand, annotated with a role; prune never touches it.
    await h.kube('pruned').createServiceAccount('default', 'by-hand', {
      annotations: { [ANNOTATION]: `arn:aws:iam::${ACCOUNT}:role/x` },
    });
    const fewer = file(
      `${HEAD}${cluster}bindings:\n  - {name: stays, attachPolicyARNs: [${RO}]}\n`,
    );
    assert.match((await apply(fewer)).stdout, /Nothing to do/, 'without --prune nothing goes');
    const plan = await apply(fewer, '--prune');
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /3 bindings: 2 to delete, 1 unchanged/);
    assert.match(plan.stdout, /\n {2}pruned default\/goes \(--prune: not in [^)]+\) delete\n/);
    const order = ['pruned default/goes', 'pruned default/role-goes', 'pruned default/stays'].map(
      (h) => plan.stdout.indexOf(h),
    );
    assert.ok(
      order.every((i) => i >= 0) && order[0]! < order[2]! && order[1]! < order[2]!,
      plan.stdout,
    );
    const pruned = await apply(fewer, '--prune', '--approve');
    assert.equal(pruned.code, 0, pruned.stdout + pruned.stderr);
    assert.equal(await sa('default', 'goes', 'pruned'), undefined);
    assert.ok(await sa('default', 'stays', 'pruned'));
    assert.ok(await sa('default', 'by-hand', 'pruned'));
    assert.equal(await roleOf('iamsa-pruned-default-goes'), undefined);
    assert.equal(await roleOf('iamsa-pruned-default-role-goes'), undefined);
    assert.ok(await roleOf('iamsa-pruned-default-stays'));
    assert.match((await apply(fewer, '--prune')).stdout, /1 binding: 1 unchanged\nNothing to do/);
    const converged = (await apply(fewer, '--prune', '--approve')).stdout;
    assert.match(converged, /^Up to date: apply on pruned/, 'converged, not "Applied"');
  });

  test("never prunes a role whose tags were copied but whose trust is not iamsa's for them (IRSA-W048)", async () => {
    const { path, stays } = await oneBinding('decoyed');
    // Trusts the provider, but for another service account than its copied tags name.
    await h.iam.createRole({
      name: 'decoy',
      path: '/',
      description: 'by hand',
      trustPolicy: JSON.stringify(await trustOf(stays.name)),
      tags: { ...stays.tags, 'iamsa.io/service-account': 'ghost' },
    });
    // iamsa's exact statement for its tags' binding, beside a second service account's.
    const theirs = (await trustOf(stays.name)).Statement[0];
    const ghost2 = JSON.parse(JSON.stringify(theirs).replace(':default:stays', ':default:ghost2'));
    await h.iam.createRole({
      name: 'decoy2',
      path: '/',
      description: 'by hand',
      trustPolicy: JSON.stringify({ Version: '2012-10-17', Statement: [ghost2, theirs] }),
      tags: { ...stays.tags, 'iamsa.io/service-account': 'ghost2' },
    });
    const plan = await apply(path, '--prune');
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    assert.match(
      plan.stderr,
      /IRSA-W048 role decoy carries iamsa's tags for default\/ghost but its trust is not iamsa's/,
    );
    assert.match(
      plan.stderr,
      /IRSA-W048 role decoy2 carries iamsa's tags for default\/ghost2 but its trust is not iamsa's/,
    );
    assert.doesNotMatch(plan.stdout, /ghost/);
    assert.equal((await apply(path, '--prune', '--approve')).code, 0);
    assert.ok(await roleOf('decoy'));
    assert.ok(await roleOf('decoy2'));
  });

  test('a copied managed-by label is no licence to prune: skipped with a warning, never deleted (IRSA-W050)', async () => {
    const { path, stays } = await oneBinding('copied');
    const k = h.kube('copied');
    k.namespaces.add('pr');
    k.namespaces.add('evil');
    const label = { 'app.kubernetes.io/managed-by': 'iamsa' };
    // Anyone who can make a service account can copy the label and name another binding's role.
    await k.createServiceAccount('pr', 'victim', {
      annotations: { [ANNOTATION]: stays.arn },
      labels: label,
    });
    await k.createServiceAccount('evil', 'evil', {
      annotations: { [ANNOTATION]: `arn:aws:iam::${ACCOUNT}:role/gone` },
      labels: label,
    });
    const before = h.state();
    const plan = await apply(path, '--prune', '--approve');
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    assert.match(
      plan.stderr,
      /IRSA-W050 service account pr\/victim carries iamsa's label but its annotation names role iamsa-copied-default-stays, which iamsa did not make for it \(its tags\): not pruned/,
    );
    assert.match(
      plan.stderr,
      /IRSA-W050 service account evil\/evil .*role gone, which does not exist/,
    );
    assert.doesNotMatch(plan.stdout, /victim|evil/);
    assert.deepEqual(h.state(), before, 'nothing was changed');
  });
});

describe("a file's service account metadata", () => {
  test("keys that are iamsa's to set are ignored with IRSA-W051, the others are written", async () => {
    h = createHarness({ clusters: ['demo'] });
    await enableOidc('demo');
    const other = `arn:aws:iam::${ACCOUNT}:role/other`;
    const path = file(`${HEAD}cluster: demo\nbindings:
  - name: meta
    attachPolicyARNs: [${RO}]
    annotations: {${ANNOTATION}: ${other}, iamsa.io/attached-role: "true", team: a}
    labels: {app.kubernetes.io/managed-by: other, app: x}
`);
    const r = await apply(path, '--approve');
    assert.equal(r.code, 0, r.stderr);
    for (const key of [ANNOTATION, 'iamsa.io/attached-role', 'app.kubernetes.io/managed-by']) {
      assert.match(
        r.stderr,
        new RegExp(`IRSA-W051 \\S+: bindings\\[0\\]: (annotation|label) ${key} is iamsa's to set`),
      );
    }
    const made = await sa('default', 'meta');
    assert.deepEqual(made?.annotations, {
      team: 'a',
      [ANNOTATION]: (await roleOf('iamsa-demo-default-meta'))?.arn,
    });
    assert.deepEqual(made?.labels, { app: 'x', 'app.kubernetes.io/managed-by': 'iamsa' });
  });
});

describe('a role shared by several clusters', () => {
  const REGIONS = ['us-west-1', 'us-west-2', 'eu-west-1'];

  test('one role, one trust statement per cluster; a dropped cluster keeps its statement until --prune', async () => {
    h = createHarness({ clusters: ['demo'] });
    for (const [i, region] of REGIONS.entries()) await clusterIn(`shared-${i}`, region);
    const clusters = (n: number) =>
      REGIONS.slice(0, n)
        .map((region, i) => `{name: shared-${i}, region: ${region}}`)
        .join(', ');
    const shared = (n: number) =>
      file(
        `${HEAD}bindings:\n  - namespace: jobs\n    name: batch\n    roleOnly: true\n    clusters: [${clusters(n)}]\n    attachPolicyARNs: [${RO}]\n`,
      );
    const three = shared(3);
    const r = await apply(three, '--approve', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const doc = json(r.stdout);
    assert.deepEqual(
      doc.bindings.map((b: any) => b.cluster),
      ['shared-0', 'shared-1', 'shared-2'],
    );
    const trust = await trustOf('iamsa-shared-jobs-batch');
    assert.equal(trust.Statement.length, 3);
    const providers = trust.Statement.map((s: any) => s.Principal.Federated);
    assert.equal(new Set(providers).size, 3);
    assert.ok(
      REGIONS.every((region) => providers.some((p: string) => p.includes(`oidc.eks.${region}.`))),
    );
    const tags = Object.fromEntries(
      Object.entries((await roleOf('iamsa-shared-jobs-batch'))?.tags ?? {}),
    );
    assert.equal(tags['iamsa.io/clusters'], 'shared-0,shared-1,shared-2');
    assert.equal(Object.keys(tags).filter((k) => k.startsWith('iamsa.io/cluster-arn/')).length, 3);
    assert.match((await apply(three)).stdout, /3 bindings: 3 unchanged\nNothing to do/);

    const two = shared(2);
    const kept = await apply(two);
    assert.match(kept.stdout, /Nothing to do/);
    const pruned = await apply(two, '--prune', '--approve');
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /trust policy -> 2 statements for clusters shared-0, shared-1/);
    const after = await trustOf('iamsa-shared-jobs-batch');
    assert.equal(after.Statement.length, 2);
    assert.ok(!JSON.stringify(after).includes('oidc.eks.eu-west-1.'));
    const afterTags = Object.keys((await roleOf('iamsa-shared-jobs-batch'))?.tags ?? {});
    assert.equal(afterTags.filter((k) => k?.startsWith('iamsa.io/cluster-arn/')).length, 2);
    assert.match((await apply(two, '--prune')).stdout, /Nothing to do/);
  });

  test('get-serviceaccounts shows its clusters; delete-serviceaccount in one cluster removes only that statement', async () => {
    h = createHarness({ clusters: ['demo'] });
    for (const [i, region] of REGIONS.slice(0, 2).entries()) await clusterIn(`shared-${i}`, region);
    const clusters = REGIONS.slice(0, 2)
      .map((region, i) => `{name: shared-${i}, region: ${region}}`)
      .join(', ');
    for (const c of ['shared-0', 'shared-1']) await h.kube(c).createNamespace('twice');
    const path = file(
      `${HEAD}bindings:\n  - namespace: twice\n    name: web\n    clusters: [${clusters}]\n    attachPolicyARNs: [${RO}]\n`,
    );
    const r = await apply(path, '--approve');
    assert.equal(r.code, 0, r.stderr);
    const got = await h.run([
      'get-serviceaccounts',
      '-c',
      'shared-0',
      '--region',
      REGIONS[0] ?? '',
      '-n',
      'twice',
      '-o',
      'json',
    ]);
    assert.equal(got.code, 0, got.stderr);
    const [row] = json(got.stdout).serviceAccounts;
    assert.equal(row.status, 'ok');
    assert.deepEqual(row.clusters, ['shared-0', 'shared-1']);

    // In shared-0 only: the role-only delete leaves Kubernetes alone.
    const del = await h.run([
      'delete-serviceaccount',
      '-c',
      'shared-0',
      '--region',
      REGIONS[0] ?? '',
      '-n',
      'twice',
      '--name',
      'web',
      '--role-only',
      '--approve',
    ]);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /trust: remove the statement of cluster shared-0/);
    const trust = await trustOf('iamsa-shared-twice-web');
    assert.equal(trust.Statement.length, 1);
    assert.ok(JSON.stringify(trust).includes(`oidc.eks.${REGIONS[1]}.`));
    const last = await h.run([
      'delete-serviceaccount',
      '-c',
      'shared-1',
      '--region',
      REGIONS[1] ?? '',
      '-n',
      'twice',
      '--name',
      'web',
      '--approve',
    ]);
    assert.equal(last.code, 0, last.stderr);
    assert.equal(
      await roleOf('iamsa-shared-twice-web'),
      undefined,
      'the last cluster deletes the role',
    );
  });

  test('a role for 10 clusters is over the trust size quota: refused before any write', async () => {
    h = createHarness({ clusters: ['demo'] });
    const regions = [
      'us-east-2',
      'ca-central-1',
      'sa-east-1',
      'eu-west-2',
      'eu-central-1',
      'eu-north-1',
      'ap-south-1',
      'ap-northeast-1',
      'ap-southeast-1',
      'ap-southeast-2',
    ];
    for (const [i, region] of regions.entries()) await clusterIn(`wide-${i}`, region);
    const path = file(
      `${HEAD}bindings:\n  - name: everywhere\n    roleOnly: true\n    clusters: [${regions.map((r, i) => `{name: wide-${i}, region: ${r}}`).join(', ')}]\n    attachPolicyARNs: [${RO}]\n`,
    );
    const before = h.state();
    const r = await apply(path, '--approve');
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stdout,
      /the trust policy of role iamsa-shared-default-everywhere for 10 clusters would be \d+ characters; the account allows 2048 \(IAM's trust policy size quota\), so \d of these clusters fit/,
    );
    assert.match(r.stdout, /Pod Identity/);
    assert.deepEqual(h.state(), before);
    const raised = await apply(path, '--max-trust-policy-size', '4096');
    assert.equal(raised.code, 0, raised.stdout);
  });
});

describe('a file with no bindings', () => {
  test("eksctl's withOIDC alone: the plan's header names the cluster and region, then converges", async () => {
    h = createHarness({ clusters: ['demo'] });
    const path = file(
      'apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: demo, region: us-east-1}\niam: {withOIDC: true}\n',
    );
    const plan = await apply(path);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(
      plan.stdout,
      /^Plan: apply on demo \(us-east-1\)\n {2}\+ create {4}oidc-provider /,
    );
    assert.equal((await apply(path, '--approve')).code, 0);
    const again = await apply(path);
    assert.match(again.stdout, /^Plan: apply on demo \(us-east-1\)\n/);
    assert.match(again.stdout, /Nothing to do: everything is already in place\.\n$/);
  });
});
