// Use case: an IAM role that only <namespace>/<name> of one cluster can assume, and the service
// account annotated with it. Reads run concurrently; writes go role first, annotation last.
import type { ClusterInfo, EksGateway } from '../aws/eks.js';
import type { IamGateway } from '../aws/iam.js';
import { PreconditionError } from '../errors.js';
import type { KubeAccess, KubeConnection } from '../kube/connection.js';
import { STS_AUDIENCE, type TrustTarget } from '../policy/index.js';
import { clusterOidc } from './cluster-oidc.js';
import { type Planned, planned, started } from './plan.js';
import { planRole, readRoleState } from './plan-role.js';
import { planServiceAccount, readServiceAccountState } from './plan-service-account.js';
import type { Reporter } from './reporter.js';
import { checkInput, type CreateServiceAccountInput } from './service-account-input.js';

export type { CreateServiceAccountInput } from './service-account-input.js';

export interface CreateServiceAccountDeps {
  region: string;
  profile?: string;
  eks: EksGateway;
  iam: IamGateway;
  /** Opens the Kubernetes connection for the cluster once its description is known. */
  openKube: (
    access: KubeAccess,
    clusterName: string,
    cluster: Promise<ClusterInfo>,
  ) => Promise<KubeConnection>;
  reporter: Reporter;
}

export async function planCreateServiceAccount(
  raw: CreateServiceAccountInput,
  deps: CreateServiceAccountDeps,
): Promise<Planned> {
  const input = checkInput(raw);
  const { reporter, iam } = deps;
  const clusterP = started(
    reporter.progress(`Reading cluster ${input.cluster}`, () =>
      deps.eks.describeCluster(input.cluster),
    ),
  );
  // The role and policies need no cluster data: read them while the cluster is described.
  const roleStateP = started(
    reporter.progress(`Reading IAM role ${input.roleName}`, () => readRoleState(iam, input)),
  );
  // Connect to Kubernetes and read the service account while IAM is being read.
  const kubeP = input.roleOnly
    ? undefined
    : started(deps.openKube(input.kube, input.cluster, clusterP));
  const kubeStateP = kubeP
    ? started(
        kubeP.then((k) =>
          reporter.progress(`Reading service account ${input.namespace}/${input.name}`, () =>
            readServiceAccountState(k.gateway, input.namespace, input.name),
          ),
        ),
      )
    : undefined;

  const cluster = await clusterP;
  const { hostPath, providerArn } = clusterOidc(cluster);
  const target: TrustTarget = {
    providerArn,
    issuerHostPath: hostPath,
    namespace: input.namespace,
    serviceAccount: input.name,
    audience: STS_AUDIENCE,
  };
  const profile = deps.profile ? ` --profile ${deps.profile}` : '';
  const enableHint = `iamsa enable-oidc --cluster ${input.cluster} --region ${deps.region}${profile} --approve`;
  const [provider, roleState] = await Promise.all([
    reporter.progress('Looking up the IAM OIDC provider', () => iam.getOidcProvider(providerArn)),
    roleStateP,
  ]);
  if (!provider) {
    throw new PreconditionError(
      `cluster ${input.cluster} has no IAM OIDC provider (${providerArn})`,
      { hint: enableHint },
    );
  }
  if (!provider.clientIds.includes(STS_AUDIENCE)) {
    throw new PreconditionError(
      `the OIDC provider of cluster ${input.cluster} lacks the audience ${STS_AUDIENCE}`,
      {
        hint: enableHint,
      },
    );
  }
  const rolePlan = planRole(iam, input, roleState, cluster, target);
  const warnings = [...rolePlan.warnings];
  const steps = [...rolePlan.steps];
  if (kubeP && kubeStateP) {
    const [kube, state] = await Promise.all([kubeP, kubeStateP]);
    warnings.push(...kube.warnings);
    steps.push(...planServiceAccount(kube.gateway, input, state, rolePlan.roleArn));
  }
  warnings.forEach((w) => reporter.warn(w));
  const result = {
    command: 'create-serviceaccount',
    cluster: input.cluster,
    region: deps.region,
    providerArn,
    roleArn: rolePlan.roleArn,
    serviceAccount: input.roleOnly ? undefined : { namespace: input.namespace, name: input.name },
    warnings,
  };
  return planned(result, steps, reporter);
}
