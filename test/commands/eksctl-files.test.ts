// eksctl ClusterConfig files as eksctl reads them, in-process over the fakes (issue 18).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createHarness } from '../support/harness.js';
import { removeTempDir, tempDir } from '../support/temp.js';

const RO = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const dir = tempDir('eksctl-files-in-process');
after(() => removeTempDir(dir));
const eksctl = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, `apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\n${text}`);
  return path;
};

test('withOIDC alone for a cluster that does not exist fails like enable-oidc (exit 3)', async () => {
  const h = createHarness({ clusters: ['demo'] });
  const file = eksctl(
    'missing.yaml',
    'metadata: {name: nope, region: us-east-1}\niam: {withOIDC: true}\n',
  );
  const before = h.state();
  const r = await h.run(['apply', '-f', file, '--approve']);
  assert.equal(r.code, 3, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /cluster nope not found in region us-east-1/);
  assert.deepEqual(h.state(), before);
});

test('a file whose only cluster does not exist says so once, up front (exit 3)', async () => {
  const h = createHarness({ clusters: ['demo'] });
  const file = eksctl(
    'prod.yaml',
    [
      'metadata: {name: prod, region: us-east-1}',
      'iam:',
      '  withOIDC: true',
      '  serviceAccounts:',
      ...['a', 'b', 'c', 'd'].map(
        (n) => `    - {metadata: {name: ${n}, namespace: default}, attachPolicyARNs: [${RO}]}`,
      ),
      '',
    ].join('\n'),
  );
  const before = h.state();
  const r = await h.run(['apply', '-f', file, '--approve']);
  assert.equal(r.code, 3, `${r.stdout}\n${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    'error: cluster prod not found in region us-east-1\nhint: clusters in region us-east-1: demo\n',
  );
  assert.deepEqual(h.state(), before);
});

test('cross-account attachRoleARN, attachPolicy without Version, empty fields: planned with notes', async () => {
  const h = createHarness({ clusters: ['demo'] });
  await h.kube('demo').createNamespace('eksctl');
  const other = 'arn:aws:iam::999999999999:role/shared-reader';
  const file = eksctl(
    'shapes.yaml',
    [
      'metadata: {name: demo, region: us-east-1}',
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
  const before = h.state();
  const r = await h.run(['apply', '-f', file, '-o', 'json']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.deepEqual(h.state(), before, 'a plan writes nothing');
  const out = JSON.parse(r.stdout);
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

test('a misspelt key of a ClusterConfig is a file problem, not a note: --prune deletes nothing (issue 19)', async () => {
  const h = createHarness({ clusters: ['demo'] });
  const item = `    - {metadata: {name: app, namespace: default}, attachPolicyARNs: [${RO}]}`;
  const good = eksctl(
    'good.yaml',
    [
      'metadata: {name: demo, region: us-east-1}',
      'iam:',
      '  withOIDC: true',
      '  serviceAccounts:',
      item,
      '',
    ].join('\n'),
  );
  const first = await h.run(['apply', '-f', good, '--approve']);
  assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
  const before = h.state();
  const cases: Array<[string, string[], RegExp]> = [
    [
      'iam',
      ['  serviceAcounts:', item],
      /iam\.serviceAcounts: unknown field "serviceAcounts"; did you mean "serviceAccounts"\?/,
    ],
    ['iam', ['  withOidc: true'], /unknown field "withOidc"; did you mean "withOIDC"\?/],
    ['iam', ['  podIdentityAssociation: []'], /did you mean "podIdentityAssociations"\?/],
    ['iamm', ['  serviceAccounts:', item], /iamm: unknown field "iamm"; did you mean "iam"\?/],
    [
      'iam',
      ['  serviceAccounts:', `${item.slice(0, -1)}, roleNmae: x}`],
      /did you mean "roleName"\?/,
    ],
  ];
  for (const [section, lines, message] of cases) {
    const file = eksctl(
      'typo.yaml',
      [
        'metadata: {name: demo, region: us-east-1}',
        'vpc: {cidr: 10.0.0.0/16}',
        `${section}:`,
        ...lines,
        '',
      ].join('\n'),
    );
    const r = await h.run(['apply', '-f', file, '--prune', '--approve']);
    assert.equal(r.code, 2, `${lines.join('\n')}\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
    assert.deepEqual(h.state(), before, 'nothing is written');
  }
});

test("eksctl's own sections, and keys near none of them, stay a note (IRSA-W022)", async () => {
  const h = createHarness({ clusters: ['demo'] });
  const file = eksctl(
    'sections.yaml',
    [
      'metadata: {name: demo, region: us-east-1}',
      'vpc: {cidr: 10.0.0.0/16}',
      'managedNodeGroups: [{name: ng}]',
      'x-team-notes: hello',
      'iam:',
      '  withOIDC: true',
      '  serviceRoleARN: arn:aws:iam::123456789012:role/eks',
      '  serviceAccounts:',
      `    - {metadata: {name: app, namespace: default}, attachPolicyARNs: [${RO}]}`,
      '',
    ].join('\n'),
  );
  const r = await h.run(['apply', '-f', file]);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(
    r.stderr,
    /IRSA-W022 .*sections\.yaml: ignoring vpc, managedNodeGroups, x-team-notes, iam\.serviceRoleARN /,
  );
});

test('a ClusterConfig from stdin is named stdin in its notes, not "-" (issue 19)', async () => {
  const h = createHarness({ clusters: ['demo'] });
  const text = [
    'apiVersion: eksctl.io/v1alpha5',
    'kind: ClusterConfig',
    'metadata: {name: demo, region: us-east-1}',
    'vpc: {cidr: 10.0.0.0/16}',
    'iam: {withOIDC: true}',
    '',
  ].join('\n');
  const r = await h.run(['apply', '-f', '-'], { stdin: text });
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /IRSA-W022 stdin: ignoring vpc /);
});

test('reserved iamsa.io/ tags: each is a problem at its own path (metadata.tags, the service account)', async () => {
  const h = createHarness({ clusters: ['demo'] });
  const file = eksctl(
    'reserved-tags.yaml',
    [
      'metadata: {name: demo, region: us-east-1, tags: {iamsa.io/top: x}}',
      'iam:',
      '  withOIDC: true',
      '  serviceAccounts:',
      `    - {metadata: {name: a, namespace: default}, attachPolicyARNs: [${RO}], tags: {iamsa.io/own: y}}`,
      '',
    ].join('\n'),
  );
  const r = await h.run(['apply', '-f', file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /2 problems/);
  assert.match(r.stderr, /:3: metadata\.tags: invalid tag key "iamsa\.io\/top"/);
  assert.match(r.stderr, /:7: iam\.serviceAccounts\[0\]\.tags: invalid tag key "iamsa\.io\/own"/);
});

test('a duplicate key in an eksctl file gets the ClusterConfig hint, not the iamsa schema', async () => {
  const h = createHarness({ clusters: ['demo'] });
  const file = eksctl(
    'duplicate-key.yaml',
    'metadata: {name: demo, region: us-east-1}\nmetadata: {name: demo}\niam: {withOIDC: true}\n',
  );
  const r = await h.run(['apply', '-f', file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /docs\/apply\.md#eksctl-clusterconfig/);
  assert.doesNotMatch(r.stderr, /iamsa-bindings\.schema\.json/);
});
