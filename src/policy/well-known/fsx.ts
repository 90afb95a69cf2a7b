// The FSx for Lustre and FSx for OpenZFS CSI drivers: file systems (and volumes) they provision.
// The service-linked roles they may set up are those of this account, not of any account.
import { actions, allow, arnIn } from './statement.js';
import type { WellKnownContext, WellKnownPolicy } from './types.js';

const linkedRoles = (ctx: WellKnownContext, service: string) => [
  allow(
    actions('iam', ['CreateServiceLinkedRole', 'AttachRolePolicy', 'PutRolePolicy']),
    arnIn(ctx, 'iam', `role/aws-service-role/${service}/*`, { region: '' }),
  ),
  allow(['iam:CreateServiceLinkedRole'], '*', {
    StringLike: { 'iam:AWSServiceName': 'fsx.amazonaws.com' },
  }),
];

export const fsxLustreCSI: WellKnownPolicy = {
  key: 'fsxLustreCSI',
  grants: 'create, update and delete FSx for Lustre file systems (S3-linked)',
  defaultScope:
    'service-linked roles of this account only; file systems: any (FSx has no tag scoping it uses)',
  statements: (_s, ctx) => [
    ...linkedRoles(ctx, 's3.data-source.lustre.fsx.amazonaws.com'),
    allow(
      [
        's3:ListBucket',
        ...actions('fsx', [
          'CreateFileSystem',
          'DeleteFileSystem',
          'DescribeFileSystems',
          'TagResource',
          'UpdateFileSystem',
        ]),
      ],
      '*',
    ),
  ],
};

export const fsxOpenZFSCSI: WellKnownPolicy = {
  key: 'fsxOpenZFSCSI',
  grants: 'create, update and delete FSx for OpenZFS file systems, volumes and snapshots',
  defaultScope: 'service-linked roles of this account only; file systems: any',
  statements: (_s, ctx) => [
    ...linkedRoles(ctx, 'fsx.amazonaws.com'),
    allow(
      actions('fsx', [
        'CreateFileSystem',
        'UpdateFileSystem',
        'DeleteFileSystem',
        'DescribeFileSystems',
        'CreateVolume',
        'DeleteVolume',
        'DescribeVolumes',
        'CreateSnapshot',
        'DeleteSnapshot',
        'DescribeSnapshots',
        'TagResource',
        'ListTagsForResource',
      ]),
      '*',
    ),
  ],
};
