// Plans one EKS Pod Identity binding: the role (trusting pods.eks.amazonaws.com for this cluster
// only), its permissions, the association of the service account with the role, and the service
// account itself (no annotation needed). No OIDC provider is involved; the cluster needs the
// eks-pod-identity-agent add-on (or Auto Mode).
import { coded, type Warning } from '../engine/warning-kinds.js';
import { optionalRead } from '../engine/optional-read.js';
import type {
  AddonInfo,
  AssociationChanges,
  ClusterInfo,
  EksGateway,
  PodIdentityAssociation,
} from '../../aws/eks.js';
import { AlreadyExistsError, ConflictError, PreconditionError } from '../../errors.js';
import {
  ATTACHED_ROLE_TAG,
  bindingOwnershipTags,
  buildPodIdentityTrustPolicy,
  evaluatePodIdentityTrust,
  isOwnedRoleFor,
  mergeTags,
  parseArn,
  POD_IDENTITY_PRINCIPAL,
  ROLE_ARN_ANNOTATION,
  roleNameOf,
  sameRoleArn,
} from '../../policy/index.js';
import { FLAG_LABELS } from './spec.js';
import type { CheckedBinding } from './check.js';
import type { ClusterSession } from './cluster-session.js';
import { describeTags, type PlanStep, step } from '../engine/plan.js';
import { started } from '../engine/concurrency.js';
import { planRoleAndPermissions } from './plan-permissions.js';
import { readRoleState, type RoleTrust } from './plan-role.js';
import { planServiceAccount, readServiceAccountState } from './plan-service-account.js';
import { findAssociation, handedOut, handedOutWarning } from './pod-identity-associations.js';

export const POD_IDENTITY_AGENT = 'eks-pod-identity-agent';
/** Phase of the association: after the role's permissions, before the service account exists. */
const ASSOCIATION_PHASE = 3;

/**
 * Takes the binding as checked at the boundary (it is not checked again); planBinding decided the
 * mechanism (an update without one finds it), so the trust here is Pod Identity's whatever the
 * binding says.
 */
export async function planPodIdentity(session: ClusterSession, input: CheckedBinding) {
  const { reporter, eks } = session;
  const { namespace, name } = input;
  // Everything is read at once; nothing here needs the OIDC provider.
  const agentP = started(readAgent(session));
  const associationP = started(
    reporter.progress(`Reading the Pod Identity association of ${namespace}/${name}`, () =>
      findAssociation(eks, session.name, namespace, name),
    ),
  );
  const kubeStateP = started(readServiceAccountState(session, namespace, name));
  let roleName = input.roleName;
  if (input.update && !input.roleNameGiven) {
    // An update finds the binding's role where the association points, if it is there.
    const [association, cluster] = await Promise.all([associationP, session.cluster()]);
    if (association && parseArn(association.roleArn)?.accountId === cluster.accountId) {
      roleName = roleNameOf(association.roleArn);
    }
  }
  const roleStateP = started(
    reporter.progress(`Reading IAM role ${roleName}`, () =>
      readRoleState(session.iam, input, roleName),
    ),
  );
  const cluster = await session.cluster();
  const agentWarnings = requireAgent(session, cluster, await agentP);
  const planned = await planRoleAndPermissions(session, input, cluster, {
    roleName,
    roleState: roleStateP,
    trust: podIdentityTrust(input, cluster),
  });
  const { rolePlan, wellKnown } = planned;
  const association = await associationP;
  const steps: PlanStep[] = [
    ...rolePlan.steps,
    ...wellKnown.steps,
    planAssociation(eks, input, cluster, association, rolePlan.roleArn),
  ];
  const [kube, state] = await Promise.all([session.kube(), kubeStateP]);
  steps.push(...planServiceAccount(session, kube.gateway, input, state, undefined));
  const warnings = [...agentWarnings, ...wellKnown.warnings, ...rolePlan.warnings];
  // Who gets the role is decided by associations (the trust admits the whole cluster): one made
  // outside this binding hands iamsa's role to another service account. It is not iamsa's to
  // delete, so the plan names it and says how to remove it (docs/apply.md).
  if ((await roleStateP).role && !input.attachRole) {
    const others = await handedOut(session, rolePlan.roleArn, namespace, name);
    warnings.push(...others.map((a) => handedOutWarning(session, a, rolePlan.roleArn, input)));
  }
  const annotated = state.serviceAccount?.annotations[ROLE_ARN_ANNOTATION];
  if (annotated) {
    warnings.push(
      coded(
        'IRSA-W017',
        `service account ${namespace}/${name} is also annotated with IRSA role ${annotated}: new pods get Pod Identity credentials; remove the annotation once nothing needs IRSA`,
      ),
    );
  }
  warnings.forEach((w) => reporter.warn(w));
  return {
    roleArn: rolePlan.roleArn,
    serviceAccount: { namespace, name },
    podIdentity: {
      clusterArn: cluster.arn,
      ...(association ? { associationId: association.id } : {}),
    },
    steps,
    warnings,
  };
}

