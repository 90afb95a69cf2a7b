// The test ground's set-up and inspection calls (SDK commands to IAM, objects to Kubernetes) served
// by the harness's fakes, so a test written against the ground runs in-process unchanged: iamsa
// itself runs through test/support/harness.ts, the real program over the fakes.
import type { Harness, RunResult } from './harness.js';

type Command = { constructor: { name: string }; input: Record<string, any> };
const tagMap = (tags: Array<{ Key?: string; Value?: string }> = []) =>
  Object.fromEntries(tags.map((t) => [t.Key ?? '', t.Value ?? '']));
const notFound = (what: string) =>
  Object.assign(new Error(`${what} not found`), { name: 'NoSuchEntityException' });

export interface FakeGround {
  cluster: string;
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
      case 'DetachRolePolicyCommand':
        return h.iam.detachPolicy(i.RoleName, i.PolicyArn);
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
    if (command.constructor.name !== 'DescribeClusterCommand')
      throw new Error(`fake-ground: ${command.constructor.name} is not modelled`);
    const c = await h.eks().describeCluster(command.input.name);
    return {
      cluster: {
        name: c.name,
        arn: c.arn,
        status: c.status,
        identity: { oidc: { issuer: c.issuer } },
      },
    };
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
      if (!ns && method === 'POST') return kube().createNamespace(body.metadata.name);
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
      if (kind === 'pods' && method === 'POST') {
        kube().pods.push({
          namespace: ns ?? '',
          name: body.metadata.name,
          serviceAccountName: body.spec.serviceAccountName ?? 'default',
          creationTimestamp: body.metadata.creationTimestamp ?? new Date().toISOString(),
          annotations: body.metadata.annotations ?? {},
          containers: body.spec.containers.map((c: any) => ({
            name: c.name,
            init: false,
            env: c.env ?? [],
            volumeMounts: (c.volumeMounts ?? []).map((v: any) => v.name),
          })),
          volumes: [],
        });
        return;
      }
      throw new Error(`fake-ground: ${method} ${path} is not modelled`);
    },
  };
}
