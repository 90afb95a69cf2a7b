// What `iamsa apply` works on: bindings as documents (read and checked by the file layer), each
// for one or more clusters. A binding that lists several clusters is one role shared by them.
import { ValidationError } from '../../errors.js';
import { sharedRoleName } from '../../policy/index.js';
import type { BindingSpec } from '../binding/spec.js';
import { type CheckedBinding, checkBinding } from '../binding/check.js';

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
  /** The binding checked for each cluster, in the order of `clusters` (checkApplyBinding). */
  checked: readonly CheckedBinding[];
}

export interface ApplyInput {
  /** The file, for the result header (`bindings.yaml`, `-` for stdin). */
  file: string;
  bindings: ApplyBinding[];
  /** Clusters whose OIDC provider is part of the run (eksctl's iam.withOIDC). */
  enableOidc: ClusterRef[];
  /** Notes about the file (ignored eksctl sections), shown as warnings. */
  notes: string[];
  /** Service account metadata keys the file set that are iamsa's to set: left out, warned. */
  ignored?: string[];
  prune: boolean;
  /** The trust policy size quota (IAM default 2,048; raisable to 4,096). */
  maxTrustPolicySize: number;
}

/**
 * A file's binding checked once for each of its clusters, at the boundary (the file reader calls
 * this): a file is the whole desired state of its roles (declared), and several clusters share one
 * role, by default named for the service account alone (decision 0005). Throws the first problem.
 */
export function checkApplyBinding(
  spec: Omit<BindingSpec, 'cluster'>,
  clusters: readonly Pick<ClusterRef, 'name'>[],
): CheckedBinding[] {
  const shared = clusters.length > 1 && spec.attachRoleArn === undefined;
  if (
    shared &&
    (Object.keys(spec.wellKnownPolicies ?? {}).length || spec.mechanism === 'pod-identity')
  ) {
    throw new ValidationError(
      `${spec.source.labels.cluster ?? 'clusters'} lists several clusters: a shared role takes attachPolicyARNs and an inline policy, not wellKnownPolicies or Pod Identity yet`,
      { hint: 'make one binding per cluster for those' },
    );
  }
  const roleName = shared
    ? (spec.roleName ?? sharedRoleName(spec.namespace, spec.name))
    : spec.roleName;
  return clusters.map((c) => checkBinding({ ...spec, declared: true, roleName, cluster: c.name }));
}

export const clusterKey = (c: ClusterRef) => `${c.name}@${c.region ?? ''}`;
