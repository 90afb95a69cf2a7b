// Real accounts (issue 18), through the binary on one ground. What a command only reads to be
// thorough must not fail it: against plain moto (no Pod Identity API, no SimulatePrincipalPolicy)
// and against a front that answers AccessDenied for them, the IRSA commands do their job with a
// coded warning naming the call and why; an explicit --mechanism pod-identity still needs the
// API. eksctl ClusterConfig files are read as eksctl reads them. (The calls each command makes,
// against docs/permissions.json and its policies enforced: permissions-enforced.test.ts.)
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AwsFront, startAwsFront } from '../support/aws-front.js';
import { type Ground, startGround } from '../support/ground.js';
import { json, namespace, READONLY } from '../support/irsa-states.js';
import { tempDir } from '../support/temp.js';

let g: Ground;
let front: AwsFront;
let dir: string;

before(async () => {
  g = await startGround('demo');
  front = await startAwsFront({ eks: g.eksEndpoint.url, other: g.iamEndpoint.url });
  front.deny([
    'eks:ListPodIdentityAssociations',
    'eks:DescribeAddon',
    'iam:SimulatePrincipalPolicy',
  ]);
  dir = tempDir('unavailable-apis');
  const enabled = await g.iamsa(['enable-oidc', '-c', g.cluster, '--approve']);
  assert.equal(enabled.code, 0, enabled.stderr);
});
after(async () => {
  await front.close();
  await g.close();
});

/** The apply file of these bindings in namespace ns. */
const bindings = (ns: string, names: string[]) => {
  const path = join(dir, `${ns}-${names.join('-')}.yaml`);
  writeFileSync(
    path,
    [
      'apiVersion: iamsa.io/v1alpha1',
      'kind: ServiceAccountBindings',
      `cluster: ${g.cluster}`,
      'bindings:',
      ...names.flatMap((name) => [
        `  - namespace: ${ns}`,
        `    name: ${name}`,
        `    attachPolicyARNs: [${READONLY}]`,
      ]),
      '',
    ].join('\n'),
  );
  return path;
};

// Each case binds in its own namespace of the one ground.
const grounds: Array<[string, string, () => NodeJS.ProcessEnv, RegExp]> = [
  [
    'plain',
    'plain moto (no Pod Identity front, no SimulatePrincipalPolicy)',
    () => ({ AWS_ENDPOINT_URL_EKS: g.moto.url }),
    /UNCHECKED_(API_NOT_FOUND|NOT_IMPLEMENTED): eks:ListPodIdentityAssociations not (found|implemented)/,
  ],
  [
    'denied',
    'a front answering AccessDenied',
    () => ({ AWS_ENDPOINT_URL: front.url, AWS_ENDPOINT_URL_EKS: front.url }),
    /UNCHECKED_ACCESS_DENIED: eks:ListPodIdentityAssociations access denied/,
  ],
];

