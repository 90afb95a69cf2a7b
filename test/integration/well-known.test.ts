// Well-known policies through the built binary against moto_server and the Kubernetes emulator: one
// smoke run whose documents and AWS-managed attachments IAM (moto) accepts. Their semantics (every
// key, scopes, versions, update and delete, the listing) run in-process in
// test/commands/well-known.test.ts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ACCOUNT, type Ground, startGround } from '../support/ground.js';
import { wellKnownHelpers } from '../support/well-known-ground.js';

let g: Ground;
const { json, policyArn, roleName, csa, attachedTo, storedDocument, localPolicies, printed } =
  wellKnownHelpers(() => g, ACCOUNT);

before(async () => {
  g = await startGround('demo');
  const enabled = await g.iamsa(['enable-oidc', '--cluster', 'demo', '--approve']);
  assert.equal(enabled.code, 0, enabled.stderr);
});
after(() => g.close());

test('create-serviceaccount with well-known keys: the policies IAM stores are the ones printed, a re-run is unchanged', async () => {
  // autoScaler makes a policy; the others attach AWS-managed ones, which must exist in IAM.
  const keys = ['autoScaler', 'cloudWatchObservability', 'ebsCSIController', 'imageBuilder'];
  const args = ['--well-known-policies', keys.join(',')];
  const r = await csa('smoke', ...args);
  assert.equal(r.code, 0, r.stderr);
  const attached = await attachedTo(roleName('smoke'));
  for (const key of keys) {
    const expected = await printed(key, []);
    for (const arn of expected.managedPolicyArns) assert.ok(attached.includes(arn), arn);
    for (const p of expected.policies as any[]) {
      const arn = policyArn(
        p.name.replace('iamsa-<cluster>-<namespace>-<name>', roleName('smoke')),
      );
      assert.ok(attached.includes(arn), `${arn} attached`);
      assert.deepEqual((await storedDocument(arn)).doc, p.document, key);
    }
  }
  assert.ok(attached.includes(policyArn(`${roleName('smoke')}-autoScaler`)));
  assert.ok((await localPolicies()).includes(policyArn(`${roleName('smoke')}-autoScaler`)));
  const again = await csa('smoke', ...args);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(json(again.stdout).changed, false, 'a re-run is unchanged');
});
