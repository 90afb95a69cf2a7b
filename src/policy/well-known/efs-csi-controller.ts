// eksctl's efsCSIController: dynamic provisioning with EFS access points the driver tags.
import { actions, allow } from './statement.js';
import type { WellKnownPolicy } from './types.js';

const TAG = 'efs.csi.aws.com/cluster';

export const efsCSIController: WellKnownPolicy = {
  key: 'efsCSIController',
  grants: 'describe EFS file systems; create, tag and delete the access points it tags',
  defaultScope: 'deletes only access points tagged efs.csi.aws.com/cluster=true',
  statements: () => [
    allow(
      [
        'ec2:DescribeAvailabilityZones',
        ...actions('elasticfilesystem', [
          'DescribeAccessPoints',
          'DescribeFileSystems',
          'DescribeMountTargets',
        ]),
      ],
      '*',
    ),
    allow(actions('elasticfilesystem', ['CreateAccessPoint', 'TagResource']), '*', {
      StringLike: { [`aws:RequestTag/${TAG}`]: 'true' },
    }),
    allow(['elasticfilesystem:DeleteAccessPoint'], '*', {
      StringEquals: { [`aws:ResourceTag/${TAG}`]: 'true' },
    }),
  ],
};
