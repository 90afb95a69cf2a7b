// iamsa audit in-process (test/support/harness.ts, the set-up through test/support/fake-ground.ts):
// every finding shown on a state built to trigger it, a clean cluster with an iamsa binding shows
// nothing above info, and -o sarif is valid SARIF 2.1.0. The binary's smoke run against moto and the
// emulator is test/integration/audit.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import AjvDraft04 from 'ajv-draft-04';
import { ACCOUNT } from '../support/fakes.js';
import { type FakeGround as Ground, fakeGround } from '../support/fake-ground.js';
import { createHarness } from '../support/harness.js';
import { createTestPki } from '../support/pki.js';
import {
  hostOf,
  json,
  namespace,
  pod,
  roleWithTrust,
  ROLE_ANNOTATION,
  serviceAccount,
  statement,
  trustOf,
  bindReadOnly,
} from '../support/irsa-states.js';

// A CA the --kube-ca-file check accepts (the fakes connect without it).
const pki = createTestPki();
after(() => pki.close());

// ajv-draft-04 is CommonJS: its class is the default export's `default`.
const Ajv = AjvDraft04.default;

const bind = async (g: Ground, ns: string, name: string) =>
  `arn:aws:iam::${ACCOUNT}:role/${await bindReadOnly(g, ns, name)}`;
const audit = (g: Ground, ...args: string[]) =>
  g.iamsa(['audit', '-c', g.cluster, ...g.kubeFlags, ...args]);
