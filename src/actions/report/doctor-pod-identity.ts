// The checks of `iamsa doctor` for a service account with an EKS Pod Identity association, pure
// like doctor-checks.ts: the agent add-on, the association, its role and trust, and the pods.
// Ids PODID001... are part of the interface; the mechanism-free checks (static keys, role
// permissions, simulation) keep their IRSA ids.
import type { AddonInfo, PodIdentityAssociation } from '../../aws/eks.js';
import type { Pod } from '../../kube/gateway.js';
import {
  buildPodIdentityTrustStatement,
  evaluatePodIdentityTrust,
  isOwnedRoleFor,
  parseTrustPolicy,
  type PolicyDocument,
  POD_IDENTITY_PRINCIPAL,
  ROLE_ARN_ANNOTATION,
  trustHoldsBindingStatement,
} from '../../policy/index.js';
import type { DoctorState } from './doctor-state.js';
import {
  DRIFTED_IAMSA_TRUST,
  kubeFlagsOf,
  narrowedPodIdentityTrust,
  podIdentityTrustOf,
  POLICY_ARN,
  quote,
  updateServiceAccountFix,
  updateTrustFix,
  withPlaceholderNote,
} from './fix-commands.js';
import { POD_IDENTITY_AGENT } from '../binding/plan-pod-identity.js';
import type { Check } from './report.js';
import { check } from './check-kinds.js';

export interface PodIdentityFacts {
  association: PodIdentityAssociation;
  /**
   * The other associations of the cluster that name the same role (another service account gets
   * it); undefined when they could not be listed.
   */
  others?: PodIdentityAssociation[];
  /** The agent add-on; undefined when it is not installed. */
  agent?: AddonInfo;
}

/** What the EKS webhook sets in each container of a pod whose service account is associated. */
export const POD_IDENTITY_ENV = 'AWS_CONTAINER_CREDENTIALS_FULL_URI';

const profileOf = (s: DoctorState) =>
  s.context.profile ? ` --profile ${quote(s.context.profile)}` : '';
const where = (s: DoctorState) =>
  `--cluster ${quote(s.context.cluster)} --region ${s.context.region}${profileOf(s)}${kubeFlagsOf(s.context)}`;
const saLabel = (s: DoctorState) => `${s.namespace}/${s.name}`;
const ownedRole = (s: DoctorState) =>
  !!s.role && isOwnedRoleFor(s.role.tags, s.cluster.arn, s.namespace, s.name);
/** update-serviceaccount converges an iamsa role's trust and the association. */
const convergeFix = (s: DoctorState) =>
  updateServiceAccountFix(s.context, s.namespace, s.name, 'pod-identity');
/**
 * The ownership rules: iamsa's role for the binding only when its tags name it and its trust
 * holds iamsa's statement for it; tags alone (a trust changed by hand) are drift iamsa refuses.
 */
const rederivable = (s: DoctorState, trust: PolicyDocument | string) =>
  ownedRole(s) &&
  typeof trust !== 'string' &&
  trustHoldsBindingStatement(
    trust,
    { clusterArn: s.cluster.arn, namespace: s.namespace, name: s.name },
    s.cluster.accountId,
    [],
  );
const driftedRole = (s: DoctorState, trust: PolicyDocument | string) =>
  ownedRole(s) && !rederivable(s, trust);
/** iamsa's exact Pod Identity trust, put back by hand: then iamsa's commands converge the role. */
const restoreFix = (s: DoctorState) =>
  updateTrustFix(
    s.context,
    s.role?.name ?? '',
    podIdentityTrustOf(s.cluster.accountId, s.cluster.arn),
  );

