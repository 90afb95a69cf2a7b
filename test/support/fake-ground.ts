// The test ground's set-up and inspection calls (SDK commands to IAM, objects to Kubernetes) served
// by the harness's fakes, so a test written against the ground runs in-process unchanged: iamsa
// itself runs through test/support/harness.ts, the real program over the fakes.
import type { Pod } from '../../src/kube/gateway.js';
import type { Harness, RunResult } from './harness.js';
import { injectWebIdentity } from './kube-emulator/eks-webhook.js';

type Command = { constructor: { name: string }; input: Record<string, any> };
const tagMap = (tags: Array<{ Key?: string; Value?: string }> = []) =>
  Object.fromEntries(tags.map((t) => [t.Key ?? '', t.Value ?? '']));
const notFound = (what: string) =>
  Object.assign(new Error(`${what} not found`), { name: 'NoSuchEntityException' });

/** An association in EKS's own words (its API's field names), as the ground's endpoint stores it. */
export interface EksAssociation {
  clusterName: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  targetRoleArn?: string;
  disableSessionTags: boolean;
  associationId: string;
  associationArn: string;
  tags: Record<string, string>;
}

export interface FakeGround {
  cluster: string;
  /** A cluster in EKS (its Kubernetes API made on first use). */
  createCluster(name: string): Promise<void>;
  /** Installs the eks-pod-identity-agent add-on on a cluster (ACTIVE from then on). */
  installPodIdentityAgent(cluster: string): Promise<void>;
  /** The ground's EKS endpoint's inspection and test hooks, over the fake EKS of REGION. */
  eksEndpoint: {
    associations(cluster: string): EksAssociation[];
    /** The next create on this cluster loses a race to an identical one (see EksEndpoint). */
    raceNextCreate(cluster: string): void;
    /** How many creates met an identical association made just before them. */
    racesLost: number;
    setAddonStatus(cluster: string, addon: string, status: string): void;
  };
  kubeFlags: string[];
  iamsa(args: string[]): Promise<RunResult>;
  awsState(): Promise<unknown>;
  kubeWrites(): string;
  iam: { send(command: object): Promise<any> };
  eks: { send(command: object): Promise<any> };
  kube: { getObject(kind: string, namespace: string, name: string): any };
  kubeAdmin(method: string, path: string, body?: any): Promise<void>;
}

