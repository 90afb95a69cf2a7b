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
