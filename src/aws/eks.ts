// Narrow EKS adapter: only the calls iamsa makes.
import { namesHint } from '../suggest.js';
import {
  CreatePodIdentityAssociationCommand,
  DeletePodIdentityAssociationCommand,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  type EKSClient,
  paginateListAddons,
  paginateListClusters,
  paginateListPodIdentityAssociations,
  type PodIdentityAssociation as SdkAssociation,
  UpdatePodIdentityAssociationCommand,
} from '@aws-sdk/client-eks';
import { PreconditionError } from '../errors.js';
import { aws, awsOptional, isRoleNotYetVisible, retryWhile } from './errors.js';

export interface ClusterInfo {
  name: string;
  arn: string;
  accountId: string;
  partition: string;
  region: string;
  endpoint: string;
  /** Base64 PEM of the cluster CA, as EKS returns it. */
  certificateAuthority?: string;
  issuer?: string;
  status?: string;
  /** EKS Auto Mode runs the Pod Identity agent itself. */
  autoMode?: boolean;
}

export interface AddonInfo {
  name: string;
  status: string;
  version?: string;
  serviceAccountRoleArn?: string;
}

/** What ListPodIdentityAssociations returns per association (no role: describe for that). */
export interface AssociationSummary {
  id: string;
  arn: string;
  namespace: string;
  serviceAccount: string;
  /** Set when an EKS add-on owns the association. */
  ownerArn?: string;
}

export interface PodIdentityAssociation extends AssociationSummary {
  roleArn: string;
  targetRoleArn?: string;
  disableSessionTags: boolean;
  tags: Record<string, string>;
}

export interface NewAssociation {
  cluster: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  targetRoleArn?: string;
  disableSessionTags?: boolean;
  tags: Record<string, string>;
}

/** The mutable fields; an empty targetRoleArn removes the target role. */
export interface AssociationChanges {
  roleArn?: string;
  targetRoleArn?: string;
  disableSessionTags?: boolean;
}

export interface EksGateway {
  /** Throws PreconditionError when the cluster does not exist. */
  describeCluster(name: string): Promise<ClusterInfo>;
  listClusters(): Promise<string[]>;
  /** Undefined when the add-on is not installed. */
  describeAddon(cluster: string, addon: string): Promise<AddonInfo | undefined>;
  /** The names of the cluster's add-ons. */
  listAddons(cluster: string): Promise<string[]>;
  listPodIdentityAssociations(
    cluster: string,
    filter?: { namespace?: string; serviceAccount?: string },
  ): Promise<AssociationSummary[]>;
  /** Undefined when it is gone (deleted meanwhile). */
  describePodIdentityAssociation(
    cluster: string,
    id: string,
  ): Promise<PodIdentityAssociation | undefined>;
  createPodIdentityAssociation(a: NewAssociation): Promise<PodIdentityAssociation>;
  updatePodIdentityAssociation(
    cluster: string,
    id: string,
    changes: AssociationChanges,
  ): Promise<PodIdentityAssociation>;
  deletePodIdentityAssociation(cluster: string, id: string): Promise<void>;
}

async function listClusterNames(client: EKSClient): Promise<string[]> {
  const names: string[] = [];
  await aws('listing clusters', async () => {
    for await (const page of paginateListClusters({ client }, {}))
      names.push(...(page.clusters ?? []));
  });
  return names;
}

/**
 * What to say about a cluster that is not there: the closest of the region's clusters, or their
 * names, or that the region has none. Listing them only helps, so a refused list (undefined) falls
 * back to the command that lists them.
 */
export function clusterHint(name: string, region: string, names: string[] | undefined): string {
  if (!names) return `check --cluster and --region (aws eks list-clusters --region ${region})`;
  if (!names.length) return `region ${region} has no EKS clusters: check --region`;
  return namesHint(`clusters in region ${region}`, name, names);
}

