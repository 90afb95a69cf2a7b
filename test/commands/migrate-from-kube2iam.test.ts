// migrate-from-kube2iam's usage errors in-process (test/support/harness.ts): exit 2 before any call.
// Migrations of real-looking kube2iam and kiam installations run through the binary against moto and
// the emulator (test/integration/migrate-from-kube2iam.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHarness } from '../support/harness.js';

const h = createHarness({ clusters: ['demo'] });
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
