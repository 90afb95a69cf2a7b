// Real accounts (issue 18), through the binary on one ground. What a command only reads to be
// thorough must not fail it: against plain moto (no Pod Identity API, no SimulatePrincipalPolicy)
// and against a front that answers AccessDenied for them, the gateways read the real answers as
// unavailable and get-serviceaccounts and doctor go on with a coded warning. The same rule for
// update, delete and apply --prune, and eksctl ClusterConfig files, are tested in-process
// (test/commands/unavailable-apis.test.ts, eksctl-files.test.ts); the fix commands' Kubernetes
// flags in test/commands/doctor.test.ts. (The calls each command makes, against
// docs/permissions.json and its policies enforced: permissions-enforced.test.ts.)
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
  });
}

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
