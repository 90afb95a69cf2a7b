// iamsa doctor in-process (test/support/harness.ts): every check on a state built to trigger it,
// over the fakes (the pod identity webhook played as the emulator plays it, fake-ground.ts). The
// binary keeps a smoke run against moto and the emulator and --simulate, which needs IAM's
// simulator (test/integration/doctor.test.ts).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, beforeEach, describe, test } from 'node:test';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT } from '../support/fakes.js';
import { type FakeGround, fakeGround } from '../support/fake-ground.js';
import { createHarness, type Harness } from '../support/harness.js';
import {
  annotate,
  hostOf,
  json,
  namespace,
  pod,
  READONLY,
  roleWithTrust,
  ROLE_ANNOTATION,
  serviceAccount,
  statement,
  trustOf,
  bindReadOnly,
} from '../support/irsa-states.js';
import { irsaTrust, podIdentityTrust } from '../support/expected-trust.js';
import { createTestPki } from '../support/pki.js';
import { removeTempDir, tempDir } from '../support/temp.js';

let h: Harness;
let g: FakeGround;
let providerArn: string;
let host: string;
const dir = tempDir('doctor-in-process');
// A CA the --kube-ca-file check accepts (the fakes connect without it).
const pki = createTestPki();
after(() => pki.close());
const caFile = pki.rootCertPath;
after(() => removeTempDir(dir));

const doctor = (ns: string, name: string, ...args: string[]) =>
  g.iamsa(['doctor', '-c', g.cluster, '-n', ns, '--name', name, ...g.kubeFlags, ...args]);
const checksOf = async (ns: string, name: string, ...args: string[]) => {
  const r = await doctor(ns, name, '-o', 'json', ...args);
  assert.ok(r.code === 0 || r.code === 6, r.stderr);
  const report = json(r.stdout);
  const byId = Object.fromEntries(report.checks.map((c: any) => [c.id, c]));
  return { code: r.code, report, byId };
};
const bind = async (ns: string, name: string) =>
  `arn:aws:iam::${ACCOUNT}:role/${await bindReadOnly(g, ns, name)}`;
/** A Pod Identity binding made by create-serviceaccount (agent installed); its binding flags. */
const bindPodIdentity = async (ns: string, name: string, ...flags: string[]) => {
  await namespace(g, ns);
  await g.installPodIdentityAgent(g.cluster);
  const binding = ['--cluster', g.cluster, '-n', ns, '--name', name, ...g.kubeFlags];
  const made = await g.iamsa([
    'create-serviceaccount',
    ...binding,
    '--mechanism',
    'pod-identity',
    ...(flags.length ? flags : ['--attach-policy-arn', READONLY]),
    '--approve',
  ]);
  assert.equal(made.code, 0, made.stderr);
  return binding;
};

beforeEach(async () => {
  h = createHarness({ clusters: ['demo'] });
  // Fix commands carry the Kubernetes connection flags the user passed.
  g = {
    ...fakeGround(h, 'demo'),
    kubeFlags: ['--kube-server', 'https://kube.example:6443', '--kube-ca-file', caFile],
  };
  const enabled = await g.iamsa(['enable-oidc', '--cluster', 'demo', '--approve', '-o', 'json']);
  assert.equal(enabled.code, 0, enabled.stderr);
  providerArn = json(enabled.stdout).providerArn;
  host = hostOf(providerArn);
});

describe('a healthy binding', () => {
  test('made by create-serviceaccount, with a pod started after it: no FAIL, exit 0', async () => {
    await namespace(g, 'healthy');
    const role = await bind('healthy', 'api');
    await pod(g, 'healthy', 'api-1', 'api');
    const r = await doctor('healthy', 'api');
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stdout, /^ {2}IRSA\d+ FAIL/m);
    for (const id of [
      'IRSA001',
      'IRSA002',
      'IRSA003',
      'IRSA004',
      'IRSA005',
      'IRSA006',
      'IRSA007',
      'IRSA008',
      'IRSA009',
      'IRSA010',
    ]) {
      assert.match(r.stdout, new RegExp(`^ {2}${id} ok `, 'm'), r.stdout);
    }
    assert.match(r.stdout, /no check failed \(10 ok, 0 FAIL, 0 warn, 0 skipped\)/);
    const { report } = await checksOf('healthy', 'api');
    assert.equal(report.roleArn, role);
    assert.equal(report.exitCode, 0);
    assert.deepEqual(report.summary, { ok: 10, fail: 0, warn: 0, skipped: 0 });
  });
});