export function fakeGround(h: Harness, cluster: string): FakeGround {
  const kube = () => h.kube(cluster);
  // As on a real cluster, every namespace has its default service account.
  for (const ns of kube().namespaces)
    if (!kube().serviceAccounts.has(`${ns}/default`))
      void kube().createServiceAccount(ns, 'default', {});
  const sdkRole = async (name: string) => {
    const r = await h.iam.getRole(name);
    if (!r) throw notFound(`role ${name}`);
    return {
      RoleName: r.name,
      Arn: r.arn,
      Path: r.path,
      AssumeRolePolicyDocument: r.trustPolicy,
      Tags: Object.entries(r.tags).map(([Key, Value]) => ({ Key, Value })),
      ...(r.permissionsBoundaryArn
        ? { PermissionsBoundary: { PermissionsBoundaryArn: r.permissionsBoundaryArn } }
        : {}),
    };
  };
  const iam = async (command: Command): Promise<any> => {
    const i = command.input;
    switch (command.constructor.name) {
      case 'CreateRoleCommand':
        await h.iam.createRole({
          name: i.RoleName,
          path: i.Path ?? '/',
          trustPolicy: i.AssumeRolePolicyDocument,
          description: i.Description ?? '',
          tags: tagMap(i.Tags),
        });
        return { Role: await sdkRole(i.RoleName) };
      case 'GetRoleCommand':
        return { Role: await sdkRole(i.RoleName) };
      case 'UpdateAssumeRolePolicyCommand':
        await sdkRole(i.RoleName);
        return h.iam.updateTrustPolicy(i.RoleName, i.PolicyDocument);
      case 'PutRolePolicyCommand':
        return h.iam.putInlinePolicy(i.RoleName, i.PolicyName, i.PolicyDocument);
      case 'AttachRolePolicyCommand':
        return h.iam.attachPolicy(i.RoleName, i.PolicyArn);
      case 'DetachRolePolicyCommand':
        await sdkRole(i.RoleName);
        return h.iam.detachPolicy(i.RoleName, i.PolicyArn);
      case 'ListAttachedRolePoliciesCommand':
        await sdkRole(i.RoleName);
        return {
          AttachedPolicies: (await h.iam.listAttachedPolicyArns(i.RoleName)).map((PolicyArn) => ({
            PolicyArn,
            PolicyName: PolicyArn.slice(PolicyArn.lastIndexOf('/') + 1),
          })),
        };
      case 'ListRolePoliciesCommand':
        await sdkRole(i.RoleName);
        return { PolicyNames: await h.iam.listInlinePolicyNames(i.RoleName) };
      case 'ListOpenIDConnectProvidersCommand':
        return {
          OpenIDConnectProviderList: (await h.iam.listOidcProviderArns()).map((Arn) => ({ Arn })),
        };
      case 'CreateOpenIDConnectProviderCommand':
        return {
          OpenIDConnectProviderArn: await h.iam.createOidcProvider({
            url: i.Url,
            clientIds: i.ClientIDList ?? [],
            thumbprints: i.ThumbprintList ?? [],
            tags: tagMap(i.Tags),
          }),
        };
      case 'GetOpenIDConnectProviderCommand': {
        const p = await h.iam.getOidcProvider(i.OpenIDConnectProviderArn);
        if (!p) throw notFound(`provider ${i.OpenIDConnectProviderArn}`);
        return {
          Url: p.url.replace(/^https:\/\//, ''),
          ClientIDList: p.clientIds,
          ThumbprintList: p.thumbprints,
          Tags: Object.entries(p.tags).map(([Key, Value]) => ({ Key, Value })),
        };
      }
      case 'ListOpenIDConnectProviderTagsCommand': {
        const { Tags } = await iam({
          constructor: { name: 'GetOpenIDConnectProviderCommand' },
          input: i,
        });
        return { Tags };
      }
      case 'TagOpenIDConnectProviderCommand':
        return h.iam.tagOidcProvider(i.OpenIDConnectProviderArn, tagMap(i.Tags));
      case 'UntagOpenIDConnectProviderCommand': {
        const p = h.iam.providers.get(i.OpenIDConnectProviderArn);
        if (!p) throw notFound(`provider ${i.OpenIDConnectProviderArn}`);
        for (const key of i.TagKeys) delete p.tags[key];
        return {};
      }
      // Customer-managed policies, as IAM answers them (documents URL-encoded).
      case 'CreatePolicyCommand':
        return {
          Policy: {
            Arn: await h.iam.createManagedPolicy({
              name: i.PolicyName,
              path: i.Path ?? '/',
              description: i.Description ?? '',
              document: i.PolicyDocument,
              tags: tagMap(i.Tags),
            }),
          },
        };
      case 'GetPolicyCommand': {
        const p = await h.iam.getManagedPolicy(i.PolicyArn);
        if (!p) throw notFound(`policy ${i.PolicyArn}`);
        return {
          Policy: {
            Arn: p.arn,
            PolicyName: p.name,
            DefaultVersionId: p.defaultVersionId,
            AttachmentCount: p.attachmentCount,
            Tags: Object.entries(p.tags).map(([Key, Value]) => ({ Key, Value })),
          },
        };
      }
      case 'ListPolicyTagsCommand':
        return {
          Tags: (await iam({ ...command, constructor: { name: 'GetPolicyCommand' } })).Policy.Tags,
        };
      case 'GetPolicyVersionCommand': {
        const p = h.iam.managed.get(i.PolicyArn);
        const v = p?.versions.find((x) => `v${x.id}` === i.VersionId);
        if (!p || !v) throw notFound(`policy version ${i.PolicyArn} ${i.VersionId}`);
        return {
          PolicyVersion: {
            Document: encodeURIComponent(v.document),
            VersionId: i.VersionId,
            IsDefaultVersion: v.id === p.defaultId,
          },
        };
      }
      case 'ListPolicyVersionsCommand':
        return {
          Versions: (await h.iam.listPolicyVersions(i.PolicyArn)).map((v) => ({
            VersionId: v.versionId,
            IsDefaultVersion: v.isDefault,
          })),
        };
      case 'ListPoliciesCommand':
        return {
          Policies: (await h.iam.listPolicies(i.Scope === 'Local' ? 'Local' : 'AWS')).map((p) => ({
            Arn: p.arn,
            PolicyName: p.name,
          })),
        };
      case 'DeletePolicyCommand':
        return h.iam.deletePolicy(i.PolicyArn);
      default:
        throw new Error(`fake-ground: ${command.constructor.name} is not modelled`);
    }
  };
  const eks = async (command: Command): Promise<any> => {
    const i = command.input;
    switch (command.constructor.name) {
      case 'DescribeClusterCommand': {
        const c = await h.eks().describeCluster(i.name);
        return {
          cluster: {
            name: c.name,
            arn: c.arn,
            status: c.status,
            endpoint: c.endpoint,
            identity: { oidc: { issuer: c.issuer } },
          },
        };
      }
      // Pod Identity associations as another tool (the console, eksctl) makes and edits them.
      case 'CreatePodIdentityAssociationCommand':
        return {
          association: await h.eks().createPodIdentityAssociation({
            cluster: i.clusterName,
            namespace: i.namespace,
            serviceAccount: i.serviceAccount,
            roleArn: i.roleArn,
            ...(i.targetRoleArn ? { targetRoleArn: i.targetRoleArn } : {}),
            disableSessionTags: i.disableSessionTags ?? false,
            tags: i.tags ?? {},
          }),
        };
      case 'UpdatePodIdentityAssociationCommand':
        return {
          association: await h.eks().updatePodIdentityAssociation(i.clusterName, i.associationId, {
            roleArn: i.roleArn,
          }),
        };
      case 'DeletePodIdentityAssociationCommand':
        await h.eks().deletePodIdentityAssociation(i.clusterName, i.associationId);
        return {};
      default:
        throw new Error(`fake-ground: ${command.constructor.name} is not modelled`);
    }
  };
  const associations = (name: string): EksAssociation[] =>
    [...h.eks().associations.values()]
      .filter((a) => a.cluster === name)
      .map((a) => ({
        clusterName: a.cluster,
        namespace: a.namespace,
        serviceAccount: a.serviceAccount,
        roleArn: a.roleArn,
        ...(a.targetRoleArn ? { targetRoleArn: a.targetRoleArn } : {}),
        disableSessionTags: a.disableSessionTags,
        associationId: a.id,
        associationArn: a.arn,
        tags: { ...a.tags },
      }));
  const eksEndpoint: FakeGround['eksEndpoint'] = {
    associations,
    raceNextCreate(name) {
      h.eks().beforeNextCreate = (request) => {
        if (request.cluster !== name) return;
        eksEndpoint.racesLost++;
        void h.eks().createPodIdentityAssociation({ ...request });
      };
    },
    racesLost: 0,
    setAddonStatus(name, addon, status) {
      const a = h.eks().addons.get(`${name}/${addon}`);
      if (!a) throw new Error(`fake-ground: no add-on ${addon} on ${name}`);
      a.status = status;
    },
  };
  const asObject = (sa: { namespace: string; name: string; annotations: any; labels: any }) => ({
    metadata: {
      namespace: sa.namespace,
      name: sa.name,
      annotations: sa.annotations,
      labels: sa.labels,
    },
  });
  return {
    cluster,
    async createCluster(name) {
      h.eks().addCluster(name);
      h.kube(name);
    },
    async installPodIdentityAgent(name) {
      h.eks().installAgent(name);
    },
    eksEndpoint,
    kubeFlags: [],
    iamsa: (args) => h.run(args),
    awsState: async () => h.state(),
    kubeWrites: () => JSON.stringify(h.state()),
    iam: { send: (command) => iam(command as Command) },
    eks: { send: (command) => eks(command as Command) },
    kube: {
      getObject(kind, namespace, name) {
        if (kind !== 'serviceaccounts') throw new Error(`fake-ground: no ${kind}`);
        const sa = kube().serviceAccounts.get(`${namespace}/${name}`);
        return sa && asObject(sa);
      },
    },
    async kubeAdmin(method, path, body) {
      const m = path.match(
        /^\/api\/v1\/namespaces(?:\/([^/]+)\/(serviceaccounts|pods)(?:\/([^/]+))?)?$/,
      );
      if (!m) throw new Error(`fake-ground: ${method} ${path} is not modelled`);
      const [, ns, kind, name] = m;
      if (!ns && method === 'POST') {
        // The controller manager gives every new namespace its default service account.
        await kube().createNamespace(body.metadata.name);
        return kube().createServiceAccount(body.metadata.name, 'default', {});
      }
      if (kind === 'serviceaccounts' && method === 'POST')
        return kube().createServiceAccount(ns ?? '', body.metadata.name, {
          annotations: body.metadata.annotations,
          labels: body.metadata.labels,
        });
      if (kind === 'serviceaccounts' && method === 'PATCH')
        return kube().patchServiceAccount(ns ?? '', name ?? '', {
          annotations: body.metadata?.annotations,
          labels: body.metadata?.labels,
        });
      if (kind === 'serviceaccounts' && method === 'DELETE')
        return kube().deleteServiceAccount(ns ?? '', name ?? '');
      if (kind === 'serviceaccounts' && method === 'PATCH')
        return kube().patchServiceAccount(ns ?? '', name ?? '', {
          annotations: body.metadata.annotations,
          labels: body.metadata.labels,
        });
      if (kind === 'pods' && method === 'POST') {
        // The pod identity webhook, as the emulator plays it: from the service account as it is now.
        const pod = structuredClone(body);
        const sa = kube().serviceAccounts.get(`${ns}/${pod.spec.serviceAccountName ?? 'default'}`);
        if (sa) injectWebIdentity(pod, asObject(sa), h.eks().region);
        kube().pods.push(podOf(ns ?? '', pod));
        return;
      }
      if (kind === 'pods' && method === 'DELETE') {
        const at = kube().pods.findIndex((p) => p.namespace === ns && p.name === name);
        if (at < 0) throw new Error(`fake-ground: no pod ${ns}/${name}`);
        kube().pods.splice(at, 1);
        return;
      }
      throw new Error(`fake-ground: ${method} ${path} is not modelled`);
    },
  };
}

/** A pod as the gateway reads it from the object the API server stores. */
function podOf(namespace: string, o: any): Pod {
  const container = (init: boolean) => (c: any) => ({
    name: c.name,
    init,
    env: (c.env ?? []).map((e: any) => ({
      name: e.name,
      ...(e.value !== undefined ? { value: e.value } : {}),
    })),
    volumeMounts: (c.volumeMounts ?? []).map((v: any) => v.name),
  });
  return {
    namespace,
    name: o.metadata.name,
    serviceAccountName: o.spec.serviceAccountName ?? 'default',
    creationTimestamp: o.metadata.creationTimestamp ?? new Date().toISOString(),
    annotations: o.metadata.annotations ?? {},
    containers: [
      ...(o.spec.initContainers ?? []).map(container(true)),
      ...o.spec.containers.map(container(false)),
    ],
    volumes: (o.spec.volumes ?? []).map((v: any) => ({
      name: v.name,
      tokens: (v.projected?.sources ?? []).flatMap((src: any) =>
        src.serviceAccountToken
          ? [{ ...src.serviceAccountToken, path: src.serviceAccountToken.path ?? '' }]
          : [],
      ),
    })),
  };
}
