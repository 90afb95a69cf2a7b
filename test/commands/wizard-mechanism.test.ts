// The wizard in-process (scripted answers through test/support/harness.ts): the mechanism is
// offered when the cluster can do Pod Identity, and a service account bound through Pod Identity
// is listed with its role. The terminal itself (tmux) stays in test/integration/wizard.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACCOUNT } from '../support/fakes.js';
import { fakeGround } from '../support/fake-ground.js';
import { createHarness, DEFAULT, type Question } from '../support/harness.js';

const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';

async function ground(agent: boolean) {
  const h = createHarness({ clusters: ['life'] });
  if (agent) h.eks().installAgent('life');
  const g = fakeGround(h, 'life');
  assert.equal((await g.iamsa(['enable-oidc', '-c', 'life', '--approve'])).code, 0);
  return { h, g };
}

test('with the Pod Identity agent the wizard offers the mechanism and lists Pod Identity roles', async () => {
  const { h, g } = await ground(true);
  const bound = await g.iamsa([
    'create-serviceaccount',
    '-c',
    'life',
    ...g.kubeFlags,
    '--name',
    'pi-app',
    '--mechanism',
    'pod-identity',
    '--attach-policy-arn',
    READONLY,
    '--approve',
  ]);
  assert.equal(bound.code, 0, bound.stderr);
  let listed: string[] = [];
  const r = await h.run(
    ['create-serviceaccount', '-c', 'life', ...g.kubeFlags, '--attach-policy-arn', S3_READ],
    {
      tty: true,
      answers: [
        [/How should pods get the role\?/, /Pod Identity/],
        [
          /Service account/,
          (q: Question) => {
            listed = q.choices.map((c) => c.name);
            return 'pi-app';
          },
        ],
        [/Role name/, DEFAULT],
        [/Apply these changes\?/, true],
      ],
    },
  );
  assert.equal(r.code, 0, r.stderr);
  const role = `arn:aws:iam::${ACCOUNT}:role/iamsa-life-default-pi-app`;
  assert.ok(listed.includes(`pi-app  (role: ${role}, Pod Identity)`), listed.join(' | '));
  assert.match(r.stdout, /Pod Identity: +association of default\/pi-app \(/);
  assert.match(r.stdout, /iamsa create-serviceaccount --mechanism pod-identity .*--name pi-app/);
  assert.doesNotMatch(r.stdout, /OIDC provider|override/i);
});

test('without the agent the wizard binds with IRSA and asks nothing about it', async () => {
  const { h, g } = await ground(false);
  const r = await h.run(
    ['create-serviceaccount', '-c', 'life', ...g.kubeFlags, '--attach-policy-arn', S3_READ],
    {
      tty: true,
      answers: [
        [/Service account/, /New service account/],
        [/Service account name/, 'app'],
        [/Role name/, DEFAULT],
        [/Apply these changes\?/, true],
      ],
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.asked.some((q) => /How should pods/.test(q)), r.asked.join(' | '));
  assert.match(r.stdout, /OIDC provider:/);
});
