// What a command only reads to be thorough must not fail it (issue 18), in-process over the fakes:
// with Pod Identity, add-ons and the policy simulator denied (AccessDenied, as the gateways make of
// it), the IRSA commands do their job with a coded warning naming the call and why; an explicit
// --mechanism pod-identity still needs the API. The binary keeps the same reads against plain moto
// and a front answering AccessDenied (test/integration/real-accounts.test.ts), for the gateways'
// reading of real answers.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, beforeEach, test } from 'node:test';
import { createHarness, type Harness } from '../support/harness.js';
import { removeTempDir, tempDir } from '../support/temp.js';

const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const UNCHECKED = /UNCHECKED_ACCESS_DENIED: eks:ListPodIdentityAssociations access denied/;
const dir = tempDir('unavailable-apis-in-process');
after(() => removeTempDir(dir));
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;

/** The apply file of these bindings in namespace ns. */
const bindings = (ns: string, names: string[]) => {
  const path = join(dir, `${ns}-${names.join('-')}.yaml`);
  writeFileSync(
    path,
    [
      'apiVersion: iamsa.io/v1alpha1',
      'kind: ServiceAccountBindings',
      'cluster: demo',
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

let h: Harness;
const run = (...args: string[]) => h.run([...args, '-c', 'demo']);

beforeEach(async () => {
  h = createHarness({ clusters: ['demo'] });
  await h.kube('demo').createNamespace('denied');
  assert.equal((await h.run(['enable-oidc', '-c', 'demo', '--approve'])).code, 0);
  const r = await h.run([
    'apply',
    '-f',
    bindings('denied', ['api', 'worker', 'old', 'gone']),
    '--approve',
  ]);
  assert.equal(r.code, 0, r.stderr);
  for (const call of ['listPodIdentityAssociations', 'describeAddon']) h.eks().denied.add(call);
  h.iam.denied.add('simulatePrincipalPolicy');
});

test('get-serviceaccounts lists the IRSA bindings and says what it could not check', async () => {
  const r = await run('get-serviceaccounts', '-n', 'denied', '-o', 'json');
  assert.equal(r.code, 0, r.stderr);
  const out = json(r.stdout);
  assert.deepEqual(
    out.serviceAccounts.map((s: any) => `${s.name}:${s.status}`),
    ['api:ok', 'gone:ok', 'old:ok', 'worker:ok'],
  );
  assert.match(out.warnings.join('\n'), UNCHECKED);
  assert.match(r.stderr, UNCHECKED);
});

test('doctor checks the IRSA binding; --simulate marks IRSA011 skipped with the reason', async () => {
  const s = await run(
    ...['doctor', '-n', 'denied', '--name', 'api', '--simulate', 's3:GetObject', '-o', 'json'],
  );
  assert.equal(s.code, 0, `${s.stdout}\n${s.stderr}`);
  assert.match(json(s.stdout).warnings.join('\n'), UNCHECKED);
  const sim = json(s.stdout).checks.find((c: any) => c.id === 'IRSA011');
  assert.equal(sim.status, 'skipped');
  assert.match(sim.message, /^UNCHECKED_ACCESS_DENIED: iam:SimulatePrincipalPolicy access denied/);
});

test('update and delete without --mechanism handle the IRSA binding, with the warning', async () => {
  const u = await run(
    ...['update-serviceaccount', '-n', 'denied', '--name', 'api'],
    ...['--attach-policy-arn', 'arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess', '--approve'],
  );
  assert.equal(u.code, 0, u.stderr);
  assert.match(u.stderr, UNCHECKED);
  assert.deepEqual(await h.iam.listAttachedPolicyArns('iamsa-demo-denied-api'), [
    READONLY,
    'arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess',
  ]);
  const d = await run('delete-serviceaccount', '-n', 'denied', '--name', 'worker', '--approve');
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout + d.stderr, UNCHECKED);
  assert.equal(h.iam.roles.has('iamsa-demo-denied-worker'), false);
  const before = h.state();
  const explicit = await run(
    ...['delete-serviceaccount', '-n', 'denied', '--name', 'old', '--mechanism', 'pod-identity'],
  );
  assert.notEqual(explicit.code, 0, 'an explicit --mechanism pod-identity needs the API');
  assert.doesNotMatch(explicit.stderr, /UNCHECKED_/);
  assert.deepEqual(h.state(), before);
});

test('apply --prune deletes the IRSA bindings the file no longer lists', async () => {
  const r = await h.run([
    ...['apply', '-f', bindings('denied', ['old']), '--prune', '--approve', '-o', 'json'],
  ]);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const out = json(r.stdout);
  const deleted = out.bindings
    .filter((b: any) => b.steps.some((s: any) => s.action === 'delete'))
    .map((b: any) => b.name);
  assert.ok(deleted.includes('gone'), JSON.stringify(deleted));
  assert.match(out.warnings.join('\n'), UNCHECKED);
  assert.equal(h.iam.roles.has('iamsa-demo-denied-gone'), false);
  assert.ok(h.iam.roles.has('iamsa-demo-denied-old'));
});

test('delete and --prune of a Pod Identity binding fail exit 4 when its association cannot be read', async () => {
  // Made while the API is allowed: a Pod Identity binding in the file, the agent installed.
  h.eks().denied.clear();
  h.eks().installAgent('demo');
  const file = join(dir, 'pod-identity.yaml');
  writeFileSync(
    file,
    [
      'apiVersion: iamsa.io/v1alpha1',
      'kind: ServiceAccountBindings',
      'cluster: demo',
      'bindings:',
      '  - namespace: denied',
      '    name: pi',
      '    mechanism: pod-identity',
      `    attachPolicyARNs: [${READONLY}]`,
      '',
    ].join('\n'),
  );
  const made = await h.run(['apply', '-f', file, '--approve']);
  assert.equal(made.code, 0, made.stderr);
  h.eks().denied.add('listPodIdentityAssociations');
  const before = h.state();
  const d = await run('delete-serviceaccount', '-n', 'denied', '--name', 'pi', '--approve');
  assert.equal(d.code, 4, `${d.stdout}\n${d.stderr}`);
  assert.match(d.stderr, /Pod Identity role for denied\/pi.*eks:ListPodIdentityAssociations/);
  assert.deepEqual(h.state(), before, 'nothing is deleted');
  const pruned = await h.run([
    ...['apply', '-f', bindings('denied', ['api', 'worker', 'old', 'gone']), '--prune'],
    '--approve',
  ]);
  assert.equal(pruned.code, 4, `${pruned.stdout}\n${pruned.stderr}`);
  assert.ok(h.iam.roles.has('iamsa-demo-denied-pi'), 'the Pod Identity role is kept');
});

test('a denied eks:DescribeAddon is a warning for Pod Identity create and migrate, not a failure', async () => {
  h.eks().denied.clear();
  h.eks().denied.add('describeAddon');
  const agent = /UNCHECKED_ACCESS_DENIED: eks:DescribeAddon access denied .*eks-pod-identity-agent/;
  const c = await run(
    ...['create-serviceaccount', '--mechanism', 'pod-identity', '-n', 'denied', '--name', 'pi'],
    ...['--attach-policy-arn', READONLY, '--approve'],
  );
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stderr, agent);
  assert.ok(h.iam.roles.has('iamsa-demo-denied-pi'));
  const m = await run('migrate-to-pod-identity', '-n', 'denied', '--name', 'api', '--approve');
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stderr, agent);
});
