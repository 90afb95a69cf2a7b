// eksctl's autoScaler (the Kubernetes cluster autoscaler). eksctl lets it resize every Auto Scaling
// group of the account; here it may only change groups tagged as this cluster's own.
import { actions, allow, arnIn, clusterOwnedTag } from './statement.js';
import type { WellKnownPolicy } from './types.js';

export const autoScaler: WellKnownPolicy = {
  key: 'autoScaler',
  grants: 'read Auto Scaling groups and launch templates; resize and terminate in its groups',
  defaultScope: 'writes only to groups tagged kubernetes.io/cluster/<cluster>=owned',
  statements: (_s, ctx) => [
    allow(
      [
        ...actions('autoscaling', [
          'DescribeAutoScalingGroups',
          'DescribeAutoScalingInstances',
          'DescribeLaunchConfigurations',
          'DescribeScalingActivities',
          'DescribeTags',
        ]),
        ...actions('ec2', [
          'DescribeImages',
          'DescribeInstanceTypes',
          'DescribeLaunchTemplateVersions',
          'GetInstanceTypesFromInstanceRequirements',
        ]),
      ],
      '*',
    ),
    allow(['eks:DescribeNodegroup'], arnIn(ctx, 'eks', `nodegroup/${ctx.clusterName}/*`)),
    allow(
      actions('autoscaling', ['SetDesiredCapacity', 'TerminateInstanceInAutoScalingGroup']),
      '*',
      { StringEquals: { [`aws:ResourceTag/${clusterOwnedTag(ctx)}`]: 'owned' } },
    ),
  ],
};