const enable = async (g: Ground) => {
  const r = await g.iamsa(['enable-oidc', '--cluster', g.cluster, '--approve', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return json(r.stdout).providerArn as string;
};
const sub = (host: string, ns: string, name: string) => ({
  [`${host}:sub`]: `system:serviceaccount:${ns}:${name}`,
  [`${host}:aud`]: 'sts.amazonaws.com',
});

describe('a clean cluster with one binding made by iamsa', () => {
  let g: Ground;
  before(async () => {
    g = fakeGround(createHarness({ clusters: ['clean'] }), 'clean');
    await enable(g);
  });

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

describe('each finding on a state built to trigger it', () => {
  let g: Ground;
  let providerArn: string;
  let host: string;
  let report: Record<string, any>;
  let sarif: Record<string, any>;
  let text: string;
  const findingsOf = (role: string) => report.findings.filter((f: any) => f.role === role);
  const arn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

  before(async () => {
    g = {
      ...fakeGround(createHarness({ clusters: ['demo'] }), 'demo'),
      // Fix commands carry the Kubernetes connection flags the user passed.
      kubeFlags: ['--kube-server', 'https://kube.example:6443', '--kube-ca-file', pki.rootCertPath],
    };
    providerArn = await enable(g);
    host = hostOf(providerArn);
    for (const ns of ['open', 'wild', 'stale', 'broken', 'team-a', 'team-b'])
      await namespace(g, ns);
    // IRSA101: aud only.
    await roleWithTrust(
      g,
      'nosub',
      trustOf(statement(providerArn, { StringEquals: { [`${host}:aud`]: 'sts.amazonaws.com' } })),
    );
    // IRSA102: across namespaces (high) and within one (medium).
    await roleWithTrust(
      g,
      'anyns',
      trustOf(
        statement(providerArn, {
          StringLike: { [`${host}:sub`]: 'system:serviceaccount:*:worker' },
          StringEquals: { [`${host}:aud`]: 'sts.amazonaws.com' },
        }),
      ),
    );
    await roleWithTrust(
      g,
      'onens',
      trustOf(
        statement(providerArn, {
          StringLike: { [`${host}:sub`]: 'system:serviceaccount:wild:*' },
          StringEquals: { [`${host}:aud`]: 'sts.amazonaws.com' },
        }),
      ),
    );
    await serviceAccount(g, 'wild', 'worker');
    // IRSA103: sub without aud.
    await roleWithTrust(
      g,
      'noaud',
      trustOf(
        statement(providerArn, {
          StringEquals: { [`${host}:sub`]: 'system:serviceaccount:open:app' },
        }),
      ),
    );
    await serviceAccount(g, 'open', 'app', { [ROLE_ANNOTATION]: arn('noaud') });
    await pod(g, 'open', 'app-1', 'app');
    // IRSA103 (low): an exact sub, but a second audience besides STS's.
    await roleWithTrust(
      g,
      'twoaud',
      trustOf(
        statement(providerArn, {
          StringEquals: {
            [`${host}:sub`]: 'system:serviceaccount:open:two',
            [`${host}:aud`]: ['sts.amazonaws.com', 'vault'],
          },
        }),
      ),
    );
    await serviceAccount(g, 'open', 'two', { [ROLE_ANNOTATION]: arn('twoaud') });
    await pod(g, 'open', 'two-1', 'two');
    // IRSA104: a trust for a service account that does not exist.
    await roleWithTrust(
      g,
      'stale-role',
      trustOf(statement(providerArn, { StringEquals: sub(host, 'stale', 'ghost') })),
    );
    // IRSA105: a missing role, a trust that does not admit, a malformed ARN.
    await serviceAccount(g, 'broken', 'norole', { [ROLE_ANNOTATION]: arn('never-made') });
    await roleWithTrust(
      g,
      'other-sa',
      trustOf(statement(providerArn, { StringEquals: sub(host, 'broken', 'someone') })),
    );
    await serviceAccount(g, 'broken', 'refused', { [ROLE_ANNOTATION]: arn('other-sa') });
    await serviceAccount(g, 'broken', 'typo', { [ROLE_ANNOTATION]: 'other-sa' });
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'pathed',
        Path: '/irsa/',
        AssumeRolePolicyDocument: JSON.stringify(
          trustOf(statement(providerArn, { StringEquals: sub(host, 'broken', 'pathless') })),
        ),
      }),
    );
    await serviceAccount(g, 'broken', 'pathless', { [ROLE_ANNOTATION]: arn('pathed') });
    // IRSA106: a provider of a region with no cluster left, and one deleted from IAM.
    const gone = await g.iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: 'https://oidc.eks.eu-west-1.amazonaws.com/id/GONECLUSTER',
        ClientIDList: ['sts.amazonaws.com'],
      }),
    );
    const goneArn = gone.OpenIDConnectProviderArn ?? '';
    const deletedArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-2.amazonaws.com/id/DELETED`;
    await roleWithTrust(
      g,
      'two-clusters',
      trustOf(
        statement(providerArn, { StringEquals: sub(host, 'team-a', 'api') }),
        statement(goneArn, { StringEquals: sub(hostOf(goneArn), 'team-a', 'api') }),
        statement(deletedArn, { StringEquals: sub(hostOf(deletedArn), 'team-a', 'api') }),
      ),
    );
    // IRSA107: one role for service accounts of two namespaces.
    await roleWithTrust(
      g,
      'shared',
      trustOf(
        statement(providerArn, { StringEquals: sub(host, 'team-a', 'api') }),
        statement(providerArn, { StringEquals: sub(host, 'team-b', 'api') }),
      ),
    );
    await serviceAccount(g, 'team-a', 'api', { [ROLE_ANNOTATION]: arn('shared') });
    await serviceAccount(g, 'team-b', 'api', { [ROLE_ANNOTATION]: arn('shared') });
    await pod(g, 'team-a', 'api-1', 'api');
    await pod(g, 'team-b', 'api-1', 'api');
    // IRSA108: a trust of five statements, near 2,048 characters.
    await roleWithTrust(
      g,
      'crowded',
      trustOf(
        ...['a1', 'a2', 'a3', 'a4', 'a5'].map((n) =>
          statement(providerArn, { StringEquals: sub(host, 'team-a', `worker-${n}`) }),
        ),
      ),
    );

    const r = await audit(g, '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    report = json(r.stdout);
    const s = await audit(g, '-o', 'sarif', '--fail-on', 'high');
    assert.equal(s.code, 6, s.stderr);
    sarif = json(s.stdout);
    const t = await audit(g);
    text = t.stdout;
  });

  test('IRSA101 trust without sub: high, lists who it admits', () => {
    const [f] = findingsOf(arn('nosub'));
    assert.equal(f.id, 'IRSA101');
    assert.equal(f.severity, 'high');
    assert.match(
      f.message,
      /statement 0 has no condition on ".*:sub": every service account of cluster demo can assume the role through it \(\d+ exist: /,
    );
    assert.match(f.fix, /^if nothing uses it, delete the role: /);
    const role = report.roles.find((x: any) => x.arn === arn('nosub'));
    assert.ok(role.admits.includes('wild/worker') && role.admits.includes('default/default'));
  });

  test('IRSA102 wildcard sub: high across namespaces, medium within one', () => {
    const [across] = findingsOf(arn('anyns'));
    assert.deepEqual([across.id, across.severity], ['IRSA102', 'high']);
    assert.match(
      across.message,
      /"system:serviceaccount:\*:worker" across namespaces: 1 existing service account\(s\) match \(wild\/worker\)/,
    );
    const [within] = findingsOf(arn('onens'));
    assert.deepEqual([within.id, within.severity], ['IRSA102', 'medium']);
    assert.match(
      within.message,
      /within one namespace: 2 existing service account\(s\) match \(wild\/default, wild\/worker\)/,
    );
  });

  test('IRSA103 trust without aud: medium, the fix is the exact trust for its service account', () => {
    const [f] = findingsOf(arn('noaud'));
    assert.deepEqual([f.id, f.severity], ['IRSA103', 'medium']);
    assert.match(
      f.fix,
      /^aws iam update-assume-role-policy --role-name noaud --policy-document '\{.*"system:serviceaccount:open:app",".*:aud":"sts\.amazonaws\.com"/,
    );
  });

  test('IRSA103 a second audience: low, the fix keeps the one its pods ask for', () => {
    const [f, ...more] = findingsOf(arn('twoaud'));
    assert.deepEqual([f.id, f.severity, more.length], ['IRSA103', 'low', 0]);
    assert.match(f.message, /accepts 2 audiences on ".*:aud" \("sts\.amazonaws\.com", "vault"\)/);
    assert.match(
      f.fix,
      /"system:serviceaccount:open:two",".*:aud":"sts\.amazonaws\.com"\}\}\}\]\}'$/,
    );
  });

  test('IRSA104 stale trust: medium, names the missing service account', () => {
    const [f] = findingsOf(arn('stale-role'));
    assert.deepEqual([f.id, f.severity, f.serviceAccount], ['IRSA104', 'medium', 'stale/ghost']);
    assert.match(
      f.message,
      /admits stale\/ghost, which does not exist: whoever creates a service account of that name gets the role/,
    );
  });

  test('IRSA105 broken annotation: missing role, refusing trust, malformed ARN, another path', () => {
    const broken = report.findings.filter((f: any) => f.id === 'IRSA105');
    const bySa = Object.fromEntries(broken.map((f: any) => [f.serviceAccount, f]));
    assert.match(
      bySa['broken/norole'].message,
      /annotated with role never-made, which does not exist/,
    );
    assert.match(
      bySa['broken/norole'].fix,
      /^iamsa create-serviceaccount --cluster demo --region us-east-1 --namespace broken --name norole /,
    );
    assert.ok(
      bySa['broken/norole'].fix.includes(
        ` ${g.kubeFlags.join(' ')} --approve  # replace POLICY_ARN`,
      ),
      'the fix keeps the Kubernetes connection flags audit was given',
    );
    assert.match(
      bySa['broken/refused'].message,
      /annotated with other-sa, whose trust does not admit it: statement 0 requires sub "system:serviceaccount:broken:someone"/,
    );
    assert.match(bySa['broken/typo'].message, /is not a well-formed role ARN/);
    assert.match(
      bySa['broken/pathless'].message,
      /annotated with arn:aws:iam::111122223333:role\/pathed, but the role is arn:aws:iam::111122223333:role\/irsa\/pathed \(another path\)/,
    );
    assert.equal(
      bySa['broken/pathless'].fix,
      `kubectl annotate serviceaccount -n broken pathless --overwrite ${ROLE_ANNOTATION}=arn:aws:iam::111122223333:role/irsa/pathed`,
    );
    assert.ok(broken.every((f: any) => f.severity === 'medium'));
  });

  test('IRSA106 trusts a gone cluster: low, the fix drops that provider', () => {
    const gone = findingsOf(arn('two-clusters')).filter((f: any) => f.id === 'IRSA106');
    assert.equal(gone.length, 2);
    assert.ok(gone.every((f: any) => f.severity === 'low'));
    const messages = gone.map((f: any) => f.message).join('\n');
    assert.match(
      messages,
      /GONECLUSTER, whose cluster no longer exists \(no EKS cluster in eu-west-1 has that issuer\)/,
    );
    assert.match(messages, /DELETED, a provider that no longer exists in IAM/);
    const fix = gone.find((f: any) => /GONECLUSTER/.test(f.message)).fix;
    assert.doesNotMatch(fix, /GONECLUSTER/);
    assert.match(fix, /DELETED/);
  });

  test('IRSA107 shared role: info, the namespaces that share it', () => {
    const [f] = findingsOf(arn('shared'));
    assert.deepEqual([f.id, f.severity], ['IRSA107', 'info']);
    assert.match(f.message, /service accounts of 2 namespaces \(team-a, team-b\)/);
  });

  test('IRSA108 trust near size limit: low', () => {
    const f = findingsOf(arn('crowded')).find((x: any) => x.id === 'IRSA108');
    assert.equal(f.severity, 'low');
    assert.match(f.message, /the trust policy is (18[5-9]\d|19\d\d|20[0-4]\d) of 2048 characters/);
  });

  test('IRSA109 unused service account: info', () => {
    const f = report.findings.find(
      (x: any) => x.id === 'IRSA109' && x.serviceAccount === 'broken/refused',
    );
    assert.equal(f.severity, 'info');
    assert.match(f.message, /annotated for IRSA, but no pod runs as it/);
  });

  test('text: findings by severity with their fix, roles with their CloudTrail lookup', () => {
    assert.match(
      text,
      /^ {2}high {3}IRSA101 trust without sub: arn:aws:iam::111122223333:role\/nosub$/m,
    );
    assert.match(text, /^ {9}fix: /m);
    // iamsa prints the lookups; it does not run them.
    assert.match(
      text,
      /^Roles \(who assumed each: run its aws cloudtrail command; iamsa does not read CloudTrail\):$/m,
    );
    assert.match(
      text,
      /aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=ResourceName,AttributeValue=arn:aws:iam::111122223333:role\/shared/,
    );
    const order = [...text.matchAll(/^ {2}(high|medium|low|info) /gm)].map((m) => m[1]);
    assert.deepEqual(
      order,
      [...order].sort(
        (a, b) =>
          ['high', 'medium', 'low', 'info'].indexOf(a ?? '') -
          ['high', 'medium', 'low', 'info'].indexOf(b ?? ''),
      ),
    );
  });

  test('-o sarif: valid SARIF 2.1.0, one result per finding, rules for every id; --fail-on high exits 6', () => {
    const schema = JSON.parse(
      readFileSync(
        new URL(
          '../../node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json',
          import.meta.url,
        ),
        'utf8',
      ),
    );
    const validate = new Ajv({
      strict: false,
      allErrors: true,
      validateFormats: false,
      unicodeRegExp: false,
    }).compile(schema);
    assert.ok(validate(sarif), JSON.stringify(validate.errors));
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    assert.equal(run.tool.driver.name, 'iamsa');
    assert.deepEqual(
      run.tool.driver.rules.map((r: any) => r.id),
      [
        'IRSA101',
        'IRSA102',
        'IRSA103',
        'IRSA104',
        'IRSA105',
        'IRSA106',
        'IRSA107',
        'IRSA108',
        'IRSA109',
        'IRSA110',
        'IRSA111',
        'PODID101',
        'PODID102',
        'PODID103',
        'PODID104',
        'PODID105',
        'PODID106',
        'KUBE2IAM201',
      ],
    );
    assert.equal(run.results.length, report.findings.length);
    const nosub = run.results.find(
      (x: any) => x.locations[0].logicalLocations[0].fullyQualifiedName === arn('nosub'),
    );
    assert.deepEqual([nosub.ruleId, nosub.level], ['IRSA101', 'error']);
    // GitHub code scanning's documented requirements (SARIF support for code scanning): each
    // result has a ruleId, a message and a physical location whose artifactLocation.uri is a path
    // relative to the repository (its upload refuses unknown URI schemes) with region.startLine;
    // partialFingerprints keep alerts from being duplicated across runs.
    for (const x of run.results) {
      assert.ok(x.ruleId && x.message.text, JSON.stringify(x));
      const where = x.locations[0].physicalLocation;
      assert.match(where.artifactLocation.uri, /^iamsa\/[^:]+$/);
      assert.ok(where.region.startLine >= 1);
      assert.ok(Object.keys(x.partialFingerprints).length);
    }
    assert.equal(
      nosub.locations[0].physicalLocation.artifactLocation.uri,
      `iamsa/iam/${arn('nosub').split(':')[4]}/${arn('nosub').split(':')[5]}`,
    );
  });
});