describe('each check on a state built to fail it', () => {
  test('IRSA001: a cluster whose issuer has no IAM OIDC provider (exit 6, the enable-oidc command)', async () => {
    h.eks('eu-west-1').addCluster(g.cluster);
    await namespace(g, 'noprovider');
    await serviceAccount(g, 'noprovider', 'app');
    const r = await doctor('noprovider', 'app', '--region', 'eu-west-1');
    assert.equal(r.code, 6, r.stderr);
    assert.match(
      r.stdout,
      /^ {2}IRSA001 FAIL {4}OIDC provider {6}no IAM OIDC provider for the cluster's issuer https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\//m,
    );
    assert.match(r.stdout, /fix: iamsa enable-oidc --cluster demo --region eu-west-1 --approve/);
  });

  test('IRSA001: the provider lacks the audience the service account asks for', async () => {
    await namespace(g, 'aud');
    const role = await bind('aud', 'app');
    await annotate(g, 'aud', 'app', { 'eks.amazonaws.com/audience': 'vault' });
    const { code, byId } = await checksOf('aud', 'app');
    assert.equal(code, 6);
    assert.equal(byId.IRSA001.status, 'fail');
    assert.match(
      byId.IRSA001.message,
      /lacks the audience vault \(the eks\.amazonaws\.com\/audience of aud\/app\)/,
    );
    assert.match(
      byId.IRSA001.fix,
      /^aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn \S+ --client-id vault$/,
    );
    // The trust checks the default audience, so it refuses the custom one too.
    assert.equal(byId.IRSA004.status, 'fail');
    assert.match(
      byId.IRSA004.details.join('\n'),
      /requires aud "sts\.amazonaws\.com", not "vault"/,
    );
    assert.ok(role);
  });

  test('IRSA002: a role-only binding whose namespace is missing: the fix creates it too', async () => {
    const r = await g.iamsa([
      ...['create-serviceaccount', '--cluster', g.cluster, '-n', 'batch', '--name', 'job'],
      ...['--attach-policy-arn', READONLY, '--role-only', ...g.kubeFlags, '--approve'],
    ]);
    assert.equal(r.code, 0, r.stderr);
    const { byId } = await checksOf('batch', 'job');
    assert.equal(byId.IRSA002.status, 'fail');
    // The same commands as create-serviceaccount --role-only's next step: they work without the namespace.
    assert.equal(
      byId.IRSA002.fix,
      `kubectl create namespace batch --dry-run=client -o yaml | kubectl apply --server-side -f - && kubectl create serviceaccount -n batch job --dry-run=client -o yaml | kubectl annotate --local -f - eks.amazonaws.com/role-arn=arn:aws:iam::${ACCOUNT}:role/iamsa-${g.cluster}-batch-job -o yaml | kubectl apply --server-side -f -`,
    );
  });

  test('IRSA002: missing, unannotated, malformed and foreign-partition service accounts', async () => {
    await namespace(g, 'sa2');
    let { code, byId } = await checksOf('sa2', 'ghost');
    assert.equal(code, 6);
    assert.equal(byId.IRSA002.status, 'fail');
    assert.match(byId.IRSA002.message, /service account sa2\/ghost does not exist/);
    // The fix carries the Kubernetes connection flags the user passed.
    assert.equal(
      byId.IRSA002.fix,
      `iamsa create-serviceaccount --cluster demo --region us-east-1 --namespace sa2 --name ghost --attach-policy-arn POLICY_ARN ${g.kubeFlags.join(' ')} --approve  # replace POLICY_ARN with the ARN of the policy the pods need`,
    );
    assert.equal(byId.IRSA003.status, 'skipped');
    assert.equal(byId.IRSA006.status, 'skipped');

    await serviceAccount(g, 'sa2', 'plain');
    ({ byId } = await checksOf('sa2', 'plain'));
    assert.match(
      byId.IRSA002.message,
      /has no eks\.amazonaws\.com\/role-arn annotation: its pods get no web identity and use the node's role/,
    );

    await serviceAccount(g, 'sa2', 'typo', { [ROLE_ANNOTATION]: 'my-app-role' });
    ({ byId } = await checksOf('sa2', 'typo'));
    assert.match(
      byId.IRSA002.message,
      /is not a well-formed role ARN \(STS: "Request ARN is invalid"\).*pass the full ARN, not just the role name/,
    );
    assert.match(
      byId.IRSA002.fix,
      /^kubectl annotate serviceaccount -n sa2 typo --overwrite eks\.amazonaws\.com\/role-arn=arn:aws:iam::111122223333:role\/ROLE_NAME$/,
    );

    await serviceAccount(g, 'sa2', 'china', {
      [ROLE_ANNOTATION]: 'arn:aws-cn:iam::111122223333:role/app',
    });
    ({ byId } = await checksOf('sa2', 'china'));
    assert.equal(byId.IRSA002.status, 'fail');
    assert.match(byId.IRSA002.message, /is in partition aws-cn, the cluster in aws/);

    await serviceAccount(g, 'sa2', 'elsewhere', {
      [ROLE_ANNOTATION]: 'arn:aws:iam::999999999999:role/app',
    });
    ({ code, byId } = await checksOf('sa2', 'elsewhere'));
    assert.equal(byId.IRSA002.status, 'warn');
    assert.match(byId.IRSA002.message, /is in account 999999999999, the cluster in 111122223333/);
    assert.equal(byId.IRSA003.status, 'skipped');
    assert.equal(byId.IRSA003.message, 'the role is in another account');
  });

  test('IRSA003: the role does not exist, or lives under another path', async () => {
    await namespace(g, 'role3');
    await serviceAccount(g, 'role3', 'gone', {
      [ROLE_ANNOTATION]: `arn:aws:iam::${ACCOUNT}:role/deleted-role`,
    });
    let { byId } = await checksOf('role3', 'gone');
    assert.equal(byId.IRSA003.status, 'fail');
    assert.match(byId.IRSA003.message, /role deleted-role does not exist in account 111122223333/);
    for (const id of ['IRSA004', 'IRSA005', 'IRSA010']) assert.equal(byId[id].status, 'skipped');
    // Its fix, pasted as is, says what to put for the policy iamsa cannot know.
    assert.match(
      byId.IRSA003.fix,
      / --attach-policy-arn POLICY_ARN .* {2}# replace POLICY_ARN with the ARN of the policy the pods need$/,
    );
    const pasted = await g.iamsa(
      ['create-serviceaccount', '-c', 'demo', '-n', 'role3', '--name', 'gone'].concat([
        '--attach-policy-arn',
        'POLICY_ARN',
        ...g.kubeFlags,
      ]),
    );
    assert.equal(pasted.code, 2);
    assert.match(
      pasted.stderr,
      /^error: invalid --attach-policy-arn "POLICY_ARN": POLICY_ARN is a placeholder: put the ARN of the policy the pods need/,
    );

    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'pathed',
        Path: '/irsa/',
        AssumeRolePolicyDocument: JSON.stringify(trustOf(statement(providerArn, undefined))),
      }),
    );
    await serviceAccount(g, 'role3', 'pathless', {
      [ROLE_ANNOTATION]: `arn:aws:iam::${ACCOUNT}:role/pathed`,
    });
    ({ byId } = await checksOf('role3', 'pathless'));
    assert.equal(byId.IRSA003.status, 'fail');
    assert.match(
      byId.IRSA003.message,
      /but the role is arn:aws:iam::111122223333:role\/irsa\/pathed \(another path\)/,
    );
    assert.equal(
      byId.IRSA003.fix,
      `kubectl annotate serviceaccount -n role3 pathless --overwrite eks.amazonaws.com/role-arn=arn:aws:iam::${ACCOUNT}:role/irsa/pathed`,
    );
  });

  test('IRSA004: a trust for another service account names the statement and the fixed trust', async () => {
    await namespace(g, 'trust4');
    const arn = await roleWithTrust(
      g,
      'trust4-role',
      trustOf(
        statement(providerArn, {
          StringEquals: {
            [`${host}:sub`]: 'system:serviceaccount:trust4:other',
            [`${host}:aud`]: 'sts.amazonaws.com',
          },
        }),
      ),
    );
    await serviceAccount(g, 'trust4', 'app', { [ROLE_ANNOTATION]: arn });
    const r = await doctor('trust4', 'app');
    assert.equal(r.code, 6);
    assert.match(
      r.stdout,
      /IRSA004 FAIL {4}trust admits {7}the trust of trust4-role does not admit system:serviceaccount:trust4:app with audience sts\.amazonaws\.com/,
    );
    assert.match(
      r.stdout,
      /- statement 0 requires sub "system:serviceaccount:trust4:other", not "system:serviceaccount:trust4:app"/,
    );
    assert.match(
      r.stdout,
      /fix: aws iam update-assume-role-policy --role-name trust4-role --policy-document '\{"Version":"2012-10-17","Statement":\[\{.*"system:serviceaccount:trust4:other".*"system:serviceaccount:trust4:app"/,
    );
  });

  test('IRSA005: a namespace-wide wildcard lets in another existing service account; no aud is a warning', async () => {
    await namespace(g, 'broad5');
    const arn = await roleWithTrust(
      g,
      'broad5-role',
      trustOf(
        statement(providerArn, {
          StringLike: { [`${host}:sub`]: 'system:serviceaccount:broad5:*' },
        }),
      ),
    );
    await serviceAccount(g, 'broad5', 'app', { [ROLE_ANNOTATION]: arn });
    await serviceAccount(g, 'broad5', 'intruder');
    const { byId } = await checksOf('broad5', 'app');
    assert.equal(byId.IRSA004.status, 'ok');
    assert.equal(byId.IRSA005.status, 'fail');
    assert.match(
      byId.IRSA005.message,
      /admits more than broad5\/app: statement 0 matches sub with "system:serviceaccount:broad5:\*"; 2 other existing service accounts can assume it/,
    );
    const details = byId.IRSA005.details.join('\n');
    assert.match(details, /matches ".*:sub" with StringLike "system:serviceaccount:broad5:\*"/);
    assert.match(
      details,
      /also admits these existing service accounts: broad5\/default, broad5\/intruder/,
    );
    assert.match(details, /no condition on ".*:aud"/);
    assert.match(
      byId.IRSA005.fix,
      /^aws iam update-assume-role-policy --role-name broad5-role --policy-document '.*"StringEquals":\{".*:sub":"system:serviceaccount:broad5:app",".*:aud":"sts\.amazonaws\.com"\}/,
    );

    const audless = await roleWithTrust(
      g,
      'audless-role',
      trustOf(
        statement(providerArn, {
          StringEquals: { [`${host}:sub`]: 'system:serviceaccount:broad5:audless' },
        }),
      ),
    );
    await serviceAccount(g, 'broad5', 'audless', { [ROLE_ANNOTATION]: audless });
    const warned = await checksOf('broad5', 'audless');
    assert.equal(warned.byId.IRSA005.status, 'warn');
    assert.match(warned.byId.IRSA005.details[0], /no condition on ".*:aud"/);
  });

  test('IRSA006: a pod started before the annotation changed still has the old role; no pod is a warning', async () => {
    await namespace(g, 'pods6');
    await bind('pods6', 'app');
    await pod(g, 'pods6', 'early', 'app');
    const other = await bind('pods6', 'next');
    await annotate(g, 'pods6', 'app', { [ROLE_ANNOTATION]: other });
    const { byId } = await checksOf('pods6', 'app');
    assert.equal(byId.IRSA006.status, 'fail');
    assert.match(byId.IRSA006.message, /1 of 1 pod\(s\) started before the current annotation/);
    assert.match(
      byId.IRSA006.details[0],
      /pod early \(created .*\) still has AWS_ROLE_ARN=arn:aws:iam::111122223333:role\/iamsa-demo-pods6-app/,
    );
    assert.match(byId.IRSA006.fix, /^kubectl delete pod -n pods6 early /);

    const idle = await checksOf('pods6', 'next');
    assert.equal(idle.byId.IRSA006.status, 'warn');
    assert.match(idle.byId.IRSA006.message, /no pod in pods6 runs as next/);
    assert.equal(idle.byId.IRSA007.status, 'skipped');
    assert.equal(idle.code, 0);
  });

  test('IRSA007: pods the webhook did not inject (created before the annotation; skipped container)', async () => {
    await namespace(g, 'inject7');
    await serviceAccount(g, 'inject7', 'app');
    await pod(g, 'inject7', 'before', 'app');
    await bind('inject7', 'app');
    await pod(g, 'inject7', 'skipped', 'app', {
      annotations: { 'eks.amazonaws.com/skip-containers': 'app' },
    });
    const { byId } = await checksOf('inject7', 'app');
    assert.equal(byId.IRSA007.status, 'fail');
    assert.match(byId.IRSA007.message, /did not inject web identity into 2 of 2 pod\(s\)/);
    const details = byId.IRSA007.details.join('\n');
    assert.match(
      details,
      /pod before has no aws-iam-token projected volume; container app lacks AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, the aws-iam-token mount/,
    );
    assert.match(
      details,
      /container app lacks .* \(it is listed in eks\.amazonaws\.com\/skip-containers\)/,
    );
    assert.match(details, /likely causes: the pod was created before the annotation/);
    assert.match(byId.IRSA007.fix, /^kubectl delete pod -n inject7 before skipped /);
  });

  test('IRSA008 and IRSA009: static keys in the env, a token lifetime under 600 s', async () => {
    await namespace(g, 'env8');
    await bind('env8', 'app');
    await annotate(g, 'env8', 'app', { 'eks.amazonaws.com/token-expiration': '300' });
    await pod(g, 'env8', 'keyed', 'app', {
      env: [
        { name: 'AWS_ACCESS_KEY_ID', value: 'AKIAEXAMPLE' },
        { name: 'AWS_SECRET_ACCESS_KEY', value: 'secret' },
      ],
    });
    const { byId } = await checksOf('env8', 'app');
    assert.equal(byId.IRSA008.status, 'fail');
    assert.match(byId.IRSA008.message, /come first in the SDK credential chain/);
    assert.deepEqual(byId.IRSA008.details, [
      'pod keyed container app sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY',
    ]);
    assert.equal(
      byId.IRSA008.fix,
      'kubectl set env deployment/DEPLOYMENT -n env8 AWS_ACCESS_KEY_ID- AWS_SECRET_ACCESS_KEY-',
    );
    assert.equal(byId.IRSA009.status, 'warn');
    assert.deepEqual(byId.IRSA009.details, ['service account env8/app: "300"']);
    assert.equal(
      byId.IRSA009.fix,
      'kubectl annotate serviceaccount -n env8 app --overwrite eks.amazonaws.com/token-expiration=86400',
    );
  });

  test('IRSA010: a role that grants nothing', async () => {
    await namespace(g, 'perm10');
    const arn = await roleWithTrust(
      g,
      'perm10-role',
      trustOf(
        statement(providerArn, {
          StringEquals: {
            [`${host}:sub`]: 'system:serviceaccount:perm10:app',
            [`${host}:aud`]: 'sts.amazonaws.com',
          },
        }),
      ),
      null,
    );
    await serviceAccount(g, 'perm10', 'app', { [ROLE_ANNOTATION]: arn });
    const { byId } = await checksOf('perm10', 'app');
    assert.equal(byId.IRSA004.status, 'ok');
    assert.equal(byId.IRSA005.status, 'ok');
    assert.equal(byId.IRSA010.status, 'fail');
    assert.match(byId.IRSA010.message, /role perm10-role grants nothing/);
    assert.equal(
      byId.IRSA010.fix,
      'aws iam attach-role-policy --role-name perm10-role --policy-arn POLICY_ARN  # replace POLICY_ARN with the ARN of the policy the pods need',
    );
  });
});

