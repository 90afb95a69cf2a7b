// The AWS Load Balancer Controller limited to TargetGroupBinding (target groups made elsewhere).
import { actions, allow, arnIn } from './statement.js';
import type { WellKnownPolicy } from './types.js';

export const loadBalancerControllerTargetGroupBinding: WellKnownPolicy = {
  key: 'loadBalancerControllerTargetGroupBinding',
  grants: 'register pods in existing target groups and open their security groups',
  defaultScope: "target groups of the cluster's region and account",
  fields: [
    {
      kind: 'arns',
      name: 'targetGroupARNs',
      noun: 'target group',
      service: 'elasticloadbalancing',
      resourcePrefix: 'targetgroup/',
      example:
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-tg/0123456789abcdef',
      everything: () => '*',
      defaultText: "targetgroup/*/* of the cluster's region and account",
    },
  ],
  statements: (s, ctx) => {
    const given = s.list('targetGroupARNs');
    return [
      allow(
        [
          ...actions('ec2', [
            'DescribeSecurityGroups',
            'DescribeInstances',
            'DescribeVpcs',
            'AuthorizeSecurityGroupIngress',
            'RevokeSecurityGroupIngress',
          ]),
          'elasticloadbalancing:DescribeTargetGroups',
          'elasticloadbalancing:DescribeTargetHealth',
        ],
        '*',
      ),
      allow(
        actions('elasticloadbalancing', [
          'ModifyTargetGroup',
          'ModifyTargetGroupAttributes',
          'RegisterTargets',
          'DeregisterTargets',
        ]),
        given.length ? given : arnIn(ctx, 'elasticloadbalancing', 'targetgroup/*/*'),
      ),
    ];
  },
};