for (const [ns, where, envOf, unchecked] of grounds) {
  describe(`Pod Identity and simulation unavailable: ${where}`, () => {
    before(async () => {
      await namespace(g, ns);
      const file = bindings(ns, ['api', 'worker', 'old', 'gone']);
      const r = await g.iamsa(['apply', '-f', file, ...g.kubeFlags, '--approve']);
      assert.equal(r.code, 0, r.stderr);
    });
    const run = (...args: string[]) => g.iamsa([...args, '-c', g.cluster, ...g.kubeFlags], envOf());

    test('get-serviceaccounts lists the IRSA bindings and says what it could not check', async () => {
      const r = await run('get-serviceaccounts', '-n', ns, '-o', 'json');
      assert.equal(r.code, 0, r.stderr);
      const out = json(r.stdout);
      assert.deepEqual(
        out.serviceAccounts.map((s: any) => `${s.name}:${s.status}`),
        ['api:ok', 'gone:ok', 'old:ok', 'worker:ok'],
      );
      assert.match(out.warnings.join('\n'), unchecked);
      assert.match(r.stderr, unchecked);
    });

    test('doctor checks the IRSA binding; --simulate marks IRSA011 skipped with the reason', async () => {
      const s = await run(
        ...['doctor', '-n', ns, '--name', 'api', '--simulate', 's3:GetObject', '-o', 'json'],
      );
      assert.equal(s.code, 0, `${s.stdout}\n${s.stderr}`);
      assert.match(json(s.stdout).warnings.join('\n'), unchecked);
      const sim = json(s.stdout).checks.find((c: any) => c.id === 'IRSA011');
      assert.equal(sim.status, 'skipped');
      assert.match(sim.message, /^UNCHECKED_\w+: iam:SimulatePrincipalPolicy (access denied|not )/);
    });

    test('update and delete without --mechanism handle the IRSA binding, with the warning', async () => {
      const u = await run(
        ...['update-serviceaccount', '-n', ns, '--name', 'api'],
        ...['--attach-policy-arn', 'arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess', '--approve'],
      );
      assert.equal(u.code, 0, u.stderr);
      assert.match(u.stderr, /UNCHECKED_\w+: eks:ListPodIdentityAssociations/);
      const d = await run('delete-serviceaccount', '-n', ns, '--name', 'worker', '--approve');
      assert.equal(d.code, 0, d.stderr);
      assert.match(d.stdout + d.stderr, /UNCHECKED_\w+: eks:ListPodIdentityAssociations/);
      const explicit = await run(
        ...['delete-serviceaccount', '-n', ns, '--name', 'old', '--mechanism', 'pod-identity'],
      );
      assert.notEqual(explicit.code, 0, 'an explicit --mechanism pod-identity needs the API');
      assert.doesNotMatch(explicit.stderr, /UNCHECKED_/);
    });

    test('apply --prune deletes the IRSA bindings the file no longer lists', async () => {
      const file = bindings(ns, ['old']);
      const r = await g.iamsa(
        ['apply', '-f', file, '--prune', '--approve', ...g.kubeFlags, '-o', 'json'],
        envOf(),
      );
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      const out = json(r.stdout);
      const deleted = out.bindings
        .filter((b: any) => b.steps.some((s: any) => s.action === 'delete'))
        .map((b: any) => b.name);
      assert.ok(deleted.includes('gone'), JSON.stringify(deleted));
      assert.match(out.warnings.join('\n'), /UNCHECKED_\w+: eks:ListPodIdentityAssociations/);
    });
  });
}

describe('eksctl ClusterConfig files as eksctl reads them', () => {
  const eksctl = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, `apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\n${text}`);
    return path;
  };

  test('withOIDC alone for a cluster that does not exist fails like enable-oidc (exit 3)', async () => {
    const file = eksctl(
      'missing.yaml',
      'metadata: {name: nope, region: us-east-1}\niam: {withOIDC: true}\n',
    );
    const r = await g.iamsa(['apply', '-f', file, '--approve']);
    assert.equal(r.code, 3, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /cluster nope not found in region us-east-1/);
  });

  test('cross-account attachRoleARN, attachPolicy without Version, empty fields: planned with notes', async () => {
    await namespace(g, 'eksctl');
    const other = 'arn:aws:iam::999999999999:role/shared-reader';
    const file = eksctl(
      'shapes.yaml',
      [
        `metadata: {name: ${g.cluster}, region: us-east-1}`,
        'iam:',
        '  withOIDC: true',
        '  serviceAccounts:',
        '    - metadata: {name: cross, namespace: eksctl}',
        `      attachRoleARN: ${other}`,
        '      roleName: ignored',
        '    - metadata: {name: legacy, namespace: eksctl}',
        '      attachPolicyARNs: []',
        '      tags: {}',
        '      attachPolicy:',
        '        Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*"}]',
        '',
      ].join('\n'),
    );
    // Planned only: moto refuses documents of the 2008-10-17 language that IAM accepts.
    const r = await g.iamsa(['apply', '-f', file, ...g.kubeFlags, '-o', 'json']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const out = json(r.stdout);
    const warnings = out.warnings.join('\n');
    assert.match(warnings, /roleName is ignored beside attachRoleARN/);
    assert.match(warnings, /attachPolicy has no Version: IAM reads it as version 2008-10-17/);
    assert.match(
      warnings,
      /shared-reader is in account 999999999999, not \d+: its trust could not be read/,
    );
    const cross = out.bindings.find((b: any) => b.name === 'cross');
    assert.ok(
      cross.steps.some(
        (st: any) => st.resource === 'service-account' && st.changes.join(' ').includes(other),
      ),
      JSON.stringify(cross.steps),
    );
  });
});

