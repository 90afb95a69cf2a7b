// eksctl's awsLoadBalancerController: the controller's published policy (eksctl and the Terraform
// module carry the same 16 statements). Both only ask that a resource has *some*
// elbv2.k8s.aws/cluster tag; here the tag must name this cluster, and ARNs name its region and
// account, so one cluster's controller cannot touch another's load balancers.
import { actions, allow, arnIn } from './statement.js';
import type { WellKnownContext, WellKnownPolicy } from './types.js';

const TAG = 'elbv2.k8s.aws/cluster';

const elb = (names: string[]) => actions('elasticloadbalancing', names);

function loadBalancerStatements(ctx: WellKnownContext) {
  const ours = { [`aws:ResourceTag/${TAG}`]: ctx.clusterName };
  const tagging = { [`aws:RequestTag/${TAG}`]: ctx.clusterName };
  const untagged = { Null: { [`aws:RequestTag/${TAG}`]: 'true' } };
  const securityGroups = arnIn(ctx, 'ec2', 'security-group/*');
  const lb = (resource: string) => arnIn(ctx, 'elasticloadbalancing', resource);
  const balancers = [lb('targetgroup/*/*'), lb('loadbalancer/net/*/*'), lb('loadbalancer/app/*/*')];
  return [
    allow(['iam:CreateServiceLinkedRole'], '*', {
      StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' },
    }),
    allow(
      [
        ...actions('ec2', [
          'DescribeAccountAttributes',
          'DescribeAddresses',
          'DescribeAvailabilityZones',
          'DescribeInternetGateways',
          'DescribeVpcs',
          'DescribeVpcPeeringConnections',
          'DescribeSubnets',
          'DescribeSecurityGroups',
          'DescribeInstances',
          'DescribeNetworkInterfaces',
          'DescribeTags',
          'GetCoipPoolUsage',
          'DescribeCoipPools',
          'GetSecurityGroupsForVpc',
          'DescribeIpamPools',
          'DescribeRouteTables',
        ]),
        ...elb([
          'DescribeLoadBalancers',
          'DescribeLoadBalancerAttributes',
          'DescribeListeners',
          'DescribeListenerCertificates',
          'DescribeSSLPolicies',
          'DescribeRules',
          'DescribeTargetGroups',
          'DescribeTargetGroupAttributes',
          'DescribeTargetHealth',
          'DescribeTags',
          'DescribeTrustStores',
          'DescribeListenerAttributes',
          'DescribeCapacityReservation',
        ]),
      ],
      '*',
    ),
    allow(
      [
        'cognito-idp:DescribeUserPoolClient',
        'acm:ListCertificates',
        'acm:DescribeCertificate',
        'iam:ListServerCertificates',
        'iam:GetServerCertificate',
        ...actions('waf-regional', [
          'GetWebACL',
          'GetWebACLForResource',
          'AssociateWebACL',
          'DisassociateWebACL',
        ]),
        ...actions('wafv2', [
          'GetWebACL',
          'GetWebACLForResource',
          'AssociateWebACL',
          'DisassociateWebACL',
        ]),
        ...actions('shield', [
          'GetSubscriptionState',
          'DescribeProtection',
          'CreateProtection',
          'DeleteProtection',
        ]),
      ],
      '*',
    ),
    allow(actions('ec2', ['AuthorizeSecurityGroupIngress', 'RevokeSecurityGroupIngress']), '*'),
    allow(['ec2:CreateSecurityGroup'], '*'),
    allow(['ec2:CreateTags'], securityGroups, {
      StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup', ...tagging },
    }),
    allow(actions('ec2', ['CreateTags', 'DeleteTags']), securityGroups, {
      ...untagged,
      StringEquals: ours,
    }),
    allow(
      actions('ec2', [
        'AuthorizeSecurityGroupIngress',
        'RevokeSecurityGroupIngress',
        'DeleteSecurityGroup',
      ]),
      '*',
      { StringEquals: ours },
    ),
    allow(elb(['CreateLoadBalancer', 'CreateTargetGroup']), '*', { StringEquals: tagging }),
    allow(elb(['CreateListener', 'DeleteListener', 'CreateRule', 'DeleteRule']), '*'),
    allow(elb(['AddTags', 'RemoveTags']), balancers, { ...untagged, StringEquals: ours }),
    allow(elb(['AddTags', 'RemoveTags']), [
      lb('listener/net/*/*/*'),
      lb('listener/app/*/*/*'),
      lb('listener-rule/net/*/*/*'),
      lb('listener-rule/app/*/*/*'),
    ]),
    allow(
      elb([
        'ModifyLoadBalancerAttributes',
        'SetIpAddressType',
        'SetSecurityGroups',
        'SetSubnets',
        'DeleteLoadBalancer',
        'ModifyTargetGroup',
        'ModifyTargetGroupAttributes',
        'DeleteTargetGroup',
        'ModifyListenerAttributes',
        'ModifyCapacityReservation',
        'ModifyIpPools',
      ]),
      '*',
      { StringEquals: ours },
    ),
    allow(elb(['AddTags']), balancers, {
      StringEquals: {
        'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'],
        ...tagging,
      },
    }),
    allow(elb(['RegisterTargets', 'DeregisterTargets']), lb('targetgroup/*/*')),
    allow(
      elb([
        'SetWebAcl',
        'ModifyListener',
        'AddListenerCertificates',
        'RemoveListenerCertificates',
        'ModifyRule',
        'SetRulePriorities',
      ]),
      '*',
    ),
  ];
}

export const awsLoadBalancerController: WellKnownPolicy = {
  key: 'awsLoadBalancerController',
  grants: 'create and manage ALBs/NLBs, target groups and their security groups',
  defaultScope: 'changes only resources tagged elbv2.k8s.aws/cluster=<cluster>, in its region',
  statements: (_s, ctx) => loadBalancerStatements(ctx),
};
