// A mistyped --cluster is one error whatever the command: the cluster is not found in the region,
// with the closest name, exit 3; never an AWS error of whichever call came first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHarness } from '../support/harness.js';

const BINDING = [
  '-n',
  'payments',
  '--name',
  'worker',
  '--attach-policy-arn',
  'arn:aws:iam::aws:policy/ReadOnlyAccess',
];
const COMMANDS: string[][] = [
  ['get-serviceaccounts'],
  ['get-serviceaccounts', '--orphans'],
  ['migrate-to-pod-identity'],
  ['doctor', '-n', 'payments', '--name', 'worker'],
  ['audit'],
  ['enable-oidc'],
  ['create-serviceaccount', ...BINDING],
  ['update-serviceaccount', ...BINDING],
  ['delete-serviceaccount', '-n', 'payments', '--name', 'worker'],
  ['migrate-from-kube2iam'],
];

test('a mistyped --cluster is "not found in region" with the closest name, exit 3, on every command', async () => {
  const h = createHarness({ clusters: ['demo'] });
  for (const args of COMMANDS) {
    const r = await h.run([...args, '-c', 'dmeo']);
    const what = `iamsa ${args.join(' ')} -c dmeo: ${r.stderr}`;
    assert.equal(r.code, 3, what);
    assert.match(r.stderr, /^error: cluster dmeo not found in region us-east-1\n/, what);
    assert.match(r.stderr, /hint: did you mean demo\?/, what);
  }
});

test('a cluster of another region is named in that region', async () => {
  const h = createHarness({ clusters: ['demo'] });
  for (const args of [['get-serviceaccounts'], ['migrate-to-pod-identity']]) {
    const r = await h.run([...args, '-c', 'demo', '-r', 'eu-west-3']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^error: cluster demo not found in region eu-west-3\n/);
  }
});
