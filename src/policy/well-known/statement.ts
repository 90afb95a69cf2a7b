// Small builders the well-known policy modules share, so each module reads as its statements.
import type { ConditionBlock, PolicyStatement } from '../policy-document.js';
import type { ArnField, WellKnownContext } from './types.js';

const one = (list: string[]): string | string[] => (list.length === 1 ? (list[0] ?? '') : list);

export function allow(
  actions: string[],
  resources: string[] | string,
  condition?: ConditionBlock,
): PolicyStatement {
  return {
    Effect: 'Allow',
    Action: one(actions),
    Resource: typeof resources === 'string' ? resources : one(resources),
    ...(condition ? { Condition: condition } : {}),
  };
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>`, this cluster's region and account. */
export function arnIn(
  ctx: WellKnownContext,
  service: string,
  resource: string,
  where: { region?: string; account?: string } = {},
): string {
  const region = where.region ?? ctx.region;
  const account = where.account ?? ctx.accountId;
  return `arn:${ctx.partition}:${service}:${region}:${account}:${resource}`;
}

/** Prefixes `service:` to each action, so long lists stay readable. */
export const actions = (service: string, names: string[]) => names.map((n) => `${service}:${n}`);

/** The tag EKS, the cluster autoscaler and Karpenter put on what belongs to one cluster. */
export const clusterOwnedTag = (ctx: WellKnownContext) =>
  `kubernetes.io/cluster/${ctx.clusterName}`;

export const kmsKeyField = (required = false): ArnField => ({
  kind: 'arns',
  name: 'kmsKeyARNs',
  noun: 'KMS key',
  service: 'kms',
  resourcePrefix: 'key/',
  example: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  ...(required ? { required } : {}),
  everything: (ctx) => arnIn(ctx, 'kms', 'key/*', { region: '*' }),
});

export const bucketField = (required: boolean): ArnField => ({
  kind: 'arns',
  name: 'bucketARNs',
  noun: 'S3 bucket',
  service: 's3',
  resourcePrefix: '',
  example: 'arn:aws:s3:::my-bucket',
  required,
  everything: (ctx) => `arn:${ctx.partition}:s3:::*`,
});

export const hostedZoneField: ArnField = {
  kind: 'arns',
  name: 'hostedZoneARNs',
  noun: 'hosted zone',
  service: 'route53',
  resourcePrefix: 'hostedzone/',
  example: 'arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ',
  required: true,
  everything: (ctx) => `arn:${ctx.partition}:route53:::hostedzone/*`,
};

/** The KMS statements a controller needs to use customer keys for AWS resources (EBS, EFS). */
export function kmsForAwsResources(keys: string[]): PolicyStatement[] {
  if (!keys.length) return [];
  return [
    allow(actions('kms', ['CreateGrant', 'ListGrants', 'RevokeGrant']), keys, {
      Bool: { 'kms:GrantIsForAWSResource': 'true' },
    }),
    allow(
      actions('kms', ['Encrypt', 'Decrypt', 'ReEncrypt*', 'GenerateDataKey*', 'DescribeKey']),
      keys,
    ),
  ];
}
