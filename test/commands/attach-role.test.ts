// --attach-role-arn / attachRoleARN in-process (test/support/harness.ts): iamsa's role for another
// binding is never handed out, by either mechanism (a Pod Identity trust admits every association of
// its cluster, so an association alone would give it away); a role iamsa does not own stays the
// user's to attach.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ACCOUNT } from '../support/fakes.js';
import { createHarness, type Harness } from '../support/harness.js';
import { removeTempDir, tempDir } from '../support/temp.js';

const RO = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const APP_ROLE = `arn:aws:iam::${ACCOUNT}:role/iamsa-demo-default-app`;
const dir = tempDir('attach-role-in-process');
after(() => removeTempDir(dir));

/** iamsa's binding default/NAME of cluster demo, with its own role. */
async function bind(h: Harness, name: string, mechanism: 'irsa' | 'pod-identity') {
  const flags = ['--name', name, '--mechanism', mechanism, '--attach-policy-arn', RO];
  const r = await h.run(['create-serviceaccount', '--cluster', 'demo', ...flags, '--approve']);
  assert.equal(r.code, 0, r.stderr);
}

/** Cluster demo (OIDC and the Pod Identity agent) with iamsa's binding default/app. */
async function bound(mechanism: 'irsa' | 'pod-identity'): Promise<Harness> {
  const h = createHarness({ clusters: ['demo'] });
  h.eks().installAgent('demo');
  const oidc = await h.run(['enable-oidc', '--cluster', 'demo', '--approve']);
  assert.equal(oidc.code, 0, oidc.stderr);
  await bind(h, 'app', mechanism);
  return h;
}

/** Applies a bindings file over a Pod Identity default/app; the state before it, and the result. */
async function applyFile(name: string, text: string) {
  const h = await bound('pod-identity');
  const path = join(dir, name);
  writeFileSync(path, text);
  const before = h.state();
  const r = await h.run(['apply', '-f', path, '--approve']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.deepEqual(h.state(), before, 'nothing written');
  return r;
}

const APP_DOCUMENT = `apiVersion: iamsa.io/v1alpha1
kind: ServiceAccountBindings
cluster: demo
bindings:
  - name: app
    mechanism: pod-identity
    attachPolicyARNs: [${RO}]
`;

/** create-serviceaccount default/thief, using roleArn as it is. */
const attach = (h: Harness, mechanism: string, roleArn: string) =>
  h.run(
    ['create-serviceaccount', '--cluster', 'demo', '-n', 'default', '--name', 'thief'].concat([
      '--mechanism',
      mechanism,
      '--attach-role-arn',
      roleArn,
      '--approve',
    ]),
  );

/** Exit 2, nothing written, one line naming the role and its binding, and how to go on. */
function assertRefused(h: Harness, r: { code: number; stderr: string }, before: unknown) {
  assert.equal(r.code, 2, r.stderr);
  assert.deepEqual(h.state(), before, 'nothing written');
  assert.match(
    r.stderr,
    /--attach-role-arn arn:aws:iam::\d+:role\/iamsa-demo-default-app names a role iamsa made for another binding, not default\/thief: it is iamsa's role for default\/app of arn:aws:eks:/,
  );
  assert.match(
    r.stderr,
    /drop --attach-role-arn to let iamsa make default\/thief a role of its own/,
  );
  assert.doesNotMatch(r.stderr, /add the statement/);
}

describe("--attach-role-arn of iamsa's role for another binding is refused", () => {
  test('Pod Identity: no association hands the role to the new service account', async () => {
    const h = await bound('pod-identity');
    const before = h.state();
    assertRefused(h, await attach(h, 'pod-identity', APP_ROLE), before);
  });

  test('Pod Identity: update-serviceaccount cannot re-point a binding at it either', async () => {
    const h = await bound('pod-identity');
    await bind(h, 'thief', 'pod-identity');
    const before = h.state();
    const r = await h.run(
      ['update-serviceaccount', '--cluster', 'demo', '--name', 'thief'].concat([
        '--mechanism',
        'pod-identity',
        '--attach-role-arn',
        APP_ROLE,
        '--approve',
      ]),
    );
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(h.state(), before, 'nothing written');
    assert.equal(
      [...h.eks().associations.values()].find((a) => a.serviceAccount === 'thief')?.roleArn,
      `arn:aws:iam::${ACCOUNT}:role/iamsa-demo-default-thief`,
    );
  });

  test("IRSA: the other binding's trust is never widened, nor the user told to widen it", async () => {
    const h = await bound('irsa');
    const before = h.state();
    assertRefused(h, await attach(h, 'irsa', APP_ROLE), before);
  });

  test('apply -f: the binding naming it fails, the one that owns it is untouched', async () => {
    const r = await applyFile(
      'two.yaml',
      `${APP_DOCUMENT}  - name: thief
    mechanism: pod-identity
    attachRoleARN: ${APP_ROLE}
`,
    );
    assert.match(
      r.stdout + r.stderr,
      /default\/thief.*attachRoleARN .* names a role iamsa made for another binding/s,
    );
  });
});

describe('apply -f: two documents', () => {
  test("an eksctl podIdentityAssociation's roleARN of iamsa's role for the iamsa document's binding is refused", async () => {
    const r = await applyFile(
      'two-documents.yaml',
      `${APP_DOCUMENT}---
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: demo, region: us-east-1}
iam:
  podIdentityAssociations:
    - namespace: default
      serviceAccountName: thief
      roleARN: ${APP_ROLE}
`,
    );
    assert.match(r.stdout, /default\/app .* unchanged/);
    assert.match(
      r.stdout,
      /roleARN \S+ names a role iamsa made for another binding, not default\/thief/,
    );
  });
});

describe("migrate-to-pod-identity never hands out another binding's role", () => {
  test('service accounts annotated with it (IRSA or Pod Identity role) are skipped', async () => {
    const h = await bound('irsa');
    await bind(h, 'pi', 'pod-identity');
    const annotate = (name: string, arn: string) =>
      h.kube('demo').createServiceAccount('default', name, {
        annotations: { 'eks.amazonaws.com/role-arn': arn },
      });
    await annotate('thief', APP_ROLE);
    await annotate('thief-pi', `arn:aws:iam::${ACCOUNT}:role/iamsa-demo-default-pi`);
    const r = await h.run(['migrate-to-pod-identity', '--cluster', 'demo', '--approve']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const handed = [...h.eks().associations.values()].map((a) => a.serviceAccount).sort();
    assert.deepEqual(handed, ['app', 'pi'], 'only the bindings themselves');
    assert.match(r.stdout + r.stderr, /skipped default\/thief:/);
    assert.match(r.stdout + r.stderr, /skipped default\/thief-pi:/);
  });
});

describe('--attach-role-arn of a role iamsa does not own', () => {
  test('Pod Identity: attached as today (the role is the user’s)', async () => {
    const h = await bound('pod-identity');
    const role = await h.iam.createRole({
      name: 'mine',
      path: '/',
      description: '',
      trustPolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'pods.eks.amazonaws.com' },
            Action: ['sts:AssumeRole', 'sts:TagSession'],
          },
        ],
      }),
      tags: {},
    });
    const r = await attach(h, 'pod-identity', role.arn);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      [...h.eks().associations.values()].find((a) => a.serviceAccount === 'thief')?.roleArn,
      role.arn,
    );
  });
});