describe('IRSA010 drift: an iamsa role whose policies changed outside iamsa', () => {
  test('attached, detached or edited by hand is a warning with the fix; create and update record what they apply', async () => {
    await namespace(g, 'drift');
    const policy = join(dir, 'policy.json');
    const DOC = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }],
    };
    writeFileSync(policy, JSON.stringify(DOC));
    const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
    const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
    const create = [
      'create-serviceaccount',
      '--cluster',
      g.cluster,
      '--namespace',
      'drift',
      '--name',
      'app',
      '--attach-policy-arn',
      READONLY,
      '--attach-policy-arn',
      S3_READ,
      '--attach-policy',
      policy,
      ...g.kubeFlags,
    ];
    const plan = await g.iamsa(create);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(
      plan.stdout,
      /tags iamsa\.io\/managed-by=iamsa,.*,iamsa\.io\/policies=[0-9a-f]{12}$/m,
    );
    const made = await g.iamsa([...create, '--approve']);
    assert.equal(made.code, 0, made.stderr);
    const role = 'iamsa-demo-drift-app';
    const recorded = async () =>
      (await g.iam.send(new GetRoleCommand({ RoleName: role }))).Role?.Tags?.find(
        (t: any) => t.Key === 'iamsa.io/policies',
      )?.Value;
    const first = await recorded();
    assert.match(first ?? '', /^[0-9a-f]{12}$/);
    assert.equal((await checksOf('drift', 'app')).byId.IRSA010.status, 'ok');

    // Someone attaches AdministratorAccess by hand: a warning (exit 0), naming it.
    await g.iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: ADMIN }));
    const text = await doctor('drift', 'app');
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      new RegExp(
        `^ {2}IRSA010 warn {4}role permissions {3}the policies of role ${role} changed since iamsa last applied them \\(iamsa\\.io/policies records ${first}, they are now [0-9a-f]{12}\\)`,
        'm',
      ),
    );
    assert.match(
      text.stdout,
      /^ {10}- arn:aws:iam::aws:policy\/AdministratorAccess \(attached outside iamsa\)$/m,
    );
    const kube = g.kubeFlags.join(' ');
    // Removing the drift, not recording it (flags leave it attached); the
    // fix carries the Kubernetes flags the user passed.
    assert.ok(
      text.stdout.includes(
        `          fix: aws iam detach-role-policy --role-name iamsa-demo-drift-app --policy-arn arn:aws:iam::aws:policy/AdministratorAccess; see the binding: iamsa get-serviceaccounts --cluster demo --region us-east-1 -n drift --name app ${kube}\n`,
      ),
      text.stdout,
    );
    await g.iam.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: ADMIN }));
    assert.equal((await checksOf('drift', 'app')).byId.IRSA010.status, 'ok', 'back as applied');

    // A managed policy detached, the inline policy edited: warnings; re-running create puts
    // both back, and its record was never changed.
    await g.iam.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: S3_READ }));
    assert.equal((await checksOf('drift', 'app')).byId.IRSA010.status, 'warn');
    await g.iam.send(
      new PutRolePolicyCommand({
        RoleName: role,
        PolicyName: 'iamsa-inline',
        PolicyDocument: JSON.stringify({
          ...DOC,
          Statement: [{ ...DOC.Statement[0], Resource: '*' }],
        }),
      }),
    );
    assert.equal((await checksOf('drift', 'app')).byId.IRSA010.status, 'warn');
    const again = await g.iamsa([...create, '--approve']);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /iamsa\.io\/policies:/, 'the record did not change');
    assert.equal(await recorded(), first);
    assert.equal((await checksOf('drift', 'app')).byId.IRSA010.status, 'ok');

    // update-serviceaccount's removals are recorded: no drift after them.
    const removed = await g.iamsa([
      'update-serviceaccount',
      '--cluster',
      g.cluster,
      '-n',
      'drift',
      '--name',
      'app',
      '--detach-policy-arn',
      S3_READ,
      '--remove-inline-policy',
      ...g.kubeFlags,
      '--approve',
    ]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, new RegExp(`tags iamsa\\.io/policies: ${first} -> [0-9a-f]{12}`));
    assert.notEqual(await recorded(), first);
    const after = await checksOf('drift', 'app');
    assert.equal(after.byId.IRSA010.status, 'ok');
    assert.equal(after.byId.IRSA010.message, 'policies: 1 managed, 0 inline');
  });
});

