// audit is precise (issue 16): the findings of trusts found by hand, as pure functions of the
// gathered state. Missed wide trusts, false highs, iamsa's own bindings, the IRSA106 fix.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  auditFindings,
  type AuditState,
  rolesAdmittingOthers,
} from '../../src/actions/report/audit-irsa.js';
import {
  bindingRoleTags,
  buildTrustStatement,
  type PolicyStatement,
  sharedRoleOwnershipTags,
} from '../../src/policy/index.js';

const ACCOUNT = '111122223333';
const HOST = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const OTHER_HOST = 'oidc.eks.us-west-2.amazonaws.com/id/OTHER';
const OTHER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${OTHER_HOST}`;
const CLUSTER_ARN = `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/prod`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/r`;
const sa = (namespace: string, name: string) => ({ namespace, name, annotations: {}, labels: {} });
const good = (name = 'web', host = HOST, provider = PROVIDER): PolicyStatement =>
  buildTrustStatement({
    providerArn: provider,
    issuerHostPath: host,
    namespace: 'shop',
    serviceAccount: name,
  });
const webIdentity = (Condition: Record<string, unknown>, Effect: 'Allow' | 'Deny' = 'Allow') => ({
  Effect,
  Principal: { Federated: PROVIDER },
  Action: 'sts:AssumeRoleWithWebIdentity',
  ...(Object.keys(Condition).length ? { Condition } : {}),
});
const SUB = `${HOST}:sub`;
const AUD = `${HOST}:aud`;

function audit(statements: object[], over: Partial<AuditState> = {}) {
  const state: AuditState = {
    context: { cluster: 'prod', region: 'eu-west-1' },
    cluster: {
      name: 'prod',
      arn: CLUSTER_ARN,
      accountId: ACCOUNT,
      partition: 'aws',
      region: 'eu-west-1',
      endpoint: 'https://x',
      issuer: `https://${HOST}`,
    },
    oidc: { issuer: `https://${HOST}`, hostPath: HOST, providerArn: PROVIDER },
    roles: [
      {
        role: { arn: ROLE, name: 'r', path: '/', trustPolicy: '' },
        trust: { Version: '2012-10-17', Statement: statements as PolicyStatement[] },
      },
    ],
    serviceAccounts: [sa('shop', 'web'), sa('shop', 'api'), sa('ops', 'tool')],
    pods: [],
    goneProviders: new Map(),
    ...over,
  };
  return auditFindings(state).findings;
}
const ids = (findings: ReturnType<typeof audit>) => findings.map((f) => `${f.id} ${f.severity}`);