function agent(s: DoctorState, p: PodIdentityFacts): Check {
  if (s.cluster.autoMode) return check('PODID001', 'ok', 'EKS Auto Mode runs the agent');
  const addon = `--cluster-name ${quote(s.cluster.name)} --addon-name ${POD_IDENTITY_AGENT} --region ${s.context.region}${profileOf(s)}`;
  if (!p.agent) {
    return check(
      'PODID001',
      'fail',
      `cluster ${s.cluster.name} has no ${POD_IDENTITY_AGENT} add-on: no node hands out Pod Identity credentials`,
      { fix: `aws eks create-addon ${addon}` },
    );
  }
  if (p.agent.status === 'ACTIVE' || p.agent.status === 'UPDATING') {
    return check(
      'PODID001',
      'ok',
      `${POD_IDENTITY_AGENT} ${p.agent.version ?? ''} is ${p.agent.status}`.replace('  ', ' '),
    );
  }
  return check(
    'PODID001',
    'fail',
    `the ${POD_IDENTITY_AGENT} add-on is ${p.agent.status}, not ACTIVE`,
    { fix: `aws eks describe-addon ${addon}  # see its health issues` },
  );
}

function association(s: DoctorState, p: PodIdentityFacts): Check {
  const a = p.association;
  const details = [
    ...(a.ownerArn ? [`owned by the EKS add-on ${a.ownerArn}`] : []),
    ...(a.targetRoleArn ? [`chains to target role ${a.targetRoleArn}`] : []),
    ...(a.disableSessionTags ? ['session tags disabled'] : []),
  ];
  if (!s.serviceAccount) {
    return check(
      'PODID002',
      'fail',
      `association ${a.id} names role ${a.roleArn}, but service account ${saLabel(s)} does not exist`,
      {
        details,
        fix: `kubectl create serviceaccount -n ${s.namespace} ${s.name}`,
      },
    );
  }
  return check('PODID002', 'ok', `association ${a.id} names role ${a.roleArn}`, {
    details,
  });
}

function roleExists(s: DoctorState, p: PodIdentityFacts): Check {
  const arn = p.association.roleArn;
  if (!s.roleArn || s.roleArn.accountId !== s.cluster.accountId) {
    return check(
      'PODID003',
      'fail',
      `role ${arn} is not a role of the cluster's account ${s.cluster.accountId}: EKS cannot pass it (use a target role for other accounts)`,
      {
        fix: `aws eks update-pod-identity-association ${where(s).replace('--cluster', '--cluster-name')} --association-id ${p.association.id} --role-arn <role ARN of ${s.cluster.accountId}>`,
      },
    );
  }
  if (!s.role) {
    return check('PODID003', 'fail', `role ${arn} does not exist`, {
      fix: withPlaceholderNote(
        `iamsa create-serviceaccount --mechanism pod-identity ${where(s)} --namespace ${s.namespace} --name ${s.name} --role-name ${s.roleArn.roleName} --attach-policy-arn ${POLICY_ARN} --override-existing-serviceaccounts --approve`,
      ),
    });
  }
  const owner = driftedRole(s, trustOf(s))
    ? ` (it ${DRIFTED_IAMSA_TRUST.replace('; restore the trust with:', '')})`
    : ownedRole(s)
      ? ' (iamsa made it for this service account)'
      : '';
  return check('PODID003', 'ok', `${s.role.arn} exists${owner}`);
}

function trustOf(s: DoctorState): PolicyDocument | string {
  try {
    return parseTrustPolicy(s.role?.trustPolicy ?? '', `the trust policy of ${s.role?.name}`);
  } catch (error) {
    return (error as Error).message;
  }
}

const sessionOf = (s: DoctorState, p: PodIdentityFacts) => ({
  accountId: s.cluster.accountId,
  clusterArn: s.cluster.arn,
  clusterName: s.cluster.name,
  namespace: s.namespace,
  serviceAccount: s.name,
  sessionTags: !p.association.disableSessionTags,
});

/** The role's trust with the Pod Identity statement for this cluster added. */
function withPodsStatement(s: DoctorState, trust: PolicyDocument | string): PolicyDocument {
  const statement = buildPodIdentityTrustStatement({
    accountId: s.cluster.accountId,
    clusterArns: [s.cluster.arn],
  });
  return {
    Version: '2012-10-17',
    Statement: [...(typeof trust === 'string' ? [] : trust.Statement), statement],
  };
}