export function createEksGateway(client: EKSClient, region: string): EksGateway {
  const notFound = async (name: string) =>
    new PreconditionError(`cluster ${name} not found in region ${region}`, {
      hint: clusterHint(name, region, await listClusterNames(client).catch(() => undefined)),
    });
  /** A call on a cluster's items: EKS's not-found there means the cluster is not (a mistyped --cluster). */
  const onCluster = async (cluster: string, doing: string, call: () => Promise<void>) => {
    const done = await awsOptional(doing, async () => {
      await call();
      return true;
    });
    if (!done) throw await notFound(cluster);
  };
  return {
    async describeCluster(name) {
      const out = await awsOptional(`describing cluster ${name}`, () =>
        client.send(new DescribeClusterCommand({ name })),
      );
      const c = out?.cluster;
      if (!c?.arn) throw await notFound(name);
      const [, partition = 'aws', , , accountId = ''] = c.arn.split(':');
      return {
        name,
        arn: c.arn,
        accountId,
        partition,
        region,
        endpoint: c.endpoint ?? '',
        certificateAuthority: c.certificateAuthority?.data,
        issuer: c.identity?.oidc?.issuer,
        status: c.status,
        autoMode: c.computeConfig?.enabled === true,
      };
    },
    listClusters: () => listClusterNames(client),
    async describeAddon(cluster, addon) {
      const out = await awsOptional(`reading add-on ${addon} of cluster ${cluster}`, () =>
        client.send(new DescribeAddonCommand({ clusterName: cluster, addonName: addon })),
      );
      const a = out?.addon;
      if (!a) return undefined;
      return {
        name: a.addonName ?? addon,
        status: a.status ?? 'UNKNOWN',
        version: a.addonVersion,
        serviceAccountRoleArn: a.serviceAccountRoleArn,
      };
    },
    async listAddons(cluster) {
      const names: string[] = [];
      await onCluster(cluster, `listing the add-ons of cluster ${cluster}`, async () => {
        for await (const page of paginateListAddons({ client }, { clusterName: cluster }))
          names.push(...(page.addons ?? []));
      });
      return names;
    },
    async listPodIdentityAssociations(cluster, filter = {}) {
      const found: AssociationSummary[] = [];
      await onCluster(
        cluster,
        `listing the Pod Identity associations of cluster ${cluster}`,
        async () => {
          for await (const page of paginateListPodIdentityAssociations(
            { client, pageSize: 100 },
            { clusterName: cluster, ...filter },
          )) {
            for (const a of page.associations ?? []) found.push(toSummary(a));
          }
        },
      );
      return found;
    },
    async describePodIdentityAssociation(cluster, id) {
      const out = await awsOptional(`reading Pod Identity association ${id} of ${cluster}`, () =>
        client.send(
          new DescribePodIdentityAssociationCommand({ clusterName: cluster, associationId: id }),
        ),
      );
      return out?.association ? toAssociation(out.association) : undefined;
    },
    async createPodIdentityAssociation(a) {
      const out = await aws(
        `creating the Pod Identity association of ${a.namespace}/${a.serviceAccount}`,
        () =>
          // A role just created: sent again until IAM's change reaches EKS.
          retryWhile(isRoleNotYetVisible, () =>
            client.send(
              new CreatePodIdentityAssociationCommand({
                clusterName: a.cluster,
                namespace: a.namespace,
                serviceAccount: a.serviceAccount,
                roleArn: a.roleArn,
                tags: a.tags,
                ...(a.targetRoleArn ? { targetRoleArn: a.targetRoleArn } : {}),
                ...(a.disableSessionTags ? { disableSessionTags: true } : {}),
              }),
            ),
          ),
      );
      return toAssociation(out.association ?? {});
    },
    async updatePodIdentityAssociation(cluster, id, changes) {
      const out = await aws(`updating Pod Identity association ${id} of ${cluster}`, () =>
        retryWhile(isRoleNotYetVisible, () =>
          client.send(
            new UpdatePodIdentityAssociationCommand({
              clusterName: cluster,
              associationId: id,
              ...changes,
            }),
          ),
        ),
      );
      return toAssociation(out.association ?? {});
    },
    async deletePodIdentityAssociation(cluster, id) {
      await awsOptional(`deleting Pod Identity association ${id} of ${cluster}`, () =>
        client.send(
          new DeletePodIdentityAssociationCommand({ clusterName: cluster, associationId: id }),
        ),
      );
    },
  };
}

function toSummary(a: {
  associationId?: string;
  associationArn?: string;
  namespace?: string;
  serviceAccount?: string;
  ownerArn?: string;
}): AssociationSummary {
  return {
    id: a.associationId ?? '',
    arn: a.associationArn ?? '',
    namespace: a.namespace ?? '',
    serviceAccount: a.serviceAccount ?? '',
    ...(a.ownerArn ? { ownerArn: a.ownerArn } : {}),
  };
}

function toAssociation(a: SdkAssociation): PodIdentityAssociation {
  return {
    ...toSummary(a),
    roleArn: a.roleArn ?? '',
    ...(a.targetRoleArn ? { targetRoleArn: a.targetRoleArn } : {}),
    disableSessionTags: a.disableSessionTags === true,
    tags: a.tags ?? {},
  };
}
