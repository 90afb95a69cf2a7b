// Narrow EKS adapter: only the calls iamsa makes.
import { DescribeClusterCommand, type EKSClient, paginateListClusters } from '@aws-sdk/client-eks';
import { PreconditionError } from '../errors.js';
import { aws, awsOptional } from './errors.js';

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
}

export interface EksGateway {
  /** Throws PreconditionError when the cluster does not exist. */
  describeCluster(name: string): Promise<ClusterInfo>;
  listClusters(): Promise<string[]>;
}

export function createEksGateway(client: EKSClient, region: string): EksGateway {
  return {
    async describeCluster(name) {
      const out = await awsOptional(`describing cluster ${name}`, () =>
        client.send(new DescribeClusterCommand({ name })),
      );
      const c = out?.cluster;
      if (!c?.arn) {
        throw new PreconditionError(`cluster ${name} not found in region ${region}`, {
          hint: 'check --cluster and --region (aws eks list-clusters --region <region>)',
        });
      }
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
      };
    },
    async listClusters() {
      const names: string[] = [];
      await aws('listing clusters', async () => {
        for await (const page of paginateListClusters({ client }, {}))
          names.push(...(page.clusters ?? []));
      });
      return names;
    },
  };
}
