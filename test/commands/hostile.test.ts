// Hostile input in-process (test/support/harness.ts): bad bytes, YAML bombs and bad labels are
// each a file problem with its line, exit 2 before any call; a subjectPattern is shown as IAM
// receives it. Special files, pipes, echoed secrets and signals stay with the binary
// (test/integration/hostile.test.ts).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, beforeEach, test } from 'node:test';
import { createHarness, type Harness, type RunResult } from '../support/harness.js';
import { removeTempDir, tempDir } from '../support/temp.js';

const RO = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const HEAD = 'apiVersion: iamsa.io/v1alpha1\nkind: ServiceAccountBindings\ncluster: demo\n';
const dir = tempDir('hostile-in-process');
after(() => removeTempDir(dir));
const write = (name: string, text: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

let h: Harness;
beforeEach(() => {
  h = createHarness({ clusters: ['demo'] });
});
const refused = (r: RunResult, pattern: RegExp) => {
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, pattern);
  assert.deepEqual(h.iam.calls, [], 'no IAM call was made');
  assert.equal(h.eks().describes, 0, 'no EKS call was made');
  assert.deepEqual(h.connections, [], 'the cluster was not reached');
};

test('bad bytes, bombs and labels: each a file problem with its line', async () => {
  const latin1 = write(
    'latin1.json',
    Buffer.concat([
      Buffer.from(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"caf',
      ),
      Buffer.from([0xe9]),
      Buffer.from('"}}}]}'),
    ]),
  );
  const bindings = write(
    'hostile.yaml',
    `${HEAD}bindings:\n  - name: app\n    attachPolicyFile: ${latin1}\n    labels: {"bad key": v}\n    annotations: {big: "${'x'.repeat(300 * 1024)}"}\n---\n`,
  );
  const r = await h.run(['apply', '-f', bindings, '--approve']);
  refused(r, /hostile\.yaml: 3 problems; nothing was changed/);
  assert.match(r.stderr, /hostile\.yaml:6: .*not valid UTF-8 \(at byte 142\)/);
  assert.match(r.stderr, /hostile\.yaml:7: invalid bindings\[0\]\.labels key "bad key"/);
  assert.match(r.stderr, /hostile\.yaml:8: bindings\[0\]\.annotations are 307203 bytes together/);
  const bomb = write(
    'bomb.yaml',
    `${HEAD}a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nbindings: [{name: app, labels: *c}]\n`,
  );
  refused(
    await h.run(['apply', '-f', bomb, '-o', 'json']),
    /bomb\.yaml:5: YAML: Excessive alias count/,
  );
});
test('a subjectPattern is shown as IAM receives it, with a warning when the name does not match', async () => {
  const file = write(
    'pattern.yaml',
    `apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: demo, region: us-east-1}\niam:\n  serviceAccounts:\n    - metadata: {name: web, namespace: jobs}\n      subjectPattern: batch-*\n      attachPolicyARNs: [${RO}]\n`,
  );
  assert.equal((await h.run(['enable-oidc', '--cluster', 'demo', '--approve'])).code, 0);
  const before = h.state();
  const r = await h.run(['apply', '-f', file, '--allow-subject-pattern']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /trust \S+ StringLike system:serviceaccount:jobs:batch-\*/);
  assert.match(
    r.stdout + r.stderr,
    /jobs\/web does not match its own subjectPattern "batch-\*": its pods cannot assume the role/,
  );
  assert.deepEqual(h.state(), before, 'a plan writes nothing');
});
