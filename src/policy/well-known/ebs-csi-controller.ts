// eksctl's ebsCSIController: the AWS-managed EBS CSI driver policy, plus use of the customer KMS
// keys named (for encrypted volumes), which the managed policy does not grant.
import { kmsForAwsResources, kmsKeyField } from './statement.js';
import type { WellKnownPolicy } from './types.js';

export const ebsCSIController: WellKnownPolicy = {
  key: 'ebsCSIController',
  grants: 'create, attach, snapshot and delete EBS volumes; use the named KMS keys',
  defaultScope: 'AWS-managed AmazonEBSCSIDriverPolicy; no KMS key unless kmsKeyARNs',
  fields: [kmsKeyField()],
  managed: () => ['service-role/AmazonEBSCSIDriverPolicy'],
  statements: (s) => kmsForAwsResources(s.list('kmsKeyARNs')),
};