describe('IRSA010 drift: every policy iamsa did not put there in one run', () => {
  test('a policy attached by hand and an inline one written by hand: both named, one fix line each', async () => {
    await namespace(g, 'both');
    const role = await bindReadOnly(g, 'both', 'app');
    const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
    await g.iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: ADMIN }));
    await g.iam.send(
      new PutRolePolicyCommand({
        RoleName: role,
        PolicyName: 'extra',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
        }),
      }),
    );
    const { code, byId } = await checksOf('both', 'app');
    assert.equal(code, 0);
    const c = byId.IRSA010;
    assert.equal(c.status, 'warn');
    assert.match(
      c.message,
      /changed since iamsa last applied them \(.*\): arn:aws:iam::aws:policy\/AdministratorAccess was attached outside iamsa; inline policy extra was written outside iamsa$/,
    );
    assert.ok(c.details.includes(`${ADMIN} (attached outside iamsa)`), c.details.join('\n'));
    assert.ok(c.details.includes('inline extra (written outside iamsa)'), c.details.join('\n'));
    assert.ok(!c.details.some((d: string) => /delete them by hand/.test(d)), c.details.join('\n'));
    assert.match(
      c.fix,
      new RegExp(
        `^aws iam detach-role-policy --role-name ${role} --policy-arn ${ADMIN} && aws iam delete-role-policy --role-name ${role} --policy-name extra; see the binding: `,
      ),
    );
  });
});

