// In-memory gateways for planner tests: they keep state and answer like the services do (errors of
// the same kinds, what IAM refuses is refused), so a test checks what a plan does to the state,
// not which calls it made. The binary tests run the same behaviour against moto and the emulator.
import {
  type AddonInfo,
  type AssociationChanges,
  type ClusterInfo,
  clusterHint,
  type EksGateway,
  type NewAssociation,
  type PodIdentityAssociation,
} from '../../src/aws/eks.js';
import type { IamGateway, OidcProvider, Role } from '../../src/aws/iam.js';
import type { Reporter } from '../../src/actions/engine/reporter.js';
import type { RegionAccess } from '../../src/actions/binding/cluster-session.js';
import {
  AlreadyExistsError,
  ConflictError,
  IamsaError,
  PreconditionError,
  ValidationError,
} from '../../src/errors.js';
import type { KubeGateway, Pod, ServiceAccount } from '../../src/kube/gateway.js';
import type { Workload, WorkloadChange, WorkloadRef } from '../../src/kube/workloads.js';
import { translateAwsError } from '../../src/aws/errors.js';

/** What the gateways make of AWS's AccessDenied answer to `call` (an AuthError with its cause). */
const accessDenied = (call: string) =>
  translateAwsError(
    Object.assign(new Error(`the caller is not authorized to perform ${call}`), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    }),
    call,
  );

export const ACCOUNT = '111122223333';

/** Some of AWS's managed policies (moto loads them all with MOTO_IAM_LOAD_MANAGED_POLICIES). */
const AWS_MANAGED = [
  'AdministratorAccess',
  'ReadOnlyAccess',
  'AmazonS3ReadOnlyAccess',
  'AmazonEC2ReadOnlyAccess',
  'AmazonDynamoDBReadOnlyAccess',
  'AmazonSQSReadOnlyAccess',
  'AmazonSNSReadOnlyAccess',
  'CloudWatchReadOnlyAccess',
  'AmazonRDSReadOnlyAccess',
  'IAMReadOnlyAccess',
  'AmazonRoute53ReadOnlyAccess',
  'AmazonVPCReadOnlyAccess',
  // The ones well-known policies attach.
  'CloudWatchAgentServerPolicy',
  'AWSXrayWriteOnlyAccess',
  'service-role/AmazonEBSCSIDriverPolicy',
  'AmazonEC2ContainerRegistryPowerUser',
];

/** A customer-managed policy: its versions (IAM keeps five), default and tags. */
export interface StoredPolicy {
  tags: Record<string, string>;
  versions: Array<{ id: number; document: string }>;
  defaultId: number;
}

interface StoredRole extends Role {
  attached: Set<string>;
  inline: Map<string, string>;
}

export class FakeIam implements IamGateway {
  readonly roles = new Map<string, StoredRole>();
  readonly providers = new Map<string, OidcProvider>();
  /** Every policy that exists: AWS managed ones (as moto loads them), and the account's own. */
  readonly policies = new Set<string>(AWS_MANAGED.map((n) => `arn:aws:iam::aws:policy/${n}`));
  /** The account's own managed policies by ARN (their ARNs are in `policies` too). */
  readonly managed = new Map<string, StoredPolicy>();
  /** Every call by name, for the tests that count round trips. */
  readonly calls: string[] = [];
  /**
   * Calls the caller's policy does not allow, by gateway method (`getRole`), or by method and
   * role name (`getRole:KarpenterNodeRole-demo`): refused as IAM's AccessDenied.
   */
  readonly denied = new Set<string>();

