// The catalogue of well-known policies: every controller eksctl and the Terraform IRSA module know, plus
// Karpenter. Listed in the order `iamsa well-known-policies` shows them (eksctl's seven first).
import { amazonManagedPrometheus } from './amazon-managed-prometheus.js';
import { autoScaler } from './auto-scaler.js';
import { awsLoadBalancerController } from './aws-load-balancer-controller.js';
import { certManager } from './cert-manager.js';
import { cloudWatchObservability } from './cloudwatch-observability.js';
import { ebsCSIController } from './ebs-csi-controller.js';
import { efsCSIController } from './efs-csi-controller.js';
import { externalDNS } from './external-dns.js';
import { externalSecrets } from './external-secrets.js';
import { fsxLustreCSI, fsxOpenZFSCSI } from './fsx.js';
import { gatewayController } from './gateway-controller.js';
import { imageBuilder } from './image-builder.js';
import { karpenter } from './karpenter.js';
import { mountpointS3CSI } from './mountpoint-s3-csi.js';
import { nodeTerminationHandler } from './node-termination-handler.js';
import { loadBalancerControllerTargetGroupBinding } from './target-group-binding.js';
import type { WellKnownPolicy } from './types.js';
import { velero } from './velero.js';
import { vpcCNI } from './vpc-cni.js';

export const WELL_KNOWN_POLICIES: readonly WellKnownPolicy[] = [
  imageBuilder,
  autoScaler,
  awsLoadBalancerController,
  externalDNS,
  certManager,
  ebsCSIController,
  efsCSIController,
  vpcCNI,
  externalSecrets,
  mountpointS3CSI,
  fsxLustreCSI,
  fsxOpenZFSCSI,
  velero,
  nodeTerminationHandler,
  cloudWatchObservability,
  amazonManagedPrometheus,
  loadBalancerControllerTargetGroupBinding,
  gatewayController,
  karpenter,
];

/** eksctl's seven keys (its ClusterConfig `wellKnownPolicies`). */
export const EKSCTL_KEYS = [
  'imageBuilder',
  'autoScaler',
  'awsLoadBalancerController',
  'externalDNS',
  'certManager',
  'ebsCSIController',
  'efsCSIController',
] as const;
