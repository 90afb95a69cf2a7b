// The VPC CNI (aws-node). Built like the Terraform module's rather than attaching
// AmazonEKS_CNI_Policy, so that switching the IP family converges to a new policy version.
import { actions, allow, arnIn } from './statement.js';
import type { WellKnownPolicy } from './types.js';

export const vpcCNI: WellKnownPolicy = {
  key: 'vpcCNI',
  grants: 'manage network interfaces and pod IP addresses (IPv4 or IPv6)',
  defaultScope: 'ipFamily=ipv4; tags only network interfaces',
  fields: [
    {
      kind: 'choice',
      name: 'ipFamily',
      choices: ['ipv4', 'ipv6'],
      default: 'ipv4',
      description: "the cluster's IP family",
    },
  ],
  statements: (s, ctx) => [
    allow(
      s.choice('ipFamily') === 'ipv6'
        ? actions('ec2', [
            'AssignIpv6Addresses',
            'DescribeInstances',
            'DescribeTags',
            'DescribeNetworkInterfaces',
            'DescribeInstanceTypes',
          ])
        : actions('ec2', [
            'AssignPrivateIpAddresses',
            'AttachNetworkInterface',
            'CreateNetworkInterface',
            'DeleteNetworkInterface',
            'DescribeInstances',
            'DescribeTags',
            'DescribeNetworkInterfaces',
            'DescribeInstanceTypes',
            'DescribeSubnets',
            'DetachNetworkInterface',
            'ModifyNetworkInterfaceAttribute',
            'UnassignPrivateIpAddresses',
          ]),
      '*',
    ),
    allow(['ec2:CreateTags'], arnIn(ctx, 'ec2', 'network-interface/*')),
  ],
};
