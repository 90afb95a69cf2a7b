// The AWS Gateway API Controller (Amazon VPC Lattice).
import { allow, arnIn } from './statement.js';
import type { WellKnownPolicy } from './types.js';

export const gatewayController: WellKnownPolicy = {
  key: 'gatewayController',
  grants: 'manage VPC Lattice services and their access logs',
  defaultScope:
    'as the Terraform module (vpc-lattice:* on *); service-linked roles of this account',
  statements: (_s, ctx) => [
    allow(
      [
        'vpc-lattice:*',
        'ec2:DescribeVpcs',
        'ec2:DescribeSubnets',
        'ec2:DescribeTags',
        'ec2:DescribeSecurityGroups',
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:DescribeLogGroups',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'tag:GetResources',
        'firehose:TagDeliveryStream',
        's3:GetBucketPolicy',
        's3:PutBucketPolicy',
        'tag:TagResources',
        'tag:UntagResources',
      ],
      '*',
    ),
    allow(
      ['iam:CreateServiceLinkedRole'],
      [
        arnIn(
          ctx,
          'iam',
          'role/aws-service-role/vpc-lattice.amazonaws.com/AWSServiceRoleForVpcLattice',
          {
            region: '',
          },
        ),
        arnIn(
          ctx,
          'iam',
          'role/aws-service-role/delivery.logs.amazonaws.com/AWSServiceRoleForLogDelivery',
          {
            region: '',
          },
        ),
      ],
      {
        StringLike: {
          'iam:AWSServiceName': ['vpc-lattice.amazonaws.com', 'delivery.logs.amazonaws.com'],
        },
      },
    ),
  ],
};