describe('audit: the wide trusts it missed', () => {
  it('a good statement plus Principal AWS:* with sts:AssumeRole is high', () => {
    const f = audit([
      good(),
      { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' },
    ]);
    assert.deepEqual(ids(f), ['IRSA110 high']);
    assert.doesNotMatch(f[0]?.fix ?? '', /"AWS"/, 'its fix drops the statement');
  });

  it('AWS:* with only sts:AssumeRoleWithSAML is no exposure (SAML needs a SAML provider as principal)', () => {
    const f = audit([
      good(),
      { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRoleWithSAML' },
    ]);
    assert.deepEqual(ids(f), []);
  });

  it('Principal "*" with sts:AssumeRoleWithSAML is open (it matches SAML providers too)', () => {
    const f = audit([
      good(),
      { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRoleWithSAML' },
    ]);
    assert.deepEqual(ids(f), ['IRSA110 high']);
    assert.match(f[0]?.message ?? '', /every principal \(any AWS principal or SAML provider/);
  });

  it('AWS:* with sts:* is open: sts:AssumeRole is among its actions', () => {
    const f = audit([good(), { Effect: 'Allow', Principal: { AWS: ['*'] }, Action: 'sts:*' }]);
    assert.deepEqual(ids(f), ['IRSA110 high']);
  });

  it('StringLike aud "*" does not check the audience', () => {
    const f = audit([
      webIdentity({
        StringEquals: { [SUB]: 'system:serviceaccount:shop:web' },
        StringLike: { [AUD]: '*' },
      }),
    ]);
    assert.deepEqual(ids(f), ['IRSA103 medium']);
    assert.match(f[0]?.message ?? '', /only with "\*"/);
  });

  it('ForAnyValue:StringLike aud with a "*" member does not check it either', () => {
    const f = audit([
      webIdentity({
        StringEquals: { [SUB]: 'system:serviceaccount:shop:web' },
        'ForAnyValue:StringLike': { [AUD]: ['sts.amazonaws.com', '*'] },
      }),
    ]);
    assert.deepEqual(ids(f), ['IRSA103 medium']);
  });
});

describe('audit: no false highs', () => {
  it('an Allow without sub narrowed by a Deny StringNotEquals sub admits one service account', () => {
    const f = audit([
      webIdentity({ StringEquals: { [AUD]: 'sts.amazonaws.com' } }),
      webIdentity({ StringNotEquals: { [SUB]: 'system:serviceaccount:shop:web' } }, 'Deny'),
    ]);
    assert.deepEqual(ids(f), []);
  });

  it('a Deny with two keys denies only when both match: no bound, still high', () => {
    const f = audit([
      webIdentity({ StringEquals: { [AUD]: 'sts.amazonaws.com' } }),
      webIdentity(
        {
          StringNotEquals: {
            [SUB]: 'system:serviceaccount:shop:web',
            [AUD]: 'sts.amazonaws.com',
          },
        },
        'Deny',
      ),
    ]);
    assert.deepEqual(ids(f), ['IRSA101 high', 'IRSA107 info']);
  });

  it('a role with a blanket Deny that nobody can assume is no finding', () => {
    const f = audit([
      webIdentity({}),
      { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRoleWithWebIdentity' },
    ]);
    assert.deepEqual(ids(f), []);
  });
});

describe("audit: iamsa's own bindings are not findings", () => {
  it('a --role-only binding waiting for its service account is not IRSA104 (without tags it is)', () => {
    const statements = [good('ghost')];
    assert.deepEqual(ids(audit(statements)), ['IRSA104 medium']);
    const tags = new Map([
      [ROLE, bindingRoleTags('irsa', 'prod', 'shop', 'ghost', CLUSTER_ARN, 'x')],
    ]);
    assert.deepEqual(ids(audit(statements, { tags })), []);
  });

  it('a role iamsa shares between clusters is not IRSA107', () => {
    const statements = [good(), good('web', OTHER_HOST, OTHER)];
    assert.deepEqual(ids(audit(statements)), ['IRSA107 info']);
    const tags = new Map([
      [
        ROLE,
        sharedRoleOwnershipTags('shop', 'web', [
          { name: 'prod', arn: CLUSTER_ARN },
          { name: 'dr', arn: `arn:aws:eks:us-west-2:${ACCOUNT}:cluster/dr` },
        ]),
      ],
    ]);
    assert.deepEqual(ids(audit(statements, { tags })), []);
  });

  it("a finding on iamsa's role says the trust is iamsa's; a trust without iamsa's statement says to restore it", () => {
    const tags = new Map([
      [ROLE, bindingRoleTags('irsa', 'prod', 'shop', 'web', CLUSTER_ARN, 'x')],
    ]);
    // iamsa's statement is there: iamsa re-derives the trust.
    const wide = webIdentity({
      StringEquals: {
        [SUB]: 'system:serviceaccount:shop:web',
        [`${HOST}:aud`]: ['sts.amazonaws.com', 'x'],
      },
    });
    const ours = audit([good(), wide], { tags });
    assert.deepEqual(ids(ours), ['IRSA103 low']);
    assert.match(ours[0]?.message ?? '', /\(iamsa's role for shop\/web of prod: re-run /);
    // No aud: no statement iamsa writes, so iamsa refuses the role (the ownership rules).
    const f = audit([webIdentity({ StringEquals: { [SUB]: 'system:serviceaccount:shop:web' } })], {
      tags,
    });
    assert.deepEqual(ids(f), ['IRSA103 medium']);
    assert.match(
      f[0]?.message ?? '',
      /\(r carries iamsa's tags but its trust no longer holds iamsa's statement: iamsa will not rewrite it; restore the trust with:\)$/,
    );
    assert.equal(
      f[0]?.fix,
      `aws iam update-assume-role-policy --role-name r --policy-document '${JSON.stringify({ Version: '2012-10-17', Statement: [good()] })}'`,
    );
  });
});

describe('audit: IRSA106', () => {
  it('the fix for a gone provider drops the AWS:* statement too', () => {
    const f = audit(
      [
        good(),
        good('web', OTHER_HOST, OTHER),
        { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' },
      ],
      { goneProviders: new Map([[OTHER, 'a provider that no longer exists in IAM']]) },
    );
    const fix = f.find((x) => x.id === 'IRSA106')?.fix ?? '';
    assert.match(fix, /update-assume-role-policy/);
    assert.doesNotMatch(fix, /"AWS"/);
    assert.doesNotMatch(fix, /OTHER/);
    assert.match(fix, /EXAMPLE/);
  });
});

describe("audit: a service account annotated with iamsa's role for another binding", () => {
  it("IRSA105 never suggests widening that role's trust: its fix gives the account its own role", () => {
    const f = audit([good('web')], {
      serviceAccounts: [
        sa('shop', 'web'),
        {
          ...sa('evil', 'thief'),
          annotations: { 'eks.amazonaws.com/role-arn': ROLE },
        },
      ],
      tags: new Map([[ROLE, bindingRoleTags('irsa', 'prod', 'shop', 'web', CLUSTER_ARN, 'x')]]),
    });
    const irsa105 = f.find((x) => x.id === 'IRSA105');
    assert.ok(irsa105, JSON.stringify(f));
    assert.doesNotMatch(irsa105.fix ?? '', /update-assume-role-policy|thief"/);
    assert.match(irsa105.fix ?? '', /create-serviceaccount .*--namespace evil --name thief/);
    assert.match(irsa105.fix ?? '', /stays as it is/);
    assert.match(irsa105.message, /iamsa's role for shop\/web/);
  });

  it("a role not iamsa's still gets the trust fix", () => {
    const f = audit([good('web')], {
      serviceAccounts: [
        { ...sa('shop', 'api'), annotations: { 'eks.amazonaws.com/role-arn': ROLE } },
      ],
    });
    assert.match(f.find((x) => x.id === 'IRSA105')?.fix ?? '', /update-assume-role-policy/);
  });
});

describe('audit names the statement that admits (M5)', () => {
  const ops = webIdentity({
    StringLike: { [SUB]: 'system:serviceaccount:ops:*' },
    StringEquals: { [AUD]: 'sts.amazonaws.com' },
  });

  it('a good statement and a wildcard one: the finding lists only whom the wildcard admits, and its fix keeps the good one', () => {
    const f = audit([good(), ops]).filter((x) => x.id === 'IRSA102');
    assert.equal(f.length, 1);
    assert.match(
      f[0]?.message ?? '',
      /^statement 1 matches sub with "system:serviceaccount:ops:\*"/,
    );
    assert.match(f[0]?.message ?? '', /: 1 existing service account\(s\) match \(ops\/tool\)/);
    assert.doesNotMatch(f[0]?.message ?? '', /shop\/web/);
    // The fix drops statement 1 and keeps statement 0 (shop/web still gets the role).
    assert.match(f[0]?.fix ?? '', /aws iam update-assume-role-policy/);
    assert.match(f[0]?.fix ?? '', /system:serviceaccount:shop:web/);
    assert.doesNotMatch(f[0]?.fix ?? '', /ops:\*/);
  });

  it('two wide statements: one finding each, each with the service accounts it admits', () => {
    const shop = webIdentity({
      StringLike: { [SUB]: 'system:serviceaccount:shop:*' },
      StringEquals: { [AUD]: 'sts.amazonaws.com' },
    });
    const f = audit([shop, ops]).filter((x) => x.id === 'IRSA102');
    assert.deepEqual(
      f.map((x) => x.message),
      [
        'statement 0 matches sub with "system:serviceaccount:shop:*" within one namespace: 2 existing service account(s) match (shop/web, shop/api), and so will any new one that fits',
        'statement 1 matches sub with "system:serviceaccount:ops:*" within one namespace: 1 existing service account(s) match (ops/tool), and so will any new one that fits',
      ],
    );
  });

  it('a statement without sub next to a good one: IRSA101 names it, and the fix is the good one alone', () => {
    const f = audit([good(), webIdentity({ StringEquals: { [AUD]: 'sts.amazonaws.com' } })]);
    const nosub = f.find((x) => x.id === 'IRSA101');
    assert.match(nosub?.message ?? '', /^statement 1 has no condition/);
    assert.doesNotMatch(nosub?.fix ?? '', /delete the role/);
    const trust = JSON.parse(/'(\{.*\})'/.exec(nosub?.fix ?? '')?.[1] ?? '{}') as {
      Statement: unknown[];
    };
    assert.deepEqual(trust.Statement, [good()]);
  });
});

describe('audit: IRSA107 says plainly what is wrong, why it matters and the fix', () => {
  it('one role, several workloads: every permission of the others, one name in CloudTrail, a role each', () => {
    const [f] = audit([good(), good('web', OTHER_HOST, OTHER)]);
    assert.equal(f?.id, 'IRSA107');
    assert.equal(f?.title, 'one role for several workloads');
    assert.match(
      f?.message ?? '',
      /^one role serves .*: each of them gets every permission any of them needs/,
    );
    assert.match(
      f?.message ?? '',
      /CloudTrail shows the same role for all, so an action cannot be traced to its workload/,
    );
    assert.match(
      f?.fix ?? '',
      /^give each service account a role of its own with only what it needs .*: iamsa create-serviceaccount /,
    );
    assert.doesNotMatch(f?.fix ?? '', /for each service account$/);
  });
});

describe('rolesAdmittingOthers (whose tags IRSA111 needs)', () => {
  const role = (arn: string, admits: string[], annotatedBy: string[]) => ({
    arn,
    admits,
    annotatedBy,
    cloudTrail: '',
  });
  it('names a role admitting a service account not annotated with it, or several', () => {
    assert.deepEqual(
      rolesAdmittingOthers([
        role('own', ['a/app'], ['a/app']),
        role('unused', [], ['a/app']),
        role('stranger', ['b/thief'], []),
        role('beside', ['a/app', 'b/thief'], ['a/app']),
        role('shared', ['a/app', 'b/web'], ['a/app', 'b/web']),
      ]),
      ['stranger', 'beside', 'shared'],
    );
  });
});