describe("IAM's propagation delay, seen from EKS", () => {
  test('CreatePodIdentityAssociation of a new role is retried until EKS sees the role', async () => {
    await g.installPodIdentityAgent(g.cluster);
    await namespace(g, 'young');
    g.eksEndpoint.setRolePropagationDelay(1500);
    try {
      const r = await g.iamsa([
        ...['create-serviceaccount', '-c', g.cluster, '-n', 'young', '--name', 'app'],
        ...['--mechanism', 'pod-identity', '--attach-policy-arn', READONLY],
        ...[...g.kubeFlags, '--approve'],
      ]);
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    } finally {
      g.eksEndpoint.setRolePropagationDelay(0);
    }
    const refused = g.eksEndpoint.requests.filter(
      (q) =>
        q.method === 'POST' && q.path.endsWith('/pod-identity-associations') && q.status === 400,
    );
    assert.ok(refused.length >= 1, 'EKS answered "role does not exist" at least once');
    assert.equal(
      g.eksEndpoint.associations(g.cluster).filter((a) => a.namespace === 'young').length,
      1,
    );
  });
  test('UpdatePodIdentityAssociation to a new role is retried until EKS sees the role', async () => {
    await g.installPodIdentityAgent(g.cluster).catch(() => undefined); // when run alone
    await namespace(g, 'moved');
    const file = (roleName: string) => {
      const path = join(dir, `moved-${roleName}.yaml`);
      writeFileSync(
        path,
        [
          'apiVersion: iamsa.io/v1alpha1',
          'kind: ServiceAccountBindings',
          `cluster: ${g.cluster}`,
          'bindings:',
          '  - {namespace: moved, name: app, mechanism: pod-identity,',
          `     roleName: ${roleName}, attachPolicyARNs: [${READONLY}]}`,
          '',
        ].join('\n'),
      );
      return path;
    };
    const first = await g.iamsa(['apply', '-f', file('moved-one'), ...g.kubeFlags, '--approve']);
    assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
    g.eksEndpoint.setRolePropagationDelay(1500);
    try {
      const r = await g.iamsa(['apply', '-f', file('moved-two'), ...g.kubeFlags, '--approve']);
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    } finally {
      g.eksEndpoint.setRolePropagationDelay(0);
    }
    const refused = g.eksEndpoint.requests.filter(
      (q) =>
        q.method === 'POST' &&
        /\/pod-identity-associations\/[^/]+$/.test(q.path) &&
        q.status === 400,
    );
    assert.ok(refused.length >= 1, 'EKS answered "role does not exist" to an update at least once');
    const [association] = g.eksEndpoint
      .associations(g.cluster)
      .filter((a) => a.namespace === 'moved');
    assert.match(association?.roleArn ?? '', /role\/moved-two$/);
  });
});

describe('fix commands keep the Kubernetes connection flags', () => {
  test("doctor's fix for a missing service account carries --kube-server and --kube-ca-file", async () => {
    const r = await g.iamsa([
      ...['doctor', '-c', g.cluster, '-n', 'default', '--name', 'missing', '-o', 'json'],
      ...g.kubeFlags,
    ]);
    assert.equal(r.code, 6, `${r.stdout}\n${r.stderr}`);
    const sa = json(r.stdout).checks.find((c: any) => c.id === 'IRSA002');
    assert.match(sa.fix, /^iamsa create-serviceaccount /);
    assert.ok(sa.fix.includes(` ${g.kubeFlags.join(' ')} --approve`), sa.fix);
  });
});
