// Flags to the Kubernetes access mode, and the lazily loaded connector behind it.
import type { ClusterInfo } from '../aws/eks.js';
import type { AwsClients } from '../aws/clients.js';
import { ValidationError } from '../errors.js';
import type { KubeAccess, KubeConnection } from '../kube/connection.js';

export interface KubeFlags {
  kubeconfig?: string;
  context?: string;
  kubeServer?: string;
  kubeCaFile?: string;
}

export function kubeAccess(flags: KubeFlags): KubeAccess {
  // Empty values never get here: refuseEmptyValues (globals.ts) refuses them while parsing.
  if ((flags.kubeconfig || flags.context) && (flags.kubeServer || flags.kubeCaFile)) {
    throw new ValidationError(
      '--kubeconfig/--context and --kube-server/--kube-ca-file are two ways to connect; pick one',
    );
  }
  if (flags.kubeconfig || flags.context)
    return { mode: 'kubeconfig', file: flags.kubeconfig, context: flags.context };
  return { mode: 'eks', server: flags.kubeServer, caFile: flags.kubeCaFile };
}

/** Connects once the cluster is described; the EKS token is presigned meanwhile. */
export function kubeOpener(clients: AwsClients) {
  return async (
    access: KubeAccess,
    clusterName: string,
    cluster: Promise<ClusterInfo>,
  ): Promise<KubeConnection> => {
    // Minting starts now, alongside DescribeCluster; later requests renew it when it expires.
    const token =
      access.mode === 'eks'
        ? import('../aws/eks-token.js').then((m) =>
            m.renewingToken(() =>
              m.createEksToken({
                clusterName,
                region: clients.region,
                credentials: clients.credentials,
              }),
            ),
          )
        : undefined;
    const connection = import('../kube/connection.js');
    // kubeconfig mode: @kubernetes/client-node loads while the cluster is described.
    if (access.mode === 'kubeconfig')
      connection.then((m) => m.loadKubeconfigClient()).catch(() => undefined); // reported on use
    const [{ connectKube }, info, nextToken] = await Promise.all([connection, cluster, token]);
    return connectKube(access, info, nextToken);
  };
}
