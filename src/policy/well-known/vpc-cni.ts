// The VPC CNI (aws-node). Built like the Terraform module's rather than attaching
// AmazonEKS_CNI_Policy, so that switching the IP family converges to a new policy version. IPv4 as
// AmazonEKS_CNI_Policy's March 2026 version (ec2:DescribeSecurityGroups); the network-policy
// agent's CloudWatch Logs actions on request, as the Terraform module's enable_cloudwatch_logs.
import { actions, allow, arnIn } from './statement.js';
import type { WellKnownPolicy } from './types.js';

export const vpcCNI: WellKnownPolicy = {
  key: 'vpcCNI',
  grants: 'manage network interfaces and pod IP addresses (IPv4 or IPv6)',
  defaultScope:
    'ipFamily=ipv4; tags only network interfaces; no CloudWatch Logs unless networkPolicyLogs',
  fields: [
    {
      kind: 'choice',
      name: 'ipFamily',
      choices: ['ipv4', 'ipv6'],
      default: 'ipv4',
      description: "the cluster's IP family",
    },
    {
      kind: 'flag',
      name: 'networkPolicyLogs',
      description:
        'let the network-policy agent send its logs to CloudWatch Logs (log group /aws/eks/<cluster>/cluster)',
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
            'DescribeSecurityGroups',
            'DescribeSubnets',
            'DetachNetworkInterface',
            'ModifyNetworkInterfaceAttribute',
            'UnassignPrivateIpAddresses',
          ]),
      '*',
    ),
    allow(['ec2:CreateTags'], arnIn(ctx, 'ec2', 'network-interface/*')),
    ...(s.flag('networkPolicyLogs')
      ? [
          allow(actions('logs', ['CreateLogGroup', 'CreateLogStream', 'PutLogEvents']), [
            arnIn(ctx, 'logs', `log-group:/aws/eks/${ctx.clusterName}/cluster`),
            arnIn(ctx, 'logs', `log-group:/aws/eks/${ctx.clusterName}/cluster:*`),
          ]),
          allow(['logs:DescribeLogGroups'], arnIn(ctx, 'logs', 'log-group:*')),
        ]
      : []),
  ],
};