describe("IRSA111: iamsa's role handed to another service account by a hand-added exact statement", () => {
  test('high, names the service account, the fix is the narrowed trust; kube2iam migration marks hide nothing on a binding role', async () => {
    const h = createHarness({ clusters: ['handed'] });
    const g = fakeGround(h, 'handed');
    const providerArn = await enable(g);
    const host = hostOf(providerArn);
    await namespace(g, 'rn');
    const widen = async (role: string, ns: string, name: string) => {
      const current = JSON.parse(decodeURIComponent((await h.iam.getRole(role))!.trustPolicy));
      await g.iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: role,
          PolicyDocument: JSON.stringify(
            trustOf(
              ...current.Statement,
              statement(providerArn, { StringEquals: sub(host, ns, name) }),
            ),
          ),
        }),
      );
    };
    const app = await bind(g, 'rn', 'app');
    await serviceAccount(g, 'rn', 'intruder', { [ROLE_ANNOTATION]: app });
    await widen('iamsa-handed-rn-app', 'rn', 'intruder');
    // Not annotated with the role: still found (its tags are read for it).
    const lone = await bind(g, 'rn', 'lone');
    await serviceAccount(g, 'rn', 'quiet');
    await widen('iamsa-handed-rn-lone', 'rn', 'quiet');
    // The kube2iam migration's marks hide nothing on a role iamsa made for a binding:
    // migrate-from-kube2iam never moves another service account onto such a role.
    const k2 = await bind(g, 'rn', 'k2');
    await h.iam.tagRole('iamsa-handed-rn-k2', { 'iamsa.io/kube2iam-migration': 'kube2iam' });
    await serviceAccount(g, 'rn', 'worker', {
      [ROLE_ANNOTATION]: k2,
      'iamsa.io/kube2iam-service-account': 'created',
    });
    await widen('iamsa-handed-rn-k2', 'rn', 'worker');

    const r = await audit(g, '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const found = json(r.stdout).findings.filter((f: any) => f.id === 'IRSA111');
    assert.deepEqual(
      found.map((f: any) => [f.role, f.serviceAccount, f.severity]),
      [
        [app, 'rn/intruder', 'high'],
        [k2, 'rn/worker', 'high'],
        [lone, 'rn/quiet', 'high'],
      ],
    );
    assert.match(
      found[0].message,
      /^statement 1 admits rn\/intruder by name \(StringEquals sub\), but iamsa made the role for rn\/app: rn\/intruder gets its permissions \(iamsa's role for rn\/app of /,
    );
    assert.match(
      found[0].fix,
      /^aws iam update-assume-role-policy --role-name iamsa-handed-rn-app /,
    );
    assert.match(found[0].fix, /system:serviceaccount:rn:app/);
    assert.doesNotMatch(found[0].fix, /intruder/);
  });
});

