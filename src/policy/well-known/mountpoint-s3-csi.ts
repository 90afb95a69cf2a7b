// Mountpoint for Amazon S3 CSI driver: mount the named buckets (all objects, or the named paths).
import { actions, allow, bucketField, kmsKeyField } from './statement.js';
import type { WellKnownPolicy } from './types.js';

export const mountpointS3CSI: WellKnownPolicy = {
  key: 'mountpointS3CSI',
  grants: 'list the named S3 buckets; read, write and delete their objects',
  defaultScope: 'none: bucketARNs is required; objects default to <bucket>/*',
  fields: [
    bucketField(true),
    {
      kind: 'arns',
      name: 'objectARNs',
      noun: 'S3 object path',
      service: 's3',
      resourcePrefix: '',
      example: 'arn:aws:s3:::my-bucket/prefix/*',
      everything: (ctx) => `arn:${ctx.partition}:s3:::*/*`,
      defaultText: '<bucket>/* of each bucket',
    },
    kmsKeyField(),
  ],
  statements: (s) => {
    const buckets = s.list('bucketARNs');
    const objects = s.list('objectARNs');
    const keys = s.list('kmsKeyARNs');
    return [
      allow(['s3:ListBucket'], buckets),
      allow(
        actions('s3', ['GetObject', 'PutObject', 'AbortMultipartUpload', 'DeleteObject']),
        objects.length ? objects : buckets.map((b) => `${b}/*`),
      ),
      ...(keys.length ? [allow(['kms:GenerateDataKey', 'kms:Decrypt'], keys)] : []),
    ];
  },
};
