// In-memory gateways for planner tests: they keep state and answer like the services do (errors of
// the same kinds, what IAM refuses is refused), so a test checks what a plan does to the state,
// not which calls it made. The binary tests run the same behaviour against moto and the emulator.
import type { ClusterInfo, EksGateway } from '../../src/aws/eks.js';
import type { IamGateway, OidcProvider, Role } from '../../src/aws/iam.js';
import type { Reporter } from '../../src/actions/reporter.js';
import type { RegionAccess } from '../../src/actions/cluster-session.js';
import {
  AlreadyExistsError,
  ConflictError,
  PreconditionError,
  ValidationError,
} from '../../src/errors.js';
import type { KubeGateway, Pod, ServiceAccount } from '../../src/kube/gateway.js';

export const ACCOUNT = '111122223333';

interface StoredRole extends Role {
  attached: Set<string>;
  inline: Map<string, string>;
}

export class FakeIam implements IamGateway {
  readonly roles = new Map<string, StoredRole>();
  readonly providers = new Map<string, OidcProvider>();
  readonly policies = new Set<string>([
    'arn:aws:iam::aws:policy/ReadOnlyAccess',
    'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
  ]);
  /** Every call by name, for the tests that count round trips. */
  readonly calls: string[] = [];

  private role(name: string): StoredRole {
    const role = this.roles.get(name.toLowerCase());
    if (!role) throw Object.assign(new Error(`role ${name} not found`), { name: 'NoSuchEntity' });
    return role;
  }
  private log(call: string) {
    this.calls.push(call);
  }

