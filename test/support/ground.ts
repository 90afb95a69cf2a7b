// The local test ground: moto_server for AWS, the Kubernetes API emulator for the cluster, and a
// runner for the built iamsa binary as a subprocess, wired the way a user's environment would be.
import { execFile } from 'node:child_process';
import { request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { CreateAddonCommand, CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import {
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListOpenIDConnectProvidersCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import { type EksEndpoint, startEksEndpoint } from './eks-endpoint/index.js';
import { type IamEndpoint, startIamEndpoint } from './iam-endpoint/index.js';
import { type KubeEmulator, startKubeEmulator } from './kube-emulator/index.js';
import { type Moto, startMoto } from './moto.js';
import { createTestPki, type TestPki } from './pki.js';

// The test process's own SDK clients would print the SDK's Node-version notice; iamsa suppresses it too.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
const ADMIN_TOKEN = 'iamsa-test-admin';
const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const BIN = fileURLToPath(new URL('../../bin/iamsa.js', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Ground {
  moto: Moto;
  /** EKS Pod Identity and add-ons (which moto lacks); every other EKS call goes on to moto. */
  eksEndpoint: EksEndpoint;
  /** iam:SimulatePrincipalPolicy (which moto lacks); every other IAM call goes on to moto. */
  iamEndpoint: IamEndpoint;
  /**
   * The environment that sends iamsa's IAM calls through iamEndpoint: passed only by the tests
   * that simulate, so every other test talks to moto directly.
   */
  iamEndpointEnv: NodeJS.ProcessEnv;
  kube: KubeEmulator;
  /** A static bearer token the emulator accepts, for test set-up outside iamsa. */
  adminToken: string;
  pki: TestPki;
  cluster: string;
  env: NodeJS.ProcessEnv;
  /** Flags that point create-serviceaccount at the emulator, keeping the EKS token. */
  kubeFlags: string[];
  iam: IAMClient;
  eks: EKSClient;
  iamsa(args: string[], env?: NodeJS.ProcessEnv): Promise<Run>;
  createCluster(name: string): Promise<void>;
  /** Installs the eks-pod-identity-agent add-on on a cluster (ACTIVE from then on). */
  installPodIdentityAgent(cluster: string): Promise<void>;
  awsState(): Promise<unknown>;
  /** A request to the emulator as an administrator, for set-up outside iamsa. */
  kubeAdmin(method: string, path: string, body?: unknown): Promise<void>;
  kubeWrites(): number;
  /** Back to a fresh ground: moto with only the cluster, the emulator with its initial namespaces. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export function awsEnv(endpoint: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(AWS_|HTTPS?_PROXY|https?_proxy|NO_PROXY|no_proxy|NO_COLOR|FORCE_COLOR)/.test(k))
      env[k] = v;
  }
  return {
    ...env,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    AWS_REGION: REGION,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

export function runBinary(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? null) : 0;
        resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
      },
    );
  });
}

export interface GroundOptions {
  /** More clusters whose EKS tokens the one Kubernetes emulator accepts (they share its state). */
  alsoClusters?: string[];
  /** Delay of every Kubernetes request (benchmarks). */
  kubeLatencyMs?: number;
}

export async function startGround(cluster = 'demo', options: GroundOptions = {}): Promise<Ground> {
  const pki = createTestPki();
  const moto = await startMoto();
  const [eksEndpoint, iamEndpoint] = await Promise.all([
    startEksEndpoint(moto.url),
    startIamEndpoint(moto.url),
  ]);
  const kube = await startKubeEmulator({
    tls: { certPem: pki.serverChainPem, keyPem: pki.serverKeyPem },
    staticTokens: [ADMIN_TOKEN],
    latencyMs: options.kubeLatencyMs,
    // moto checks no signatures, so the emulator verifies the token's SigV4 signature itself.
    eks: {
      clusterName: cluster,
      alsoClusterNames: options.alsoClusters,
      stsEndpoint: moto.url,
      secretAccessKeys: { [ACCESS_KEY]: SECRET_KEY },
    },
  });
  // The standard per-service variable: EKS goes to the Pod Identity endpoint, the rest to moto.
  const env = { ...awsEnv(moto.url), AWS_ENDPOINT_URL_EKS: eksEndpoint.url };
  const clientConfig = {
    region: REGION,
    endpoint: moto.url,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' },
  };
  const iam = new IAMClient(clientConfig);
  const eks = new EKSClient({ ...clientConfig, endpoint: eksEndpoint.url });
  const ground: Ground = {
    moto,
    eksEndpoint,
    iamEndpoint,
    iamEndpointEnv: { AWS_ENDPOINT_URL_IAM: iamEndpoint.url },
    kube,
    adminToken: ADMIN_TOKEN,
    pki,
    cluster,
    env,
    kubeFlags: ['--kube-server', kube.url, '--kube-ca-file', pki.rootCertPath],
    iam,
    eks,
    iamsa: (args, extra) => runBinary(args, { ...env, ...extra }),
    async createCluster(name) {
      await eks.send(
        new CreateClusterCommand({
          name,
          roleArn: `arn:aws:iam::${ACCOUNT}:role/eks-cluster`,
          resourcesVpcConfig: { subnetIds: ['subnet-1', 'subnet-2'] },
        }),
      );
    },
    async installPodIdentityAgent(name) {
      await eks.send(
        new CreateAddonCommand({ clusterName: name, addonName: 'eks-pod-identity-agent' }),
      );
    },
    async awsState() {
      const roles = (await iam.send(new ListRolesCommand({}))).Roles ?? [];
      const detail = await Promise.all(
        roles.map(async (r) => ({
          role: (await iam.send(new GetRoleCommand({ RoleName: r.RoleName }))).Role,
          attached: (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: r.RoleName })))
            .AttachedPolicies,
          inline: (await iam.send(new ListRolePoliciesCommand({ RoleName: r.RoleName })))
            .PolicyNames,
        })),
      );
      const providers = (await iam.send(new ListOpenIDConnectProvidersCommand({})))
        .OpenIDConnectProviderList;
      return { roles: detail, providers };
    },
    kubeAdmin: (method, path, body) => kubeRequest(kube.url, pki.rootCertPem, method, path, body),
    kubeWrites: () => kube.requests.filter((r) => r.method !== 'GET').length,
    async reset() {
      await moto.reset();
      kube.reset();
      await ground.createCluster(cluster);
    },
    async close() {
      iam.destroy();
      eks.destroy();
      await Promise.all([kube.close(), eksEndpoint.close(), iamEndpoint.close(), moto.close()]);
      pki.close();
    },
  };
  await ground.createCluster(cluster);
  return ground;
}

function kubeRequest(
  base: string,
  ca: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      {
        method,
        ca,
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          (res.statusCode ?? 500) < 300
            ? resolve()
            : reject(new Error(`${method} ${path}: ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