  private role(name: string): StoredRole {
    const role = this.roles.get(name.toLowerCase());
    if (!role) throw Object.assign(new Error(`role ${name} not found`), { name: 'NoSuchEntity' });
    return role;
  }
  private log(call: string, roleName?: string) {
    this.calls.push(call);
    if (this.denied.has(call) || (roleName && this.denied.has(`${call}:${roleName}`)))
      throw accessDenied(call);
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
    this.log('getRole', name);
    return this.snapshot(name);
  }
  private snapshot(name: string): Role | undefined {
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
    return this.snapshot(role.name) as Role;
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
  async listRoleDetails() {
    this.log('listRoleDetails');
    return Promise.all(
      [...this.roles.values()].map(async (r) => ({
        ...(this.snapshot(r.name) as Role),
        attachedPolicyArns: [...r.attached],
        inlinePolicyNames: [...r.inline.keys()],
        inlinePolicies: Object.fromEntries(
          [...r.inline].map(([name, document]) => [name, encodeURIComponent(document)]),
        ),
      })),
    );
  }
  private managedPolicy(arn: string): StoredPolicy {
    const p = this.managed.get(arn);
    if (!p) throw Object.assign(new Error(`policy ${arn} not found`), { name: 'NoSuchEntity' });
    return p;
  }
  async getManagedPolicy(arn: string) {
    this.log('getManagedPolicy');
    const p = this.managed.get(arn);
    if (!p) return undefined;
    const v = p.versions.find((x) => x.id === p.defaultId);
    return {
      arn,
      name: arn.slice(arn.lastIndexOf('/') + 1),
      defaultVersionId: `v${p.defaultId}`,
      document: encodeURIComponent(v?.document ?? ''),
      tags: { ...p.tags },
      attachmentCount: [...this.roles.values()].filter((r) => r.attached.has(arn)).length,
    };
  }
  async createManagedPolicy(p: Parameters<IamGateway['createManagedPolicy']>[0]) {
    this.log('createManagedPolicy');
    const arn = `arn:aws:iam::${ACCOUNT}:policy${p.path}${p.name}`;
    if (this.managed.has(arn)) throw new AlreadyExistsError(`policy ${p.name} exists`);
    this.managed.set(arn, {
      tags: { ...p.tags },
      versions: [{ id: 1, document: p.document }],
      defaultId: 1,
    });
    this.policies.add(arn);
    return arn;
  }
  async createPolicyVersion(arn: string, document: string) {
    this.log('createPolicyVersion');
    const p = this.managedPolicy(arn);
    if (p.versions.length >= 5)
      throw new ValidationError('LimitExceeded: a managed policy can have up to 5 versions');
    const id = Math.max(...p.versions.map((v) => v.id)) + 1;
    p.versions.push({ id, document });
    p.defaultId = id;
  }
  async listPolicyVersions(arn: string) {
    this.log('listPolicyVersions');
    const p = this.managedPolicy(arn);
    return p.versions.map((v) => ({ versionId: `v${v.id}`, isDefault: v.id === p.defaultId }));
  }
  async deletePolicyVersion(arn: string, versionId: string) {
    this.log('deletePolicyVersion');
    const p = this.managedPolicy(arn);
    if (versionId === `v${p.defaultId}`)
      throw new ConflictError('DeleteConflict: cannot delete the default version');
    p.versions = p.versions.filter((v) => `v${v.id}` !== versionId);
  }
  async deletePolicy(arn: string) {
    this.log('deletePolicy');
    const p = this.managedPolicy(arn);
    const attached = [...this.roles.values()].some((r) => r.attached.has(arn));
    if (attached || p.versions.length > 1)
      throw new ConflictError(`DeleteConflict: policy ${arn} is attached or has versions`);
    this.managed.delete(arn);
    this.policies.delete(arn);
  }
  async tagPolicy(arn: string, tags: Record<string, string>) {
    this.log('tagPolicy');
    Object.assign(this.managedPolicy(arn).tags, tags);
  }
  async listOidcProviderArns() {
    this.log('listOidcProviderArns');
    return [...this.providers.keys()];
  }
  /** IAM's policy simulator is not modelled here. */
  async simulatePrincipalPolicy(): Promise<never> {
    this.log('simulatePrincipalPolicy');
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
  /** The region this EKS answers for (one FakeEks per region, as EKS is regional). */
  region = 'us-east-1';
  constructor(...names: string[]) {
    for (const n of names) this.clusters.set(n, clusterInfo(n));
  }
  static inRegion(region: string, ...names: string[]): FakeEks {
    const eks = new FakeEks();
    eks.region = region;
    for (const n of names) eks.addCluster(n);
    return eks;
  }
  addCluster(name: string): ClusterInfo {
    const info = clusterInfo(name, this.region);
    this.clusters.set(name, info);
    return info;
  }
  async describeCluster(name: string) {
    this.describes++;
    const c = this.clusters.get(name);
    if (!c) throw this.notFound(name);
    return structuredClone(c);
  }
  /** The gateway's words for EKS's ResourceNotFoundException on a cluster, with the region's clusters. */
  private notFound(name: string) {
    return new PreconditionError(`cluster ${name} not found in region ${this.region}`, {
      hint: clusterHint(name, this.region, [...this.clusters.keys()]),
    });
  }
  async listClusters() {
    return [...this.clusters.keys()];
  }

  // Pod Identity and add-ons, per cluster, answering as the gateway over EKS does: a missing add-on
  // or association is undefined, a second association of one service account AlreadyExistsError.
  readonly addons = new Map<string, AddonInfo>();
  readonly associations = new Map<string, PodIdentityAssociation & { cluster: string }>();
  private associationCount = 0;
  /** Runs just before the next create (given its request), as another run racing this one would. */
  beforeNextCreate?: (request: NewAssociation) => void;

  /** Calls the caller's policy does not allow, by gateway method: refused as EKS's AccessDenied. */
  readonly denied = new Set<string>();
  private cluster(name: string, call?: string) {
    if (call && this.denied.has(call)) throw accessDenied(call);
    if (!this.clusters.has(name)) throw this.notFound(name);
  }
  installAgent(cluster: string, status = 'ACTIVE') {
    this.addons.set(`${cluster}/eks-pod-identity-agent`, {
      name: 'eks-pod-identity-agent',
      status,
    });
  }
  async describeAddon(cluster: string, addon: string) {
    this.cluster(cluster, 'describeAddon');
    const a = this.addons.get(`${cluster}/${addon}`);
    return a && structuredClone(a);
  }
  async listAddons(cluster: string) {
    this.cluster(cluster, 'listAddons');
    return [...this.addons.keys()]
      .filter((k) => k.startsWith(`${cluster}/`))
      .map((k) => k.slice(cluster.length + 1));
  }
  async listPodIdentityAssociations(
    cluster: string,
    filter: { namespace?: string; serviceAccount?: string } = {},
  ) {
    this.cluster(cluster, 'listPodIdentityAssociations');
    return [...this.associations.values()]
      .filter(
        (a) =>
          a.cluster === cluster &&
          (filter.namespace === undefined || a.namespace === filter.namespace) &&
          (filter.serviceAccount === undefined || a.serviceAccount === filter.serviceAccount),
      )
      .map(({ id, arn, namespace, serviceAccount, ownerArn }) => ({
        id,
        arn,
        namespace,
        serviceAccount,
        ...(ownerArn ? { ownerArn } : {}),
      }));
  }
  async describePodIdentityAssociation(cluster: string, id: string) {
    this.cluster(cluster, 'describePodIdentityAssociation');
    const a = this.associations.get(id);
    if (!a || a.cluster !== cluster) return undefined;
    return withoutCluster(a);
  }
  async createPodIdentityAssociation(n: NewAssociation) {
    this.cluster(n.cluster);
    const race = this.beforeNextCreate;
    this.beforeNextCreate = undefined;
    race?.(n);
    const taken = [...this.associations.values()].find(
      (a) =>
        a.cluster === n.cluster &&
        a.namespace === n.namespace &&
        a.serviceAccount === n.serviceAccount,
    );
    if (taken) throw new AlreadyExistsError(`Association already exists: ${taken.id}`);
    const id = `a-${String(++this.associationCount).padStart(17, '0')}`;
    const stored = {
      cluster: n.cluster,
      id,
      arn: `arn:aws:eks:${this.region}:${ACCOUNT}:podidentityassociation/${n.cluster}/${id}`,
      namespace: n.namespace,
      serviceAccount: n.serviceAccount,
      roleArn: n.roleArn,
      ...(n.targetRoleArn ? { targetRoleArn: n.targetRoleArn } : {}),
      disableSessionTags: n.disableSessionTags ?? false,
      tags: { ...n.tags },
    };
    this.associations.set(id, stored);
    return withoutCluster(stored);
  }
  async updatePodIdentityAssociation(cluster: string, id: string, changes: AssociationChanges) {
    const a = this.associations.get(id);
    if (!a || a.cluster !== cluster) throw new IamsaError(`ResourceNotFoundException: ${id}`);
    if (changes.roleArn !== undefined) a.roleArn = changes.roleArn;
    if (changes.disableSessionTags !== undefined) a.disableSessionTags = changes.disableSessionTags;
    if (changes.targetRoleArn === '') delete a.targetRoleArn;
    else if (changes.targetRoleArn !== undefined) a.targetRoleArn = changes.targetRoleArn;
    return withoutCluster(a);
  }
  async deletePodIdentityAssociation(cluster: string, id: string) {
    const a = this.associations.get(id);
    if (a && a.cluster === cluster) this.associations.delete(id);
  }
}

/** What the gateway returns: the stored association without the cluster it is kept under. */
function withoutCluster(a: PodIdentityAssociation & { cluster: string }): PodIdentityAssociation {
  const copy: Partial<typeof a> = structuredClone(a);
  delete copy.cluster;
  return copy as PodIdentityAssociation;
}

interface StoredSa extends ServiceAccount {
  resourceVersion: string;
}

export class FakeKube implements KubeGateway {
  readonly namespaces = new Set(['default', 'kube-system']);
  readonly serviceAccounts = new Map<string, StoredSa>();
  readonly pods: Pod[] = [];
  /** The service-account calls by name, for the tests that count round trips. */
  readonly calls: string[] = [];
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
    this.calls.push('getServiceAccount');
    const sa = this.serviceAccounts.get(this.key(namespace, name));
    return sa && structuredClone(sa);
  }
  async listServiceAccounts(namespace?: string) {
    this.calls.push('listServiceAccounts');
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
    this.calls.push('createServiceAccount');
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
    this.calls.push('patchServiceAccount');
    const sa = this.serviceAccounts.get(this.key(namespace, name));
    if (!sa) throw new PreconditionError(`serviceaccounts "${name}" not found`);
    if (resourceVersion && resourceVersion !== sa.resourceVersion)
      throw this.conflict(`updating ${name}`);
    sa.annotations = merge(sa.annotations, metadata.annotations);
    sa.labels = merge(sa.labels, metadata.labels);
    sa.resourceVersion = String(this.version++);
  }
  async deleteServiceAccount(namespace: string, name: string, resourceVersion?: string) {
    this.calls.push('deleteServiceAccount');
    const sa = this.serviceAccounts.get(this.key(namespace, name));
    if (!sa) return; // a 404 on delete is what was wanted
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
  /** Workloads a test puts here (the emulator holds the real shapes: migrate-from-kube2iam). */
  readonly workloads: Workload[] = [];
  async listWorkloads() {
    return structuredClone(this.workloads);
  }
  async patchWorkload(ref: WorkloadRef, change: WorkloadChange, resourceVersion?: string) {
    const w = this.workloads.find(
      (o) => o.kind === ref.kind && o.namespace === ref.namespace && o.name === ref.name,
    );
    if (!w) throw new PreconditionError(`${ref.kind} ${ref.name} not found`);
    if (resourceVersion && w.resourceVersion && resourceVersion !== w.resourceVersion)
      throw this.conflict(`updating ${ref.name}`);
    w.annotations = merge(w.annotations, change.annotations);
    w.templateAnnotations = merge(w.templateAnnotations, change.templateAnnotations);
    if (change.serviceAccountName !== undefined)
      w.serviceAccountName = change.serviceAccountName ?? 'default';
    w.resourceVersion = String(this.version++);
  }
  /** Annotations of namespaces, by name (none when unset). */
  readonly namespaceAnnotationsOf = new Map<string, Record<string, string>>();
  async namespaceAnnotations() {
    return Object.fromEntries(
      [...this.namespaces].map((n) => [n, { ...this.namespaceAnnotationsOf.get(n) }]),
    );
  }
  async listRbacBindings() {
    return [];
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