function trustAdmits(s: DoctorState, p: PodIdentityFacts): Check {
  if (!s.role) return check('PODID004', 'skipped', 'no role to read (see PODID003)');
  const trust = trustOf(s);
  if (typeof trust === 'string') return check('PODID004', 'fail', trust);
  const judged = evaluatePodIdentityTrust(trust, sessionOf(s, p));
  if (judged.admits) {
    return check(
      'PODID004',
      'ok',
      `statement ${judged.statementIndex ?? 0} lets ${POD_IDENTITY_PRINCIPAL} assume the role for ${s.cluster.arn}`,
    );
  }
  const drifted = driftedRole(s, trust);
  return check(
    'PODID004',
    'fail',
    `the trust of ${s.role.name} does not admit Pod Identity sessions of ${saLabel(s)} in ${s.cluster.arn}${drifted ? `; the role ${DRIFTED_IAMSA_TRUST}` : ''}`,
    {
      details: judged.problems,
      fix: rederivable(s, trust)
        ? convergeFix(s)
        : drifted
          ? restoreFix(s)
          : updateTrustFix(s.context, s.role.name, withPodsStatement(s, trust)),
    },
  );
}

function trustNarrow(s: DoctorState, p: PodIdentityFacts): Check {
  if (!s.role) return check('PODID005', 'skipped', 'no role to read (see PODID003)');
  const trust = trustOf(s);
  if (typeof trust === 'string') return check('PODID005', 'skipped', trust);
  const judged = evaluatePodIdentityTrust(trust, sessionOf(s, p));
  if (!judged.admits) return check('PODID005', 'skipped', 'see PODID004');
  const others = p.others ?? [];
  if (others.length) {
    // The trust admits every association of the cluster: these hand the role to others. On
    // iamsa's role for this binding that breaks its promise (a FAIL); on another role, a warning.
    const own = ownedRole(s);
    const found = check(
      'PODID005',
      own ? 'fail' : 'warn',
      `role ${s.role.name}${own ? `, iamsa's role for ${saLabel(s)},` : ''} is also handed to ${others.length} other service account(s) by association(s) ${own ? 'iamsa did not make for this binding' : 'of this cluster'}`,
      {
        details: [
          ...others.map(
            (a) =>
              `association ${a.id} gives it to ${a.namespace}/${a.serviceAccount}${a.ownerArn ? ` (owned by ${a.ownerArn})` : ''}`,
          ),
          ...judged.overBroad,
        ],
        fix: others
          .map(
            (a) =>
              `aws eks delete-pod-identity-association --cluster-name ${quote(s.context.cluster)} --region ${s.context.region}${profileOf(s)} --association-id ${a.id}`,
          )
          .join(' && '),
        ...(own ? { finding: 'PODID106' as const } : {}),
      },
    );
    return found;
  }
  if (!judged.overBroad.length) {
    return check(
      'PODID005',
      'ok',
      `only associations of ${s.cluster.arn} (account ${s.cluster.accountId}) can use the role`,
    );
  }
  const drifted = driftedRole(s, trust);
  return check(
    'PODID005',
    'warn',
    `the trust of ${s.role.name} lets other clusters' associations use the role${drifted ? `; the role ${DRIFTED_IAMSA_TRUST}` : ''}`,
    {
      details: judged.overBroad,
      fix: rederivable(s, trust)
        ? convergeFix(s)
        : drifted
          ? restoreFix(s)
          : updateTrustFix(
              s.context,
              s.role.name,
              narrowedPodIdentityTrust(trust, sessionOf(s, p)),
            ),
    },
  );
}

