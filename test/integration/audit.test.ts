// iamsa audit through the built binary against moto and the emulator: a clean cluster with an
// iamsa binding shows nothing above info. Every finding on a state built to trigger it, -o sarif
// and usage errors are tested in-process in test/commands/audit.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACCOUNT, type Ground, startGround } from '../support/ground.js';
import { json, namespace, pod, bindReadOnly } from '../support/irsa-states.js';

const bind = async (g: Ground, ns: string, name: string) =>
  `arn:aws:iam::${ACCOUNT}:role/${await bindReadOnly(g, ns, name)}`;
const audit = (g: Ground, ...args: string[]) =>
  g.iamsa(['audit', '-c', g.cluster, ...g.kubeFlags, ...args]);
const enable = async (g: Ground) => {
  const r = await g.iamsa(['enable-oidc', '--cluster', g.cluster, '--approve', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return json(r.stdout).providerArn as string;
};

describe('a clean cluster with one binding made by iamsa', () => {
  let g: Ground;
  before(async () => {
    g = await startGround('clean');
    await enable(g);
  });
  after(() => g.close());

  test('nothing above info; --fail-on low exits 0; the role has its CloudTrail lookup', async () => {
    await namespace(g, 'shop');
    const role = await bind(g, 'shop', 'api');
    await bind(g, 'shop', 'idle');
    await pod(g, 'shop', 'api-1', 'api');
    const r = await audit(g, '--fail-on', 'low', '-o', 'json');
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const report = json(r.stdout);
    assert.deepEqual(report.summary, { high: 0, medium: 0, low: 0, info: 1 });
    assert.deepEqual(
      report.findings.map((f: any) => [f.id, f.serviceAccount]),
      [['IRSA109', 'shop/idle']],
    );
    const audited = report.roles.find((x: any) => x.arn === role);
    assert.deepEqual(audited.admits, ['shop/api']);
    assert.deepEqual(audited.annotatedBy, ['shop/api']);
    assert.equal(
      audited.cloudTrail,
      `aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=ResourceName,AttributeValue=${role} --query 'Events[?EventName==\`AssumeRoleWithWebIdentity\`].[EventTime,Username]' --output text`.replaceAll(
        '`',
        "'\\''",
      ),
    );
    const text = await audit(g);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /^ {2}info {3}IRSA109 unused service account: .*service account shop\/idle$/m,
    );
    assert.match(text.stdout, /^0 high, 0 medium, 0 low, 1 info$/m);
  });
});
