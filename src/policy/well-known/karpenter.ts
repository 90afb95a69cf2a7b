// Karpenter's controller policy, as the Karpenter docs publish it (v1, with what 1.11 and 1.12
// added: placement groups, instance status, zonal shift), on IRSA. Everything it
// launches, tags or deletes must carry kubernetes.io/cluster/<cluster>=owned, and the subnets and
// security groups it launches into must carry this cluster's discovery tag.
import { actions, allow, arnIn, clusterOwnedTag } from './statement.js';
import type { WellKnownContext, WellKnownPolicy } from './types.js';

export const DISCOVERY_TAG = 'karpenter.sh/discovery';

/** The node role's names without nodeRoleARNs: the Karpenter docs', then eksctl's. */
const nodeRoleCandidates = (ctx: WellKnownContext) => [
  `KarpenterNodeRole-${ctx.clusterName}`,
  `eksctl-KarpenterNodeRole-${ctx.clusterName}`,
];

/** The first candidate the account has (ctx.roles), else the Karpenter docs' name, assumed. */
function defaultNodeRole(ctx: WellKnownContext): { name: string; arn: string; exists: boolean } {
  const candidates = nodeRoleCandidates(ctx);
  const name = candidates.find((n) => ctx.roles?.get(n)) ?? candidates[0]!;
  const arn = ctx.roles?.get(name);
  return { name, arn: arn ?? arnIn(ctx, 'iam', `role/${name}`, { region: '' }), exists: !!arn };
}

