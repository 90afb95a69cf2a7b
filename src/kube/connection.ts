// Builds the Kubernetes connection. By default, like eksctl, straight from the EKS API: the
// cluster's endpoint and CA, and a bearer token presigned with the caller's AWS identity, so
// iamsa always writes to the cluster that was named, whatever the local kubeconfig says.
import type { RequestOptions } from 'node:https';
// Only client-node's config module: its index brings the generated models and API classes,
// about 25 MB of heap iamsa never uses (docs/decisions/0007-kubeconfig-config-module.md).
import type * as KubeConfigModule from '@kubernetes/client-node/dist/config.js';
import type { ClusterInfo } from '../aws/eks.js';
import { PreconditionError, ValidationError } from '../errors.js';
import { readCaFile } from './ca-file.js';
import { createKubeGateway, type KubeGateway } from './gateway.js';
import type { RestTarget } from './rest.js';

export type KubeAccess =
  | { mode: 'eks'; server?: string; caFile?: string }
  | { mode: 'kubeconfig'; file?: string; context?: string };

export interface KubeConnection {
  gateway: KubeGateway;
  warnings: string[];
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

export async function connectKube(
  access: KubeAccess,
  cluster: ClusterInfo,
  /** The bearer token for each request (EKS mode): renewed by the caller when it expires. */
  token?: () => Promise<string>,
): Promise<KubeConnection> {
  if (access.mode === 'kubeconfig') return connectWithKubeconfig(access, cluster);
  if (!token) throw new Error('internal: the EKS connection needs a token source');
  const server = trimSlash(access.server ?? cluster.endpoint);
  if (!server) {
    throw new PreconditionError(`cluster ${cluster.name} reports no API endpoint`, {
      hint: 'wait until the cluster is ACTIVE, or pass --kube-server URL',
    });
  }
  if (!access.caFile && !cluster.certificateAuthority) {
    throw new PreconditionError(`cluster ${cluster.name} reports no certificate authority`, {
      hint: 'wait until the cluster is ACTIVE, or pass --kube-ca-file FILE',
    });
  }
  // A CA given on the command line vouches for the address we talk to; otherwise the cluster's
  // own CA must vouch for the cluster's endpoint name, even when we reach it through a tunnel.
  const tls: RequestOptions = access.caFile
    ? { ca: readCaFile(access.caFile) }
    : {
        ca: Buffer.from(cluster.certificateAuthority ?? '', 'base64').toString('utf8'),
        ...(access.server ? { servername: new URL(cluster.endpoint).hostname } : {}),
      };
  const target: RestTarget = {
    server,
    options: async () => ({ ...tls, headers: { authorization: `Bearer ${await token()}` } }),
    caFile: access.caFile,
  };
  return { gateway: createKubeGateway(target), warnings: [] };
}

let clientNode: Promise<typeof KubeConfigModule> | undefined;
/** Starts loading @kubernetes/client-node's config module, once; call it early. */
export const loadKubeconfigClient = () =>
  (clientNode ??= import('@kubernetes/client-node/dist/config.js'));

/** kubeconfig mode: @kubernetes/client-node resolves contexts, exec plugins, certificates, proxies. */
async function connectWithKubeconfig(
  access: Extract<KubeAccess, { mode: 'kubeconfig' }>,
  cluster: ClusterInfo,
): Promise<KubeConnection> {
  const { KubeConfig } = await loadKubeconfigClient();
  const kc = new KubeConfig();
  const where = access.file ?? 'from KUBECONFIG or ~/.kube/config';
  try {
    if (access.file) kc.loadFromFile(access.file);
    else kc.loadFromDefault();
  } catch (error) {
    // No cause: the parser's error quotes the file around the mistake, tokens included.
    throw new ValidationError(`cannot load kubeconfig ${where}: ${loadFailure(error)}`);
  }
  if (access.context) {
    if (!kc.getContextObject(access.context)) {
      throw new ValidationError(`context ${access.context} not found in kubeconfig ${where}`, {
        hint: `kubectl config get-contexts${access.file ? ` --kubeconfig ${access.file}` : ''}`,
      });
    }
    kc.setCurrentContext(access.context);
  }
  const server = trimSlash(kc.getCurrentCluster()?.server ?? '');
  if (!server)
    throw new ValidationError(`kubeconfig ${where} has no current cluster; pass --context`);
  const warnings: string[] = [];
  if (cluster.endpoint && server.toLowerCase() !== trimSlash(cluster.endpoint).toLowerCase()) {
    warnings.push(
      `kubeconfig server ${server} differs from the endpoint of cluster ${cluster.name} (${cluster.endpoint}); make sure it is the same cluster`,
    );
  }
  const proxied = !!kc.getCurrentCluster()?.proxyUrl;
  let proxyAgent: RequestOptions['agent'];
  const target: RestTarget = {
    server,
    options: async () => {
      const options: RequestOptions = {};
      await kc.applyToHTTPSOptions(options);
      // client-node makes a new agent (a new TLS connection) for every request: keep the REST
      // client's keep-alive agent, or one proxy agent for the whole run.
      if (proxied) options.agent = proxyAgent ??= options.agent;
      else delete options.agent;
      return options;
    },
  };
  return { gateway: createKubeGateway(target), warnings };
}

/** Why a kubeconfig did not load, without its contents: file, line and column for YAML errors. */
function loadFailure(error: unknown): string {
  const e = error as { name?: string; message?: string; reason?: string; mark?: YamlMark };
  if (e?.name === 'YAMLException' && e.mark) {
    // js-yaml's reasons are fixed phrases; anything else might quote the file.
    const reason = e.reason && /^[a-z ,]+$/i.test(e.reason) ? `: ${e.reason}` : '';
    return `not valid YAML at line ${e.mark.line + 1}, column ${e.mark.column + 1}${reason}`;
  }
  return (e?.message ?? String(error)).split('\n')[0] ?? '';
}

interface YamlMark {
  line: number;
  column: number;
}