/** The role's trust: the Pod Identity service, for this cluster of this account only. */
export function podIdentityTrust(input: CheckedBinding, cluster: ClusterInfo): RoleTrust {
  return {
    mechanism: 'pod-identity',
    document: buildPodIdentityTrustPolicy({
      accountId: cluster.accountId,
      clusterArns: [cluster.arn],
    }),
    summary: `${POD_IDENTITY_PRINCIPAL} for ${cluster.arn}`,
    who: `Pod Identity sessions of ${input.namespace}/${input.name} in ${cluster.arn}`,
    description: `EKS Pod Identity role for ${input.namespace}/${input.name} in EKS cluster ${input.cluster}, managed by iamsa`,
    judge: (doc) =>
      evaluatePodIdentityTrust(doc, {
        accountId: cluster.accountId,
        clusterArn: cluster.arn,
        clusterName: cluster.name,
        namespace: input.namespace,
        serviceAccount: input.name,
        sessionTags: !input.disableSessionTags,
      }),
  };
}

/** The agent add-on as read, or the warning of a read EKS lacks or refused. */
export interface AgentRead {
  agent?: AddonInfo;
  unchecked?: Warning;
}

/**
 * The agent add-on, or undefined with a warning in `warnings` (saying `what` could not be checked)
 * when EKS lacks or refuses the API: only a read to be thorough for doctor and audit, and for a
 * plan a precondition that a refusal cannot disprove.
 */
export const readAgentOrWarn = (
  session: ClusterSession,
  warnings: Warning[],
  what = `the ${POD_IDENTITY_AGENT} add-on of cluster ${session.name}`,
): Promise<AddonInfo | undefined> =>
  optionalRead(warnings, { call: 'eks:DescribeAddon', unchecked: what }, () =>
    session.eks.describeAddon(session.name, POD_IDENTITY_AGENT),
  );

/** Reads the agent add-on for a plan: what was read, or the warning of a read EKS lacks or refused. */
export async function readAgent(session: ClusterSession): Promise<AgentRead> {
  const unchecked: Warning[] = [];
  const agent = await session.reporter.progress(`Checking the ${POD_IDENTITY_AGENT} add-on`, () =>
    readAgentOrWarn(
      session,
      unchecked,
      `whether cluster ${session.name} runs the ${POD_IDENTITY_AGENT} add-on (pods get no Pod Identity credentials without it; Auto Mode clusters do not need it)`,
    ),
  );
  return { agent, unchecked: unchecked[0] };
}

/**
 * The agent must run on the nodes (Auto Mode runs it itself). An add-on being updated keeps its
 * agent running; every other state but ACTIVE means pods may get no credentials. An add-on that
 * could not be read is the warning returned, not a failure.
 */
export function requireAgent(
  session: ClusterSession,
  cluster: ClusterInfo,
  { agent, unchecked }: AgentRead,
): Warning[] {
  if (cluster.autoMode || agent?.status === 'ACTIVE' || agent?.status === 'UPDATING') return [];
  if (unchecked) return [unchecked];
  const where = `--cluster-name ${cluster.name} --addon-name ${POD_IDENTITY_AGENT} --region ${session.region}${session.profile ? ` --profile ${session.profile}` : ''}`;
  if (!agent) {
    throw new PreconditionError(
      `cluster ${cluster.name} has no ${POD_IDENTITY_AGENT} add-on, which Pod Identity needs on the nodes`,
      { hint: `install it: aws eks create-addon ${where}` },
    );
  }
  throw new PreconditionError(
    `the ${POD_IDENTITY_AGENT} add-on of cluster ${cluster.name} is ${agent.status}, not ACTIVE`,
    { hint: `wait until it is ACTIVE, or see why: aws eks describe-addon ${where}` },
  );
}

interface WantedAssociation {
  roleArn: string;
  targetRoleArn?: string;
  disableSessionTags: boolean;
}