describe('IRSA010 drift survives an additive run: flags record what iamsa declared, never the drift', () => {
  const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
  const SQS = 'arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess';
  const S3 = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
  for (const mechanism of ['irsa', 'pod-identity']) {
    test(`${mechanism}: update-serviceaccount and a create re-run warn IRSA-W002 naming the hand-attached policy and leave doctor warning`, async () => {
      const ns = `add-${mechanism}`;
      await namespace(g, ns);
      await g.installPodIdentityAgent(g.cluster);
      const binding = ['--cluster', g.cluster, '-n', ns, '--name', 'app', ...g.kubeFlags];
      const create = ['create-serviceaccount', ...binding, '--mechanism', mechanism];
      const made = await g.iamsa([...create, '--attach-policy-arn', READONLY, '--approve']);
      assert.equal(made.code, 0, made.stderr);
      const role = `iamsa-demo-${ns}-app`;
      await g.iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: ADMIN }));
      const drifted = async () => {
        const { byId } = await checksOf(ns, 'app');
        assert.equal(byId.IRSA010.status, 'warn', byId.IRSA010.message);
        assert.match(byId.IRSA010.message, /AdministratorAccess was attached outside iamsa/);
      };
      await drifted();

      const updated = await g.iamsa([
        'update-serviceaccount',
        ...binding,
        '--attach-policy-arn',
        SQS,
        '--approve',
        '-o',
        'json',
      ]);
      assert.equal(updated.code, 0, updated.stderr);
      const warned = json(updated.stdout).warnings.join('\n');
      assert.match(warned, /IRSA-W002.*AdministratorAccess.*attached outside iamsa/);
      await drifted();

      // A create re-run with a new policy: the same.
      const again = await g.iamsa([
        ...create,
        '--attach-policy-arn',
        S3,
        '--approve',
        '-o',
        'json',
      ]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(json(again.stdout).warnings.join('\n'), /IRSA-W002.*AdministratorAccess/);
      await drifted();

      // Detaching the drift by hand: what iamsa applied, all of it, is recorded.
      await g.iam.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: ADMIN }));
      const { byId } = await checksOf(ns, 'app');
      assert.equal(byId.IRSA010.status, 'ok', byId.IRSA010.message);
      assert.equal(byId.IRSA010.message, 'policies: 3 managed, 0 inline');
    });
  }
});