describe('IRSA101 on a StringNotEquals sub', () => {
  test('says the statement admits every service account except the ones it names', async () => {
    const g = fakeGround(createHarness({ clusters: ['allbut'] }), 'allbut');
    const providerArn = await enable(g);
    const host = hostOf(providerArn);
    await roleWithTrust(
      g,
      'allbut',
      trustOf(
        statement(providerArn, {
          StringNotEquals: { [`${host}:sub`]: 'system:serviceaccount:rn:app' },
          StringEquals: { [`${host}:aud`]: 'sts.amazonaws.com' },
        }),
      ),
    );
    const r = await audit(g, '-o', 'json');
    const [f] = json(r.stdout).findings.filter((x: any) => x.id === 'IRSA101');
    assert.match(
      f.message,
      /^statement 0 admits every service account of cluster allbut except StringNotEquals "system:serviceaccount:rn:app" on ".*:sub" \(\d+ exist/,
    );
    assert.doesNotMatch(f.message, /has no condition/);
  });
});

describe('usage', () => {
  let g: Ground;
  before(async () => {
    g = fakeGround(createHarness({ clusters: ['usage'] }), 'usage');
  });
  test('--cluster is required; --fail-on takes high, medium or low; -o sarif is for audit only', async () => {
    const none = await g.iamsa(['audit']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /missing required flag: --cluster/);
    const bad = await g.iamsa(['audit', '-c', 'usage', '--fail-on', 'info']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid --fail-on "info": expected high, medium or low/);
    const sarif = await g.iamsa(['doctor', '-c', 'usage', '--name', 'x', '-o', 'sarif']);
    assert.equal(sarif.code, 2);
    assert.match(sarif.stderr, /-o sarif is only for iamsa audit/);
  });
});