export const karpenter: WellKnownPolicy = {
  key: 'karpenter',
  grants: 'launch, tag and terminate nodes; manage their instance profiles; pass the node role',
  defaultScope: `resources tagged kubernetes.io/cluster/<cluster>=owned; subnets and security groups tagged ${DISCOVERY_TAG}=<cluster>; node role KarpenterNodeRole-<cluster> or eksctl-KarpenterNodeRole-<cluster>, whichever exists`,
  fields: [
    {
      kind: 'arns',
      name: 'nodeRoleARNs',
      noun: 'node IAM role',
      service: 'iam',
      resourcePrefix: 'role/',
      example: 'arn:aws:iam::123456789012:role/KarpenterNodeRole-my-cluster',
      everything: (ctx) => arnIn(ctx, 'iam', 'role/*', { region: '' }),
      defaultText:
        'role/KarpenterNodeRole-<cluster> or role/eksctl-KarpenterNodeRole-<cluster>, whichever exists',
    },
    {
      kind: 'arns',
      name: 'interruptionQueueARNs',
      noun: 'SQS queue',
      service: 'sqs',
      resourcePrefix: '',
      example: 'arn:aws:sqs:us-east-1:123456789012:my-cluster',
      everything: (ctx) => arnIn(ctx, 'sqs', '*'),
      defaultText: 'none (no interruption handling)',
    },
  ],
  lookUpRoles: (s, ctx) => (s.list('nodeRoleARNs').length ? [] : nodeRoleCandidates(ctx)),
  notes: (s, ctx) => {
    if (s.list('nodeRoleARNs').length) return [];
    const [docs, eksctl] = nodeRoleCandidates(ctx);
    const change = 'to pass another, give karpenter.nodeRoleARNs=<node role ARN>';
    const found = defaultNodeRole(ctx);
    if (found.exists)
      return [
        `well-known policy karpenter: iam:PassRole is granted on node role ${found.name}, found in the account; ${change}`,
      ];
    const missing = ctx.roles ? `neither ${docs} nor ${eksctl} exists in the account, so ` : '';
    return [
      `well-known policy karpenter: ${missing}iam:PassRole is granted on node role ${docs} (the Karpenter docs' name; eksctl names it ${eksctl}), assumed; ${change}`,
    ];
  },
  statements: (s, ctx) => {
    const c = ctx.clusterName;
    const owned = clusterOwnedTag(ctx);
    const ec2 = (resource: string) => arnIn(ctx, 'ec2', resource);
    const launched = ['fleet/*', 'instance/*', 'volume/*', 'network-interface/*']
      .concat(['launch-template/*', 'spot-instances-request/*'])
      .map(ec2);
    const profile = arnIn(ctx, 'iam', 'instance-profile/*', { region: '' });
    const requestTags = {
      [`aws:RequestTag/${owned}`]: 'owned',
      'aws:RequestTag/eks:eks-cluster-name': c,
    };
    const nodepool = (kind: 'Request' | 'Resource') => ({
      [`aws:${kind}Tag/karpenter.sh/nodepool`]: '*',
    });
    const nodeclass = (kind: 'Request' | 'Resource') => ({
      [`aws:${kind}Tag/karpenter.k8s.aws/ec2nodeclass`]: '*',
    });
    const ownedHere = {
      [`aws:ResourceTag/${owned}`]: 'owned',
      'aws:ResourceTag/topology.kubernetes.io/region': ctx.region,
    };
    const roles = s.list('nodeRoleARNs');
    const queues = s.list('interruptionQueueARNs');
    return [
      allow(
        ['ec2:RunInstances', 'ec2:CreateFleet'],
        [
          arnIn(ctx, 'ec2', 'image/*', { account: '' }),
          arnIn(ctx, 'ec2', 'snapshot/*', { account: '' }),
          ec2('capacity-reservation/*'),
          ec2('placement-group/*'),
        ],
      ),
      allow(['ec2:RunInstances', 'ec2:CreateFleet'], [ec2('subnet/*'), ec2('security-group/*')], {
        StringEquals: { [`aws:ResourceTag/${DISCOVERY_TAG}`]: c },
      }),
      allow(['ec2:RunInstances', 'ec2:CreateFleet'], ec2('launch-template/*'), {
        StringEquals: { [`aws:ResourceTag/${owned}`]: 'owned' },
        StringLike: nodepool('Resource'),
      }),
      allow(['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'], launched, {
        StringEquals: requestTags,
        StringLike: nodepool('Request'),
      }),
      allow(['ec2:CreateTags'], launched, {
        StringEquals: {
          ...requestTags,
          'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'],
        },
        StringLike: nodepool('Request'),
      }),
      allow(['ec2:CreateTags'], ec2('instance/*'), {
        StringEquals: { [`aws:ResourceTag/${owned}`]: 'owned' },
        StringLike: nodepool('Resource'),
        StringEqualsIfExists: { 'aws:RequestTag/eks:eks-cluster-name': c },
        'ForAllValues:StringEquals': {
          'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'],
        },
      }),
      allow(
        ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
        [ec2('instance/*'), ec2('launch-template/*')],
        {
          StringEquals: { [`aws:ResourceTag/${owned}`]: 'owned' },
          StringLike: nodepool('Resource'),
        },
      ),
      allow(
        actions('ec2', [
          'DescribeAvailabilityZones',
          'DescribeCapacityReservations',
          'DescribeImages',
          'DescribeInstances',
          'DescribeInstanceStatus',
          'DescribeInstanceTypeOfferings',
          'DescribeInstanceTypes',
          'DescribeLaunchTemplates',
          'DescribePlacementGroups',
          'DescribeSecurityGroups',
          'DescribeSpotPriceHistory',
          'DescribeSubnets',
        ]),
        '*',
        { StringEquals: { 'aws:RequestedRegion': ctx.region } },
      ),
      allow(['ssm:GetParameter'], arnIn(ctx, 'ssm', 'parameter/aws/service/*', { account: '' })),
      allow(['pricing:GetProducts'], '*'),
      ...(queues.length
        ? [allow(actions('sqs', ['DeleteMessage', 'GetQueueUrl', 'ReceiveMessage']), queues)]
        : []),
      allow(['iam:PassRole'], roles.length ? roles : defaultNodeRole(ctx).arn, {
        StringEquals: {
          'iam:PassedToService':
            ctx.partition === 'aws-cn' ? 'ec2.amazonaws.com.cn' : 'ec2.amazonaws.com',
        },
      }),
      allow(['iam:CreateInstanceProfile'], profile, {
        StringEquals: {
          ...requestTags,
          'aws:RequestTag/topology.kubernetes.io/region': ctx.region,
        },
        StringLike: nodeclass('Request'),
      }),
      allow(['iam:TagInstanceProfile'], profile, {
        StringEquals: {
          ...ownedHere,
          ...requestTags,
          'aws:RequestTag/topology.kubernetes.io/region': ctx.region,
        },
        StringLike: { ...nodeclass('Resource'), ...nodeclass('Request') },
      }),
      allow(
        actions('iam', [
          'AddRoleToInstanceProfile',
          'RemoveRoleFromInstanceProfile',
          'DeleteInstanceProfile',
        ]),
        profile,
        { StringEquals: ownedHere, StringLike: nodeclass('Resource') },
      ),
      allow(['iam:GetInstanceProfile'], profile),
      allow(['iam:ListInstanceProfiles'], '*'),
      allow(['eks:DescribeCluster'], arnIn(ctx, 'eks', `cluster/${c}`)),
      allow(['arc-zonal-shift:GetManagedResource'], arnIn(ctx, 'eks', `cluster/${c}`)),
    ];
  },
};