function oneMechanism(s: DoctorState): Check {
  const annotated = s.serviceAccount?.annotations[ROLE_ARN_ANNOTATION];
  if (annotated === undefined) {
    return check('PODID006', 'ok', `${saLabel(s)} has no IRSA annotation`);
  }
  // Removing IRSA while pods still use it (PODID007) cuts their credentials: restart them first.
  const stale = podsWithoutPodIdentity(s.pods);
  const removeIrsa = `iamsa migrate-to-pod-identity ${where(s)} -n ${s.namespace} --name ${s.name} --remove-irsa --approve`;
  return check(
    'PODID006',
    'warn',
    `${saLabel(s)} is also annotated with IRSA role ${annotated}: new pods get Pod Identity credentials; pods started before the association keep IRSA`,
    {
      ...(stale.length
        ? {
            details: [
              `${stale.length} pod(s) still use IRSA (see PODID007): removing it now cuts their credentials; restart them first, then: ${removeIrsa}`,
            ],
          }
        : {}),
      // The fix offered is the restart while pods still use IRSA: pasted, it cuts nothing.
      fix: stale.length
        ? restartPodsCommand(s.namespace, stale)
        : `kubectl annotate serviceaccount -n ${s.namespace} ${s.name} ${ROLE_ARN_ANNOTATION}-  # once nothing needs IRSA (or: ${removeIrsa})`,
    },
  );
}

const hasPodIdentity = (pod: Pod) =>
  pod.containers.every((c) => c.env.some((e) => e.name === POD_IDENTITY_ENV));

/**
 * The pods without Pod Identity credentials (PODID007): EKS sets them only when a pod is created,
 * so these started before the association and use what they had (IRSA, for a migrating binding).
 */
export const podsWithoutPodIdentity = (pods: Pod[]): Pod[] =>
  pods.filter((pod) => !hasPodIdentity(pod));

/** How to restart pods that started before the association, so they get Pod Identity. */
export const restartPodsCommand = (namespace: string, pods: Pod[]): string =>
  `kubectl delete pod -n ${namespace} ${pods.map((p) => p.name).join(' ')}  # their controller recreates them; or kubectl rollout restart deployment -n ${namespace} DEPLOYMENT`;

function podsInjected(s: DoctorState): Check {
  if (!s.serviceAccount) return check('PODID007', 'skipped', 'no service account');
  if (s.pods.length === 0) {
    return check('PODID007', 'warn', `no pod in ${s.namespace} runs as ${s.name}`, {
      fix: `set serviceAccountName: ${s.name} in the pod template of the workload`,
    });
  }
  const without = podsWithoutPodIdentity(s.pods);
  if (!without.length) {
    return check(
      'PODID007',
      'ok',
      `every container of ${s.pods.length} pod(s) has ${POD_IDENTITY_ENV}`,
    );
  }
  return check(
    'PODID007',
    'warn',
    `${without.length} of ${s.pods.length} pod(s) have no ${POD_IDENTITY_ENV}: EKS sets it only when a pod is created, so they started before the association (or the cluster's webhook did not run)`,
    {
      details: without.map((pod) => `pod ${pod.name} (created ${pod.creationTimestamp ?? '?'})`),
      fix: restartPodsCommand(s.namespace, without),
    },
  );
}

/**
 * iamsa's role for the binding is a Pod Identity role but the service account has no association
 * (deleted by hand) and no IRSA annotation: nothing hands its pods the role.
 */
export function noAssociation(s: DoctorState): Check {
  return check(
    'PODID002',
    'fail',
    `${saLabel(s)} has no Pod Identity association: iamsa's role for it, ${s.role?.arn}, is a Pod Identity role, and no pod gets it`,
    { fix: convergeFix(s) },
  );
}

/** The Pod Identity checks, in order, before the mechanism-free ones. */
export function podIdentityChecks(s: DoctorState, p: PodIdentityFacts): Check[] {
  return [
    agent(s, p),
    association(s, p),
    roleExists(s, p),
    trustAdmits(s, p),
    trustNarrow(s, p),
    oneMechanism(s),
    podsInjected(s),
  ];
}
