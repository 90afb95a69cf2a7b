// Velero: EBS snapshots, and backups in the named buckets.
import { actions, allow, bucketField } from './statement.js';
import type { WellKnownPolicy } from './types.js';

export const velero: WellKnownPolicy = {
  key: 'velero',
  grants: 'snapshot and restore EBS volumes; read and write backups in the named S3 buckets',
  defaultScope: 'none: bucketARNs is required',
  fields: [bucketField(true)],
  statements: (s) => {
    const buckets = s.list('bucketARNs');
    return [
      allow(
        actions('ec2', [
          'DescribeVolumes',
          'DescribeSnapshots',
          'CreateTags',
          'CreateVolume',
          'CreateSnapshot',
          'DeleteSnapshot',
        ]),
        '*',
      ),
      allow(
        actions('s3', [
          'GetObject',
          'DeleteObject',
          'PutObject',
          'PutObjectTagging',
          'AbortMultipartUpload',
          'ListMultipartUploadParts',
        ]),
        buckets.map((b) => `${b}/*`),
      ),
      allow(['s3:ListBucket'], buckets),
    ];
  },
};
