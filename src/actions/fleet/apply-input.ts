// What `iamsa apply` works on: bindings as documents (read and checked by the file layer), each
// for one or more clusters. A binding that lists several clusters is one role shared by them.
import type { BindingSpec } from '../binding/spec.js';

export interface ClusterRef {
  name: string;
  /** Absent: the run's default region (--region, or the SDK's chain). */
  region?: string;
}

export interface ApplyBinding {
  /** One or more clusters; several share one role with a trust statement per cluster. */
  clusters: ClusterRef[];
  /** The spec without a cluster (each cluster gets its own copy); labelled with file paths. */
  spec: Omit<BindingSpec, 'cluster'>;
}

export interface ApplyInput {
  /** The file, for the result header (`bindings.yaml`, `-` for stdin). */
  file: string;
  bindings: ApplyBinding[];
  /** Clusters whose OIDC provider is part of the run (eksctl's iam.withOIDC). */
  enableOidc: ClusterRef[];
  /** Notes about the file (ignored eksctl sections), shown as warnings. */
  notes: string[];
  prune: boolean;
  /** The trust policy size quota (IAM default 2,048; raisable to 4,096). */
  maxTrustPolicySize: number;
}

export const clusterKey = (c: ClusterRef) => `${c.name}@${c.region ?? ''}`;