describe('usage', () => {
  test('--cluster and --name are required (exit 2); -o yaml prints the report', async () => {
    const r = await g.iamsa(['doctor', '-n', 'default']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing required flags: --cluster, --name/);
    const bad = await g.iamsa(['doctor', '-c', 'demo', '--name', 'x', '--simulate', 'nope']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid --simulate action "nope"/);
    const y = await doctor('default', 'default', '-o', 'yaml');
    assert.equal(y.code, 6, y.stderr);
    assert.match(y.stdout, /^command: doctor$/m);
    assert.match(y.stdout, /id: IRSA002/);
  });
});

describe('a fix for iamsa own role never adopts a policy attached outside iamsa', () => {
  const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
  test("Admin attached by hand and the trust changed: no fix names Admin, IRSA005 defers to IRSA004, whose fix restores iamsa's trust; update then converges, doctor still warns IRSA010", async () => {
    await namespace(g, 'adopt');
    await namespace(g, 'backend');
    await serviceAccount(g, 'backend', 's3-reader', {});
    const arn = await bind('adopt', 'api');
    const role = arn.split('/').pop() ?? '';
    await g.iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: ADMIN }));
    const other = trustOf(
      statement(providerArn, {
        StringEquals: {
          [`${host}:sub`]: 'system:serviceaccount:backend:s3-reader',
          [`${host}:aud`]: 'sts.amazonaws.com',
        },
      }),
    );
    const setTrust = (doc: string) =>
      g.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: role, PolicyDocument: doc }));
    await setTrust(JSON.stringify(other));
    const { byId } = await checksOf('adopt', 'api');
    assert.match(byId.IRSA010.message, /AdministratorAccess was attached outside iamsa/);
    assert.equal(byId.IRSA004.status, 'fail');
    assert.doesNotMatch(JSON.stringify(byId), /--attach-policy-arn [^ ]*AdministratorAccess/);
    // The trust holds no statement of iamsa's for adopt/api: iamsa will not take the role over,
    // so the fix restores iamsa's exact trust by hand, naming no policy.
    const added =
      /^aws iam update-assume-role-policy --role-name \S+ --policy-document '(.*)'$/.exec(
        byId.IRSA004.fix,
      );
    assert.ok(added, byId.IRSA004.fix);
    assert.match(byId.IRSA004.message, /carries iamsa's tags but its trust no longer holds/);
    assert.equal(byId.IRSA005.status, 'skipped', byId.IRSA005.message);
    assert.match(
      byId.IRSA005.message,
      /does not admit system:serviceaccount:adopt:api \(see IRSA004\)/,
    );
    await setTrust(added[1] ?? '');
    // Now iamsa's trust is back: update-serviceaccount converges the role again.
    const pasted = await g.iamsa([
      'update-serviceaccount',
      '--cluster',
      g.cluster,
      '-n',
      'adopt',
      '--name',
      'api',
      ...g.kubeFlags,
      '--approve',
    ]);
    assert.equal(pasted.code, 0, pasted.stderr);
    const after = await checksOf('adopt', 'api');
    assert.equal(after.byId.IRSA005.status, 'ok', after.byId.IRSA005.message);
    assert.equal(after.byId.IRSA010.status, 'warn');
    assert.match(after.byId.IRSA010.message, /AdministratorAccess was attached outside iamsa/);
  });
});

