// Where a cluster's IRSA identity lives: its OIDC issuer and the IAM provider ARN derived from it.
import type { ClusterInfo } from '../../aws/eks.js';
import { PreconditionError } from '../../errors.js';
import { issuerHostPath, oidcProviderArn } from '../../policy/index.js';

export interface ClusterOidc {
  issuer: string;
  /** The issuer without https://: the provider's name and the prefix of the condition keys. */
  hostPath: string;
  providerArn: string;
}

/** A cluster still being created has no issuer yet: that is a missing precondition. */
export function clusterOidc(cluster: ClusterInfo): ClusterOidc {
  const { issuer } = cluster;
  if (!issuer) {
    throw new PreconditionError(
      `cluster ${cluster.name} has no OIDC issuer yet (status ${cluster.status ?? 'unknown'})`,
      { hint: 'wait until the cluster is ACTIVE and re-run' },
    );
  }
  const hostPath = issuerHostPath(issuer);
  return {
    issuer,
    hostPath,
    providerArn: oidcProviderArn(cluster.partition, cluster.accountId, hostPath),
  };
}
