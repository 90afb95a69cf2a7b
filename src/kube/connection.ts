// Builds the Kubernetes connection. By default, like eksctl, straight from the EKS API: the
// cluster's endpoint and CA, and a bearer token presigned with the caller's AWS identity, so
// iamsa always writes to the cluster that was named, whatever the local kubeconfig says.
import { KubeConfig } from '@kubernetes/client-node';
import type { ClusterInfo } from '../aws/eks.js';
import { ValidationError } from '../errors.js';
import { readCaFile } from './ca-file.js';
import { createKubeGateway, type KubeGateway } from './gateway.js';

export type KubeAccess =
  | { mode: 'eks'; server?: string; caFile?: string }
  | { mode: 'kubeconfig'; file?: string; context?: string };

export interface KubeConnection {
  gateway: KubeGateway;
  warnings: string[];
}

export async function connectKube(
  access: KubeAccess,
  cluster: ClusterInfo,
  token: () => Promise<string>,
): Promise<KubeConnection> {
  const kc = new KubeConfig();
  const warnings: string[] = [];
  if (access.mode === 'kubeconfig') {
    try {
      if (access.file) kc.loadFromFile(access.file);
      else kc.loadFromDefault();
    } catch (error) {
      throw new ValidationError(
        `cannot load kubeconfig ${access.file ?? '(default)'}: ${(error as Error).message}`,
      );
    }
    if (access.context) {
      if (!kc.getContextObject(access.context)) {
        throw new ValidationError(
          `context "${access.context}" not found in kubeconfig ${access.file ?? '(default)'}`,
          {
            hint: `kubectl config get-contexts${access.file ? ` --kubeconfig ${access.file}` : ''}`,
          },
        );
      }
      kc.setCurrentContext(access.context);
    }
    const server = kc.getCurrentCluster()?.server ?? '';
    if (!server) throw new ValidationError('the kubeconfig has no current cluster; pass --context');
    if (cluster.endpoint && normalize(server) !== normalize(cluster.endpoint)) {
      warnings.push(
        `kubeconfig server ${server} differs from the endpoint of cluster ${cluster.name} (${cluster.endpoint}); make sure it is the same cluster`,
      );
    }
    return { gateway: createKubeGateway(kc, server), warnings };
  }

  const server = (access.server ?? cluster.endpoint).replace(/\/+$/, '');
  if (!server)
    throw new ValidationError(
      `cluster ${cluster.name} reports no API endpoint; pass --kube-server`,
    );
  // A CA given on the command line vouches for the address we talk to; otherwise the cluster's
  // own CA must vouch for the cluster's endpoint name, even when we reach it through a tunnel.
  const tls = access.caFile
    ? { caData: Buffer.from(readCaFile(access.caFile)).toString('base64') }
    : {
        caData: cluster.certificateAuthority,
        ...(access.server ? { tlsServerName: new URL(cluster.endpoint).hostname } : {}),
      };
  kc.loadFromOptions({
    clusters: [{ name: cluster.name, server, skipTLSVerify: false, ...tls }],
    users: [{ name: 'iamsa', token: await token() }],
    contexts: [{ name: 'iamsa', cluster: cluster.name, user: 'iamsa' }],
    currentContext: 'iamsa',
  });
  return { gateway: createKubeGateway(kc, server), warnings };
}

const normalize = (url: string) => url.replace(/\/+$/, '').toLowerCase();