describe('a mistyped namespace or name says what was meant', () => {
  test('a missing namespace is IRSA-W025 naming the nearest; a missing service account names the nearest one; the fix runs doctor on it; update-serviceaccount says the same', async () => {
    await namespace(g, 'payments');
    await bind('payments', 'api');
    const ns = await checksOf('paymnts', 'api');
    assert.match(
      ns.report.warnings.join('\n'),
      /IRSA-W025 namespace paymnts does not exist in cluster demo: did you mean payments\?/,
    );
    assert.equal(
      ns.byId.IRSA002.message,
      'service account paymnts/api does not exist: did you mean payments/api?',
    );
    assert.match(ns.byId.IRSA002.fix, /^iamsa doctor --cluster demo .*-n payments --name api /);
    const name = await checksOf('payments', 'apii');
    assert.equal(name.report.warnings, undefined);
    assert.equal(
      name.byId.IRSA002.message,
      'service account payments/apii does not exist: did you mean payments/api?',
    );
    assert.match(
      name.byId.IRSA002.fix,
      /^iamsa doctor .*-n payments --name api .*# or make payments\/apii with iamsa create-serviceaccount$/,
    );
    // Nothing near: the create line as before.
    const far = await checksOf('payments', 'zzzzzz');
    assert.match(far.byId.IRSA002.fix, /^iamsa create-serviceaccount /);
    // No -n: the same name in another namespace of the cluster, not default/api to create.
    const noNs = await checksOf('default', 'api');
    assert.equal(
      noNs.byId.IRSA002.message,
      'service account default/api does not exist: did you mean payments/api?',
    );
    assert.match(noNs.byId.IRSA002.fix, /^iamsa doctor .*-n payments --name api /);
    // update-serviceaccount of a binding it cannot find says the nearest too.
    const update = (ns: string, name: string) =>
      g.iamsa([
        'update-serviceaccount',
        '-c',
        g.cluster,
        '-n',
        ns,
        '--name',
        name,
        ...g.kubeFlags,
        '--approve',
      ]);
    const apii = await update('payments', 'apii');
    assert.notEqual(apii.code, 0);
    assert.match(
      apii.stderr,
      /did you mean --namespace payments --name api\? Else create it with iamsa create-serviceaccount/,
    );
    const paymnts = await update('paymnts', 'api');
    assert.notEqual(paymnts.code, 0);
    assert.match(
      paymnts.stderr,
      /IRSA-W025 namespace paymnts does not exist in cluster demo: did you mean payments\?/,
    );
    assert.match(paymnts.stderr, /did you mean --namespace payments --name api\?/);
  });
});

