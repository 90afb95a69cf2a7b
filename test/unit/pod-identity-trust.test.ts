import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildPodIdentityTrustPolicy,
  evaluatePodIdentityTrust,
  evaluateTrust,
  type PolicyDocument,
  trustPoliciesEqual,
  unnarrowedPodIdentityStatements,
} from '../../src/policy/index.js';

const ACCOUNT = '111122223333';
const CLUSTER = `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/prod`;
const OTHER = `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/dev`;
const session = {
  accountId: ACCOUNT,
  clusterArn: CLUSTER,
  clusterName: 'prod',
  namespace: 'apps',
  serviceAccount: 'web',
};
const doc = (...Statement: object[]): PolicyDocument =>
  ({ Version: '2012-10-17', Statement }) as unknown as PolicyDocument;
const pods = (extra: Record<string, unknown> = {}) => ({
  Effect: 'Allow',
  Principal: { Service: 'pods.eks.amazonaws.com' },
  Action: ['sts:AssumeRole', 'sts:TagSession'],
  ...extra,
});

describe('buildPodIdentityTrustPolicy', () => {
  it('is the EKS user guide statement, narrowed to the account and cluster', () => {
    assert.deepEqual(buildPodIdentityTrustPolicy({ accountId: ACCOUNT, clusterArns: [CLUSTER] }), {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: {
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnEquals: { 'aws:SourceArn': CLUSTER },
          },
        },
      ],
    });
  });

  it('lists several clusters in one condition, in a stable order', () => {
    const a = buildPodIdentityTrustPolicy({ accountId: ACCOUNT, clusterArns: [CLUSTER, OTHER] });
    const b = buildPodIdentityTrustPolicy({ accountId: ACCOUNT, clusterArns: [OTHER, CLUSTER] });
    assert.deepEqual(a, b);
    assert.deepEqual((a.Statement as any)[0].Condition.ArnEquals['aws:SourceArn'], [
      OTHER,
      CLUSTER,
    ]);
    assert.ok(evaluatePodIdentityTrust(a, session).admits);
  });

  it('is not an IRSA trust', () => {
    const t = buildPodIdentityTrustPolicy({ accountId: ACCOUNT, clusterArns: [CLUSTER] });
    const irsa = evaluateTrust(t, {
      providerArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X`,
      issuerHostPath: 'oidc.eks.eu-west-1.amazonaws.com/id/X',
      namespace: 'apps',
      serviceAccount: 'web',
    });
    assert.equal(irsa.admits, false);
  });
});

describe('unnarrowedPodIdentityStatements', () => {
  const narrowed = buildPodIdentityTrustPolicy({ accountId: ACCOUNT, clusterArns: [CLUSTER] })
    .Statement[0]!;
  it('names every Allow for the Pod Identity service or everyone but the narrowed statement', () => {
    const everyone = { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' };
    const other = buildPodIdentityTrustPolicy({ accountId: ACCOUNT, clusterArns: [OTHER] })
      .Statement[0]!;
    const ec2 = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:*' };
    const deny = pods({ Effect: 'Deny' });
    // The narrowed statement with its keys in another order is still iamsa's.
    const reordered = { Condition: narrowed.Condition, Action: narrowed.Action, ...narrowed };
    const trust = doc(reordered, pods(), everyone, other, ec2, deny);
    assert.deepEqual(unnarrowedPodIdentityStatements(trust, narrowed), [pods(), everyone, other]);
    assert.deepEqual(unnarrowedPodIdentityStatements(doc(narrowed), narrowed), []);
  });
});

describe('evaluatePodIdentityTrust', () => {
  it("admits iamsa's own trust without findings", () => {
    const e = evaluatePodIdentityTrust(
      buildPodIdentityTrustPolicy({ accountId: ACCOUNT, clusterArns: [CLUSTER] }),
      session,
    );
    assert.deepEqual(e, { admits: true, statementIndex: 0, problems: [], overBroad: [] });
  });

  it('refuses another cluster or account, naming the condition', () => {
    const other = evaluatePodIdentityTrust(
      buildPodIdentityTrustPolicy({ accountId: ACCOUNT, clusterArns: [OTHER] }),
      session,
    );
    assert.equal(other.admits, false);
    assert.match(
      other.problems.join(),
      /aws:SourceArn ArnEquals .*cluster\/dev.*, not .*cluster\/prod/,
    );
    const account = evaluatePodIdentityTrust(
      buildPodIdentityTrustPolicy({ accountId: '999999999999', clusterArns: [CLUSTER] }),
      session,
    );
    assert.match(account.problems.join(), /aws:SourceAccount/);
  });

  it('needs sts:TagSession as well as sts:AssumeRole', () => {
    const e = evaluatePodIdentityTrust(doc(pods({ Action: 'sts:AssumeRole' })), session);
    assert.equal(e.admits, false);
    assert.match(e.problems.join(), /does not allow sts:TagSession, which Pod Identity needs/);
    assert.ok(evaluatePodIdentityTrust(doc(pods({ Action: 'sts:*' })), session).admits);
  });

  it('flags a statement open to every cluster, and every principal', () => {
    const open = evaluatePodIdentityTrust(doc(pods()), session);
    assert.equal(open.admits, true);
    assert.match(
      open.overBroad.join(),
      /no condition on aws:SourceArn: .* every cluster in any account/,
    );
    const star = evaluatePodIdentityTrust(doc(pods({ Principal: '*' })), session);
    assert.match(star.overBroad.join(), /every principal/);
  });

  it('evaluates session-tag conditions, which are absent with session tags disabled', () => {
    const narrowed = doc(
      pods({
        Condition: {
          StringEquals: {
            'aws:RequestTag/kubernetes-namespace': 'apps',
            'aws:RequestTag/kubernetes-service-account': 'web',
          },
          ArnLike: { 'aws:SourceArn': `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/*` },
        },
      }),
    );
    assert.ok(evaluatePodIdentityTrust(narrowed, session).admits);
    assert.equal(
      evaluatePodIdentityTrust(narrowed, { ...session, namespace: 'ops' }).admits,
      false,
    );
    const untagged = evaluatePodIdentityTrust(narrowed, { ...session, sessionTags: false });
    assert.equal(untagged.admits, false);
    assert.match(untagged.problems.join(), /absent with session tags disabled/);
  });

  it('a matching Deny wins; a statement for another principal is no trust', () => {
    const denied = doc(
      pods(),
      pods({
        Effect: 'Deny',
        Condition: { StringEquals: { 'aws:RequestTag/kubernetes-namespace': 'apps' } },
      }),
    );
    assert.equal(evaluatePodIdentityTrust(denied, session).admits, false);
    const ec2 = doc(pods({ Principal: { Service: 'ec2.amazonaws.com' } }));
    const e = evaluatePodIdentityTrust(ec2, session);
    assert.equal(e.admits, false);
    assert.match(
      e.problems.join(),
      /no statement trusts the service principal pods\.eks\.amazonaws\.com/,
    );
  });

  it('compares as equal however the values are ordered', () => {
    const a = buildPodIdentityTrustPolicy({ accountId: ACCOUNT, clusterArns: [CLUSTER] });
    const b = doc({
      Action: ['sts:TagSession', 'sts:AssumeRole'],
      Condition: {
        ArnEquals: { 'aws:SourceArn': [CLUSTER] },
        StringEquals: { 'aws:SourceAccount': ACCOUNT },
      },
      Principal: { Service: ['pods.eks.amazonaws.com'] },
      Effect: 'Allow',
    });
    assert.ok(trustPoliciesEqual(a, b));
  });
});
