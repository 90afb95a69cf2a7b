// Flags to the Kubernetes access mode, and the lazily loaded connector behind it.
import type { ClusterInfo } from '../aws/eks.js';
import type { AwsClients } from '../aws/clients.js';
import { ValidationError } from '../errors.js';
import { readCaFile } from '../kube/ca-file.js';
import { checkKubeconfigFiles } from '../kube/kubeconfig-file.js';
import type { KubeAccess, KubeConnection } from '../kube/connection.js';

export interface KubeFlags {
  kubeconfig?: string;
  context?: string;
  kubeServer?: string;
  kubeCaFile?: string;
}

/**
 * The connection flags as an access mode, checked before any call (a role-only run makes no
 * Kubernetes call, so its connection flags are let through unchecked: scripts pass one set to all).
 */
export function kubeAccess(flags: KubeFlags, roleOnly = false): KubeAccess {
  // Empty values never get here: refuseEmptyValues (globals.ts) refuses them while parsing.
  if ((flags.kubeconfig || flags.context) && (flags.kubeServer || flags.kubeCaFile)) {
    throw new ValidationError(
      '--kubeconfig/--context and --kube-server/--kube-ca-file are two ways to connect; pick one',
    );
  }
  if (flags.kubeconfig || flags.context) {
    if (!roleOnly) checkKubeconfigFiles(flags.kubeconfig);
    return { mode: 'kubeconfig', file: flags.kubeconfig, context: flags.context };
  }
  const access: KubeAccess = { mode: 'eks', server: flags.kubeServer, caFile: flags.kubeCaFile };
  if (!roleOnly) checkServerFlags(access);
  return access;
}

function checkServerFlags(access: Extract<KubeAccess, { mode: 'eks' }>): void {
  if (access.server !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(access.server);
    } catch {
      url = undefined;
    }
    if (url?.protocol !== 'https:') {
      throw new ValidationError(`invalid --kube-server ${access.server}: must be an https:// URL`, {
        hint: 'for example --kube-server https://127.0.0.1:8443',
      });
    }
  }
  if (access.caFile !== undefined && access.server === undefined) {
    throw new ValidationError('--kube-ca-file goes with --kube-server', {
      hint: 'the cluster endpoint is verified with the CA that EKS reports',
    });
  }
  if (access.caFile !== undefined) readCaFile(access.caFile);
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
