// eksctl's ebsCSIController: the AWS-managed EBS CSI driver policy, plus use of the customer KMS
// keys named (for encrypted volumes), which the managed policy does not grant, and
// ec2:DescribeInstanceTypes, which the driver calls and the managed policy lacks (the Terraform
// module grants it since v6.5.0).
import { allow, kmsForAwsResources, kmsKeyField } from './statement.js';
import type { WellKnownPolicy } from './types.js';

export const ebsCSIController: WellKnownPolicy = {
  key: 'ebsCSIController',
  grants:
    'create, attach, snapshot and delete EBS volumes; describe instance types; use the named KMS keys',
  defaultScope:
    'AWS-managed AmazonEBSCSIDriverPolicy and ec2:DescribeInstanceTypes; no KMS key unless kmsKeyARNs',
  fields: [kmsKeyField()],
  managed: () => ['service-role/AmazonEBSCSIDriverPolicy'],
  statements: (s) => [
    allow(['ec2:DescribeInstanceTypes'], '*'),
    ...kmsForAwsResources(s.list('kmsKeyARNs')),
  ],
};