/** The update that makes an association what the binding wants, with words for the plan. */
function associationChanges(
  current: PodIdentityAssociation,
  wanted: WantedAssociation,
): { changes: AssociationChanges; described: string[] } {
  const changes: AssociationChanges = {};
  const described: string[] = [];
  if (!sameRoleArn(current.roleArn, wanted.roleArn)) {
    changes.roleArn = wanted.roleArn;
    described.push(`role: ${current.roleArn} -> ${wanted.roleArn}`);
  }
  if ((current.targetRoleArn ?? '') !== (wanted.targetRoleArn ?? '')) {
    changes.targetRoleArn = wanted.targetRoleArn ?? '';
    described.push(
      `target role: ${current.targetRoleArn ?? '(none)'} -> ${wanted.targetRoleArn ?? '(none)'}`,
    );
  }
  if (current.disableSessionTags !== wanted.disableSessionTags) {
    changes.disableSessionTags = wanted.disableSessionTags;
    described.push(
      `session tags: ${current.disableSessionTags ? 'disabled' : 'enabled'} -> ${wanted.disableSessionTags ? 'disabled' : 'enabled'}`,
    );
  }
  return { changes, described };
}

function planAssociation(
  eks: EksGateway,
  input: CheckedBinding,
  cluster: ClusterInfo,
  current: PodIdentityAssociation | undefined,
  roleArn: string,
): PlanStep {
  const { namespace, name } = input;
  const id = `${namespace}/${name}`;
  // An update changes what it is asked to; the rest of the association stays as it is.
  const kept = input.update ? current : undefined;
  const targetRoleArn = input.targetRoleArn ?? kept?.targetRoleArn;
  const wanted: WantedAssociation = {
    roleArn,
    ...(targetRoleArn ? { targetRoleArn } : {}),
    disableSessionTags: input.disableSessionTags ?? kept?.disableSessionTags ?? false,
  };
  const tags = mergeTags(input.tags, {
    ...bindingOwnershipTags('pod-identity', input.cluster, namespace, name, cluster.arn),
    ...(input.attachRole ? { [ATTACHED_ROLE_TAG]: 'true' } : {}),
  });
  /** Whether iamsa may change this association: its own, or the user said so. */
  const mayChange = (a: PodIdentityAssociation) => {
    if (a.ownerArn) {
      return new ConflictError(
        `the Pod Identity association of ${id} belongs to the EKS add-on ${a.ownerArn}; iamsa will not change it`,
        {
          hint: 'change it through the add-on (aws eks update-addon), or bind another service account',
        },
      );
    }
    if (isOwnedRoleFor(a.tags, cluster.arn, namespace, name) || input.overrideExisting) return;
    return new ConflictError(
      `service account ${id} already has a Pod Identity association (${a.id}) with role ${a.roleArn}, not made by iamsa`,
      { hint: `pass ${FLAG_LABELS.overrideExisting} to point it at ${roleArn}` },
    );
  };
  /** Brings an existing association to what is wanted (nothing when it already is). */
  const converge = async (a: PodIdentityAssociation) => {
    const { changes } = associationChanges(a, wanted);
    if (!Object.keys(changes).length) return;
    const refused = mayChange(a);
    if (refused) throw refused;
    await eks.updatePodIdentityAssociation(input.cluster, a.id, changes);
  };

  if (!current) {
    return step({
      resource: 'pod-identity-association',
      id,
      action: 'create',
      changes: [
        `role ${roleArn}`,
        ...(wanted.targetRoleArn ? [`target role ${wanted.targetRoleArn}`] : []),
        ...(wanted.disableSessionTags ? ['session tags disabled'] : []),
        `tags ${describeTags(tags)}`,
      ],
      phase: ASSOCIATION_PHASE,
      run: async () => {
        try {
          await eks.createPodIdentityAssociation({
            cluster: input.cluster,
            namespace,
            serviceAccount: name,
            tags,
            ...wanted,
          });
        } catch (error) {
          // ResourceInUseException: made meanwhile (a concurrent run, a lost answer): converge it.
          if (!(error instanceof AlreadyExistsError)) throw error;
          const now = await findAssociation(eks, input.cluster, namespace, name);
          if (!now) throw error;
          await converge(now);
        }
      },
    });
  }
  const { described } = associationChanges(current, wanted);
  if (!described.length) {
    return step({
      resource: 'pod-identity-association',
      id,
      action: 'unchanged',
      changes: [],
      phase: ASSOCIATION_PHASE,
    });
  }
  const refused = mayChange(current);
  if (refused) throw refused;
  return step({
    resource: 'pod-identity-association',
    id,
    action: 'update',
    changes: described,
    phase: ASSOCIATION_PHASE,
    run: () => converge(current),
  });
}