describe('a Pod Identity binding whose association was deleted by hand', () => {
  test('doctor runs the Pod Identity checks: PODID002 fails with the fix that recreates it; a plain update-serviceaccount finds the mechanism from the role', async () => {
    const binding = await bindPodIdentity('apps', 'pi-app');
    const unassociate = async () => {
      for (const [id, a] of h.eks().associations) {
        if (a.namespace === 'apps') await h.eks().deletePodIdentityAssociation(g.cluster, id);
      }
      assert.equal(g.eksEndpoint.associations(g.cluster).length, 0);
    };
    await unassociate();
    const { byId, report } = await checksOf('apps', 'pi-app');
    assert.equal(report.mechanism, 'pod-identity');
    assert.equal(byId.IRSA002, undefined, 'no IRSA check');
    assert.equal(byId.PODID002.status, 'fail');
    assert.match(
      byId.PODID002.message,
      /apps\/pi-app has no Pod Identity association: iamsa's role for it, .*iamsa-demo-apps-pi-app, is a Pod Identity role/,
    );
    assert.match(
      byId.PODID002.fix,
      /^iamsa update-serviceaccount --mechanism pod-identity --cluster demo .*--approve$/,
    );
    assert.equal(byId.IRSA010.status, 'ok', byId.IRSA010.message);
    // Pasted, it recreates the association; doctor then finds it.
    const pasted = await g.iamsa(byId.PODID002.fix.split(' ').slice(1));
    assert.equal(pasted.code, 0, pasted.stderr);
    assert.equal(g.eksEndpoint.associations(g.cluster).length, 1);
    assert.equal((await checksOf('apps', 'pi-app')).byId.PODID002.status, 'ok');
    // Without --mechanism, update-serviceaccount reads the mechanism from iamsa's role.
    await unassociate();
    const plain = await g.iamsa(['update-serviceaccount', ...binding, '--approve', '-o', 'json']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(g.eksEndpoint.associations(g.cluster).length, 1);
  });
});

describe('iamsa tags on a trust changed by hand (the ownership rules): doctor and audit say so and print the restore', () => {
  const DRIFTED =
    /carries iamsa's tags but its trust no longer holds iamsa's statement: iamsa will not rewrite it/;
  const RESTORE = /^aws iam update-assume-role-policy --role-name (\S+) --policy-document '(.*)'$/;
  // Pasted as is: the fake AWS CLI is the IAM client.
  const pasteTrust = async (fix: string) => {
    const m = RESTORE.exec(fix);
    assert.ok(m, fix);
    await g.iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: m[1], PolicyDocument: m[2] ?? '' }),
    );
  };
  const trustNow = async (role: string) =>
    JSON.parse(
      decodeURIComponent(
        (await g.iam.send(new GetRoleCommand({ RoleName: role }))).Role?.AssumeRolePolicyDocument ??
          '',
      ),
    );
  const setTrust = (role: string, doc: unknown) =>
    g.iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: role, PolicyDocument: JSON.stringify(doc) }),
    );
  const auditOf = async () => {
    const r = await g.iamsa(['audit', '-c', g.cluster, ...g.kubeFlags, '-o', 'json']);
    return json(r.stdout).findings as any[];
  };

  test('Pod Identity: aws:SourceArn removed; PODID003 says it, PODID005 and audit PODID103 print the exact trust; the refusal hint too; pasted, update converges and doctor is ok', async () => {
    const binding = await bindPodIdentity('payments', 'worker');
    const role = 'iamsa-demo-payments-worker';
    const iamsas = podIdentityTrust(ACCOUNT, `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/demo`);
    assert.deepEqual(await trustNow(role), iamsas);
    const loose: any = structuredClone(iamsas);
    delete loose.Statement[0].Condition.ArnEquals;
    await setTrust(role, loose);
    const { byId } = await checksOf('payments', 'worker');
    assert.match(byId.PODID003.message, DRIFTED);
    assert.doesNotMatch(byId.PODID003.message, /iamsa made it/);
    assert.equal(byId.PODID005.status, 'warn');
    assert.match(byId.PODID005.message, DRIFTED);
    assert.deepEqual(JSON.parse(RESTORE.exec(byId.PODID005.fix)?.[2] ?? ''), iamsas);
    const findings = await auditOf();
    const podid103 = findings.find((f) => f.id === 'PODID103');
    assert.ok(podid103, JSON.stringify(findings));
    assert.match(podid103.message, DRIFTED);
    assert.equal(podid103.fix, byId.PODID005.fix);
    // The iamsa command refuses the role (exit 5) and its hint prints the same restore.
    const refused = await g.iamsa(['update-serviceaccount', ...binding, '--approve']);
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(
      refused.stderr,
      /restore the trust with: aws iam update-assume-role-policy --role-name iamsa-demo-payments-worker --policy-document '\{/,
    );
    await pasteTrust(byId.PODID005.fix);
    const after = await checksOf('payments', 'worker');
    assert.equal(after.byId.PODID005.status, 'ok', after.byId.PODID005.message);
    assert.match(after.byId.PODID003.message, /iamsa made it for this service account/);
    const converged = await g.iamsa(['update-serviceaccount', ...binding, '--approve']);
    assert.equal(converged.code, 0, converged.stderr);
  });

  test('Pod Identity, a role iamsa does not own: audit PODID103 and doctor PODID005 print a pasteable narrowed trust', async () => {
    // The EKS user guide's trust without its conditions: any cluster's associations.
    const wide: any = podIdentityTrust(ACCOUNT, 'any');
    delete wide.Statement[0].Condition;
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'hand-made',
        AssumeRolePolicyDocument: JSON.stringify(wide),
      }),
    );
    await bindPodIdentity(
      'other',
      'w',
      '--attach-role-arn',
      `arn:aws:iam::${ACCOUNT}:role/hand-made`,
    );
    const { byId } = await checksOf('other', 'w');
    assert.equal(byId.PODID005.status, 'warn');
    const findings = await auditOf();
    const podid103 = findings.find((f) => f.id === 'PODID103');
    assert.ok(podid103, JSON.stringify(findings));
    assert.equal(podid103.fix, byId.PODID005.fix);
    await pasteTrust(podid103.fix);
    const after = await checksOf('other', 'w');
    assert.equal(after.byId.PODID004.status, 'ok', after.byId.PODID004.message);
    assert.equal(after.byId.PODID005.status, 'ok', after.byId.PODID005.message);
    assert.equal(
      (await auditOf()).find((f) => f.id === 'PODID103'),
      undefined,
    );
  });

  test('IRSA: sub widened to the namespace and aud dropped; audit IRSA102/103 and doctor print the exact trust; pasted, create converges and doctor is ok', async () => {
    await namespace(g, 'payments');
    const arn = await bind('payments', 'api');
    const role = arn.split('/').pop() ?? '';
    const iamsas = irsaTrust(providerArn, 'payments', 'api');
    assert.deepEqual(await trustNow(role), iamsas);
    const create = () =>
      g.iamsa([
        'create-serviceaccount',
        ...['--cluster', g.cluster, '-n', 'payments', '--name', 'api', ...g.kubeFlags],
        ...['--attach-policy-arn', READONLY, '--override-existing-serviceaccounts', '--approve'],
      ]);
    await setTrust(
      role,
      trustOf(
        statement(providerArn, {
          StringLike: { [`${host}:sub`]: 'system:serviceaccount:payments:*' },
        }),
      ),
    );
    const refused = await create();
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(refused.stderr, /restore the trust with: aws iam update-assume-role-policy/);
    const findings = (await auditOf()).filter((f) => f.role === arn && f.id !== 'IRSA109');
    assert.deepEqual(findings.map((f) => f.id).sort(), ['IRSA102', 'IRSA103']);
    for (const f of findings) {
      assert.match(f.message, DRIFTED);
      assert.doesNotMatch(f.message, /re-run the iamsa command/);
      assert.deepEqual(JSON.parse(RESTORE.exec(f.fix)?.[2] ?? ''), iamsas);
    }
    const { byId } = await checksOf('payments', 'api');
    assert.match(byId.IRSA003.message, DRIFTED);
    assert.equal(byId.IRSA005.status, 'fail');
    assert.match(byId.IRSA005.message, DRIFTED);
    assert.deepEqual(JSON.parse(RESTORE.exec(byId.IRSA005.fix)?.[2] ?? ''), iamsas);
    await pasteTrust(findings[0].fix);
    const after = await checksOf('payments', 'api');
    assert.equal(after.byId.IRSA005.status, 'ok', after.byId.IRSA005.message);
    assert.match(after.byId.IRSA003.message, /iamsa made it for this service account/);
    const again = await create();
    assert.equal(again.code, 0, again.stderr);
  });
});
