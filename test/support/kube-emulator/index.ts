// A Kubernetes API server emulator for tests: the real REST protocol over HTTPS for namespaces,
// service accounts and pods (core/v1), workloads (apps/v1, batch/v1) and RBAC bindings, good
// enough for kubectl and @kubernetes/client-node.
import type { AddressInfo } from 'node:net';
import { Registry } from './registry.js';
import { Authenticator } from './auth.js';
import { DEFAULT_VERSION, versionInfo } from './discovery.js';
import type { Resource } from './store.js';
import { Store } from './store.js';
import { createApiServer, type Fault, type RequestRecord } from './server.js';
import { StatusError, tooManyRequests } from './status.js';

export type { RequestRecord } from './server.js';
export { decodeEksToken, EKS_PREFIX, TokenRejected } from './auth.js';

export interface KubeEmulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Server certificate chain (leaf first) and key, e.g. serverChainPem / serverKeyPem. */
  tls: { certPem: string; keyPem: string };
  /** Bearer tokens accepted as they are; the user is 'admin'. */
  staticTokens?: string[];
  /**
   * Accept EKS tokens (k8s-aws-v1.…), verified against stsEndpoint like aws-iam-authenticator.
   * Also turns on what the EKS pod identity webhook injects into pods (region default us-east-1).
   */
  eks?: {
    clusterName: string;
    /** More cluster names whose tokens are accepted (one emulator standing in for several). */
    alsoClusterNames?: string[];
    stsEndpoint: string;
    region?: string;
    /** Secret keys by access key id: also verify the SigV4 signature (moto does not). */
    secretAccessKeys?: Record<string, string>;
  };
  /** Delay before serving each request (benchmarks: a distant API server). */
  latencyMs?: number;
  /** Initial namespaces; default ['default', 'kube-system', 'kube-public']. */
  namespaces?: string[];
  /**
   * gitVersion served on /version; default v1.32.0. Note /usr/bin/kubectl here is the gcloud
   * dispatcher, which runs the kubectl minor version that matches the server's.
   */
  version?: string;
}

export interface KubeEmulator {
  /** https://HOST:PORT */
  url: string;
  port: number;
  /** Every answered request, in order. */
  requests: RequestRecord[];
  /** TLS connections accepted so far (a client that reuses its connection opens one). */
  connections(): number;
  /** A deep copy of the stored object, or undefined. */
  getObject(kind: Resource, namespace: string | undefined, name: string): any | undefined;
  /** Answers the next `times` matching requests with 429 and Retry-After instead of serving them. */
  throttleNext(method: string, path: RegExp, retryAfterSeconds: number, times?: number): void;
  /** Marks a namespace deleted but held by a finalizer: Terminating, refusing new content. */
  terminateNamespace(name: string): void;
  /** Answers the next matching request with this status instead of serving it. */
  failNext(method: string, path: RegExp, code: number, message: string): void;
  /** Changes the delay before each request (benchmarks: one emulator, several distances). */
  setLatency(ms: number): void;
  /** From now on, push each request's arrival and answer times (performance.now()) here. */
  recordTimings(into: Array<[number, number, string?]> | undefined): void;
  /** Back to the initial namespaces (each with its "default" service account); log cleared. */
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public'];

export async function startKubeEmulator(options: KubeEmulatorOptions): Promise<KubeEmulator> {
  const host = options.host ?? '127.0.0.1';
  const store = new Store();
  const api = new Registry(
    store,
    options.eks ? { eksRegion: options.eks.region ?? 'us-east-1' } : {},
  );
  const auth = new Authenticator(options.staticTokens ?? [], options.eks);
  const initial = options.namespaces ?? DEFAULT_NAMESPACES;
  const seed = () => initial.forEach((ns) => api.seedNamespace(ns));
  seed();
  const requests: RequestRecord[] = [];
  const faults: Fault[] = [];
  let port = 0;
  const front = {
    faults,
    certPem: options.tls.certPem,
    keyPem: options.tls.keyPem,
    api,
    auth,
    requests,
    serverAddress: () => `${host}:${port}`,
    version: versionInfo(options.version ?? DEFAULT_VERSION),
    latencyMs: options.latencyMs,
    timings: undefined as Array<[number, number, string?]> | undefined,
  };
  const server = createApiServer(front);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  let connections = 0;
  server.on('secureConnection', () => connections++);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `https://${urlHost}:${port}`,
    port,
    requests,
    setLatency(ms) {
      front.latencyMs = ms;
    },
    recordTimings(into) {
      front.timings = into;
    },
    connections: () => connections,
    getObject: (kind, namespace, name) =>
      store.get(kind, kind === 'namespaces' ? undefined : namespace, name),
    throttleNext(method, path, retryAfterSeconds, times = 1) {
      for (let i = 0; i < times; i++)
        faults.push({ method, path, error: tooManyRequests(retryAfterSeconds) });
    },
    terminateNamespace: (name) => api.terminateNamespace(name),
    failNext(method, path, code, message) {
      const reason =
        code === 403 ? 'Forbidden' : code === 409 ? 'Conflict' : code >= 500 ? 'InternalError' : '';
      faults.push({ method, path, error: new StatusError(code, reason, message) });
    },
    reset() {
      faults.length = 0;
      store.clear();
      auth.clearCache();
      requests.length = 0;
      seed();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A kubeconfig (YAML is a superset of this JSON) for kubectl or KubeConfig.loadFromString. */
export function kubeconfigFor(server: string, token: string, caFile: string): string {
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'emulator', cluster: { server, 'certificate-authority': caFile } }],
      users: [{ name: 'emulator', user: { token } }],
      contexts: [{ name: 'emulator', context: { cluster: 'emulator', user: 'emulator' } }],
      'current-context': 'emulator',
    },
    null,
    2,
  );
}