  async getOidcProvider(arn: string) {
    this.log('getOidcProvider');
    const p = this.providers.get(arn);
    return p && structuredClone(p);
  }
  async createOidcProvider(p: {
    url: string;
    clientIds: string[];
    thumbprints?: string[];
    tags: Record<string, string>;
  }) {
    this.log('createOidcProvider');
    const arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${p.url.replace(/^https:\/\//, '')}`;
    if (this.providers.has(arn)) throw new AlreadyExistsError(`provider ${arn} exists`);
    this.providers.set(arn, {
      arn,
      url: p.url,
      clientIds: [...p.clientIds],
      thumbprints: [...(p.thumbprints ?? [])],
      tags: { ...p.tags },
    });
    return arn;
  }
  async addOidcClientId(arn: string, clientId: string) {
    this.log('addOidcClientId');
    this.providers.get(arn)?.clientIds.push(clientId);
  }
  async updateOidcThumbprints(arn: string, thumbprints: string[]) {
    this.log('updateOidcThumbprints');
    const p = this.providers.get(arn);
    if (p) p.thumbprints = [...thumbprints];
  }
  async tagOidcProvider(arn: string, tags: Record<string, string>) {
    this.log('tagOidcProvider');
    const p = this.providers.get(arn);
    if (p) Object.assign(p.tags, tags);
  }
  async getRole(name: string) {
    this.log('getRole');
    const r = this.roles.get(name.toLowerCase());
    if (!r) return undefined;
    const { arn, name: roleName, path, trustPolicy, tags, permissionsBoundaryArn } = r;
    return structuredClone({
      arn,
      name: roleName,
      path,
      trustPolicy,
      tags,
      permissionsBoundaryArn,
    });
  }
  async createRole(role: Parameters<IamGateway['createRole']>[0]) {
    this.log('createRole');
    if (this.roles.has(role.name.toLowerCase()))
      throw new AlreadyExistsError(`Role with name ${role.name} already exists`);
    const stored: StoredRole = {
      arn: `arn:aws:iam::${ACCOUNT}:role${role.path}${role.name}`,
      name: role.name,
      path: role.path,
      trustPolicy: encodeURIComponent(role.trustPolicy),
      tags: { ...role.tags },
      permissionsBoundaryArn: role.permissionsBoundaryArn,
      attached: new Set(),
      inline: new Map(),
    };
    this.roles.set(role.name.toLowerCase(), stored);
    return (await this.getRole(role.name)) as Role;
  }
  async updateTrustPolicy(roleName: string, trustPolicy: string) {
    this.log('updateTrustPolicy');
    this.role(roleName).trustPolicy = encodeURIComponent(trustPolicy);
  }
  async putPermissionsBoundary(roleName: string, arn: string) {
    this.log('putPermissionsBoundary');
    if (!this.policies.has(arn)) throw new ValidationError(`policy ${arn} does not exist`);
    this.role(roleName).permissionsBoundaryArn = arn;
  }
  async tagRole(roleName: string, tags: Record<string, string>) {
    this.log('tagRole');
    Object.assign(this.role(roleName).tags, tags);
  }
  async listAttachedPolicyArns(roleName: string) {
    this.log('listAttachedPolicyArns');
    return [...this.role(roleName).attached];
  }
  async attachPolicy(roleName: string, policyArn: string) {
    this.log('attachPolicy');
    if (!this.policies.has(policyArn))
      throw new ValidationError(`policy ${policyArn} does not exist`);
    this.role(roleName).attached.add(policyArn);
  }
  async policyExists(policyArn: string) {
    this.log('policyExists');
    return this.policies.has(policyArn);
  }
  async getInlinePolicy(roleName: string, policyName: string) {
    this.log('getInlinePolicy');
    const document = this.roles.get(roleName.toLowerCase())?.inline.get(policyName);
    return document === undefined ? undefined : encodeURIComponent(document);
  }
  async putInlinePolicy(roleName: string, policyName: string, document: string) {
    this.log('putInlinePolicy');
    this.role(roleName).inline.set(policyName, document);
  }
  async listPolicies(scope: 'AWS' | 'Local') {
    this.log('listPolicies');
    return [...this.policies]
      .filter((arn) => (scope === 'AWS') === arn.startsWith('arn:aws:iam::aws:'))
      .map((arn) => ({
        arn,
        name: arn.slice(arn.lastIndexOf('/') + 1),
        awsManaged: scope === 'AWS',
      }));
  }
  async detachPolicy(roleName: string, policyArn: string) {
    this.log('detachPolicy');
    this.roles.get(roleName.toLowerCase())?.attached.delete(policyArn);
  }
  async listInlinePolicyNames(roleName: string) {
    this.log('listInlinePolicyNames');
    return [...this.role(roleName).inline.keys()];
  }
  async deleteInlinePolicy(roleName: string, policyName: string) {
    this.log('deleteInlinePolicy');
    this.roles.get(roleName.toLowerCase())?.inline.delete(policyName);
  }
  async deletePermissionsBoundary(roleName: string) {
    this.log('deletePermissionsBoundary');
    delete this.role(roleName).permissionsBoundaryArn;
  }
  async untagRole(roleName: string, keys: string[]) {
    this.log('untagRole');
    const role = this.role(roleName);
    for (const key of keys) delete role.tags[key];
  }
  async deleteRole(roleName: string) {
    this.log('deleteRole');
    const role = this.roles.get(roleName.toLowerCase());
    if (!role) return;
    // IAM refuses to delete a role that still has policies.
    if (role.attached.size || role.inline.size)
      throw new ConflictError(`DeleteConflict: role ${roleName} still has policies`);
    this.roles.delete(roleName.toLowerCase());
  }
  async listOidcProviderArns() {
    this.log('listOidcProviderArns');
    return [...this.providers.keys()];
  }
  /** IAM's policy simulator is not modelled here. */
  async simulatePrincipalPolicy(): Promise<never> {
    throw new Error('FakeIam does not model iam:SimulatePrincipalPolicy');
  }
  async listRoles() {
    this.log('listRoles');
    return [...this.roles.values()].map(({ arn, name, path, trustPolicy }) => ({
      arn,
      name,
      path,
      trustPolicy,
    }));
  }
}

export function clusterInfo(name: string, region = 'us-east-1'): ClusterInfo {
  return {
    name,
    arn: `arn:aws:eks:${region}:${ACCOUNT}:cluster/${name}`,
    accountId: ACCOUNT,
    partition: 'aws',
    region,
    endpoint: `https://${name}.example.eks.amazonaws.com`,
    certificateAuthority: 'Q0E=',
    issuer: `https://oidc.eks.${region}.amazonaws.com/id/${name.toUpperCase()}0000`,
    status: 'ACTIVE',
  };
}

export class FakeEks implements EksGateway {
  readonly clusters = new Map<string, ClusterInfo>();
  describes = 0;
  constructor(...names: string[]) {
    for (const n of names) this.clusters.set(n, clusterInfo(n));
  }
  async describeCluster(name: string) {
    this.describes++;
    const c = this.clusters.get(name);
    if (!c) throw new PreconditionError(`cluster "${name}" not found`);
    return structuredClone(c);
  }
  async listClusters() {
    return [...this.clusters.keys()];
  }
}

interface StoredSa extends ServiceAccount {
  resourceVersion: string;
}

export class FakeKube implements KubeGateway {
  readonly namespaces = new Set(['default', 'kube-system']);
  readonly serviceAccounts = new Map<string, StoredSa>();
  readonly pods: Pod[] = [];
  private version = 1;
  private key = (ns: string, name: string) => `${ns}/${name}`;
  private conflict(what: string) {
    return new ConflictError(`Kubernetes conflict while ${what}: the object has been modified`);
  }

  async namespaceExists(namespace: string) {
    return this.namespaces.has(namespace);
  }
  async listNamespaces() {
    return [...this.namespaces];
  }
  async createNamespace(namespace: string) {
    if (this.namespaces.has(namespace))
      throw new AlreadyExistsError(`namespace ${namespace} exists`);
    this.namespaces.add(namespace);
  }
  async getServiceAccount(namespace: string, name: string) {
    const sa = this.serviceAccounts.get(this.key(namespace, name));
    return sa && structuredClone(sa);
  }
  async listServiceAccounts(namespace?: string) {
    return [...this.serviceAccounts.values()]
      .filter((sa) => namespace === undefined || sa.namespace === namespace)
      .map((sa) => structuredClone(sa));
  }
  async createServiceAccount(
    namespace: string,
    name: string,
    metadata: {
      annotations?: Record<string, string | null>;
      labels?: Record<string, string | null>;
    },
  ) {
    if (!this.namespaces.has(namespace))
      throw new PreconditionError(`namespace ${namespace} not found`);
    if (this.serviceAccounts.has(this.key(namespace, name)))
      throw new AlreadyExistsError(`serviceaccounts "${name}" already exists`);
    this.serviceAccounts.set(this.key(namespace, name), {
      namespace,
      name,
      annotations: clean(metadata.annotations),
      labels: clean(metadata.labels),
      resourceVersion: String(this.version++),
    });
  }
  async patchServiceAccount(
    namespace: string,
    name: string,
    metadata: {
      annotations?: Record<string, string | null>;
      labels?: Record<string, string | null>;
    },
    resourceVersion?: string,
  ) {
    const sa = this.serviceAccounts.get(this.key(namespace, name));
    if (!sa) throw new PreconditionError(`serviceaccounts "${name}" not found`);
    if (resourceVersion && resourceVersion !== sa.resourceVersion)
      throw this.conflict(`updating ${name}`);
    sa.annotations = merge(sa.annotations, metadata.annotations);
    sa.labels = merge(sa.labels, metadata.labels);
    sa.resourceVersion = String(this.version++);
  }
  async deleteServiceAccount(namespace: string, name: string, resourceVersion?: string) {
    const sa = this.serviceAccounts.get(this.key(namespace, name));
    if (!sa) throw new PreconditionError(`serviceaccounts "${name}" not found`);
    if (resourceVersion && resourceVersion !== sa.resourceVersion)
      throw this.conflict(`deleting ${name}`);
    this.serviceAccounts.delete(this.key(namespace, name));
  }
  async listPodsOf(namespace: string, serviceAccount: string) {
    return this.pods.filter(
      (p) => p.namespace === namespace && p.serviceAccountName === serviceAccount,
    );
  }
  async listAllPods() {
    return [...this.pods];
  }
}

const clean = (m: Record<string, string | null> | undefined) =>
  Object.fromEntries(Object.entries(m ?? {}).filter((e): e is [string, string] => e[1] !== null));

/** A JSON merge patch of a string map: null removes the key. */
function merge(current: Record<string, string>, patch: Record<string, string | null> | undefined) {
  const next = { ...current };
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  return next;
}

export const quietReporter: Reporter = {
  progress: (_label, work) => work(),
  warn: () => undefined,
};

/** One region's fakes, wired the way src/cli wires the real clients. */
export function fakeRegion(...clusters: string[]) {
  const iam = new FakeIam();
  const eks = new FakeEks(...clusters);
  const kube = new FakeKube();
  let connections = 0;
  const access: RegionAccess = {
    region: 'us-east-1',
    iam,
    eks,
    openKube: async (_access, _name, cluster) => {
      connections++;
      await cluster;
      return { gateway: kube, warnings: [] };
    },
  };
  return { iam, eks, kube, access, connections: () => connections };
}

/** Makes the cluster's OIDC provider, as enable-oidc would. */
export async function enableCluster(iam: FakeIam, cluster: ClusterInfo) {
  await iam.createOidcProvider({
    url: cluster.issuer ?? '',
    clientIds: ['sts.amazonaws.com'],
    tags: { 'iamsa.io/managed-by': 'iamsa' },
  });
}
