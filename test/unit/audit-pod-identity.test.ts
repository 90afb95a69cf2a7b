// audit's Pod Identity findings, pure: an association made outside iamsa that hands iamsa's role
// for one binding to another service account (the role's trust admits the whole cluster).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodIdentityAssociation } from '../../src/aws/eks.js';
import {
  podIdentityFindings,
  type PodIdentityAuditState,
} from '../../src/actions/report/audit-pod-identity.js';
import { bindingRoleTags, buildPodIdentityTrustStatement } from '../../src/policy/index.js';

const ACCOUNT = '111122223333';
const CLUSTER_ARN = `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/prod`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/iamsa-prod-shop-web`;
const sa = (namespace: string, name: string) => ({ namespace, name, annotations: {}, labels: {} });
const association = (namespace: string, serviceAccount: string): PodIdentityAssociation => ({
  id: `a-${namespace}-${serviceAccount}`,
  arn: `arn:aws:eks:eu-west-1:${ACCOUNT}:podidentityassociation/prod/a-${serviceAccount}`,
  namespace,
  serviceAccount,
  roleArn: ROLE,
  disableSessionTags: false,
  tags: {},
});

function findings(
  associations: PodIdentityAssociation[],
  tagged = true,
  statements: object[] = [
    buildPodIdentityTrustStatement({ accountId: ACCOUNT, clusterArns: [CLUSTER_ARN] }),
  ],
) {
  const state: PodIdentityAuditState = {
    context: { cluster: 'prod', region: 'eu-west-1' },
    cluster: {
      name: 'prod',
      arn: CLUSTER_ARN,
      accountId: ACCOUNT,
      partition: 'aws',
      region: 'eu-west-1',
      endpoint: 'https://x',
      issuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/X',
    },
    roles: [
      {
        role: { arn: ROLE, name: 'iamsa-prod-shop-web', path: '/', trustPolicy: '' },
        trust: {
          Version: '2012-10-17',
          Statement: statements as PodIdentityAuditState['roles'][0]['trust']['Statement'],
        },
      },
    ],
    serviceAccounts: [sa('shop', 'web'), sa('evil', 'thief')],
    associations,
    agent: { name: 'eks-pod-identity-agent', status: 'ACTIVE' } as PodIdentityAuditState['agent'],
    ...(tagged
      ? {
          tags: new Map([
            [ROLE, bindingRoleTags('pod-identity', 'prod', 'shop', 'web', CLUSTER_ARN, 'x')],
          ]),
        }
      : {}),
  };
  return podIdentityFindings(state);
}

describe("audit: an association that hands iamsa's role to another service account", () => {
  it('is PODID106, high, with the command that deletes the association', () => {
    const f = findings([association('shop', 'web'), association('evil', 'thief')]);
    assert.deepEqual(
      f.map((x) => `${x.id} ${x.severity} ${x.serviceAccount}`),
      ['PODID106 high evil/thief'],
    );
    assert.match(f[0]?.message ?? '', /iamsa's role for shop\/web, to evil\/thief/);
    assert.equal(
      f[0]?.fix,
      'aws eks delete-pod-identity-association --cluster-name prod --region eu-west-1 --association-id a-evil-thief',
    );
  });

  it("the role's own association, or a role not iamsa's, is not", () => {
    assert.deepEqual(findings([association('shop', 'web')]), []);
    assert.deepEqual(findings([association('evil', 'thief')], false), []);
  });
});

describe('PODID103 names every statement that lets other clusters in', () => {
  it('a narrow statement and two wide ones: both wide ones, by index', () => {
    const wide = {
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
    };
    const f = findings([association('shop', 'web')], false, [
      buildPodIdentityTrustStatement({ accountId: ACCOUNT, clusterArns: [CLUSTER_ARN] }),
      wide,
      { ...wide, Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } },
    ]).filter((x) => x.id === 'PODID103');
    assert.equal(f.length, 1);
    assert.match(f[0]?.message ?? '', /statement 1 has no condition on aws:SourceArn/);
    assert.match(f[0]?.message ?? '', /statement 2 has no condition on aws:SourceArn/);
    assert.doesNotMatch(f[0]?.message ?? '', /statement 0/);
  });
});
