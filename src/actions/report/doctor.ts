// Use case: why can (or can't) the pods of one service account get their IAM role? Reads the
// cluster, its OIDC provider, the service account, its pods and the role (read-only), then runs
// the checks of doctor-checks.ts. Exit 6 when one fails.
import { type Warning, warningDetails } from '../engine/warning-kinds.js';
import { ExitCode } from '../../errors.js';
import type { KubeAccess } from '../../kube/connection.js';
import {
  INLINE_POLICY_NAME,
  isManagedByIamsa,
  isPodIdentityRole,
  readAnnotation,
  roleNameOf,
  sameRoleArn,
  TAG_POLICIES,
} from '../../policy/index.js';
import {
  type ClusterSession,
  openClusterSession,
  type RegionAccess,
} from '../binding/cluster-session.js';
import type { PodIdentityFacts } from './doctor-pod-identity.js';
import { readAgentOrWarn } from '../binding/plan-pod-identity.js';
import { nearestServiceAccount } from '../binding/missing-namespace.js';
import { optionalRead } from '../engine/optional-read.js';
import { readAssociationsOrWarn } from '../binding/pod-identity-associations.js';
import { runChecks, type DoctorState } from './doctor-irsa.js';
import { findOwnedRole, ownsBinding } from '../binding/owned-role.js';
import { countBy, type CheckStatus, type DoctorReport, REPORT_SCHEMA_VERSION } from './report.js';
import type { Reporter } from '../engine/reporter.js';

export interface DoctorInput {
  cluster: string;
  namespace: string;
  name: string;
  kube: KubeAccess;
  /** iam:SimulatePrincipalPolicy of these actions (on these resources, default *). */
  simulate?: { actions: string[]; resources: string[] };
}

export interface DoctorDeps extends RegionAccess {
  reporter: Reporter;
}

const STATUSES: readonly CheckStatus[] = ['ok', 'fail', 'warn', 'skipped'];

export async function runDoctor(input: DoctorInput, deps: DoctorDeps): Promise<DoctorReport> {
  const { reporter } = deps;
  const session = openClusterSession(deps, { cluster: input.cluster, kube: input.kube, reporter });
  const { namespace, name } = input;
  // Connect (presign the token) while the cluster is described and the provider looked up.
  const kube = session.kube();
  void kube.catch(() => undefined);
  const [cluster, oidc, provider, k] = await Promise.all([
    session.cluster(),
    session.oidc(),
    session.provider(),
    kube,
  ]);
  const gateway = k.gateway;
  const [serviceAccount, pods, serviceAccounts, podIdentity] = await Promise.all([
    reporter.progress(`Reading service account ${namespace}/${name}`, () =>
      gateway.getServiceAccount(namespace, name),
    ),
    reporter.progress(`Listing the pods of ${namespace}/${name}`, () =>
      gateway.listPodsOf(namespace, name),
    ),
    reporter.progress('Listing the service accounts of the cluster', () =>
      gateway.listServiceAccounts(),
    ),
    readPodIdentity(session, namespace, name),
  ]);
  // A service account that does not exist may be a typo: its namespace (IRSA-W025) or its name.
  const typo = serviceAccount
    ? undefined
    : await nearestServiceAccount(session, namespace, name, serviceAccounts);
  if (typo?.warning) reporter.warn(typo.warning);
  // With an association, new pods get Pod Identity credentials: its role is the one to check.
  const read = podIdentity
    ? readAnnotation(podIdentity.association.roleArn)
    : readAnnotation(serviceAccount?.annotations['eks.amazonaws.com/role-arn']);
  const roleArn = read && 'arn' in read ? read.arn : undefined;
  const ours = roleArn && roleArn.accountId === cluster.accountId;
  const annotatedRole = ours
    ? await reporter.progress(`Reading role ${roleArn.roleName}`, () =>
        session.iam.getRole(roleNameOf(roleArn.arn)),
      )
    : undefined;
  // The fix for a missing annotation, one naming another binding's role or a missing role, is
  // iamsa's role for this binding when it exists. Looked for only then, and only to be thorough: a refusal is none.
  const binding = { clusterArn: cluster.arn, cluster: cluster.name, namespace, name };
  const annotated = serviceAccount?.annotations['eks.amazonaws.com/role-arn'];
  const elsewhere =
    !!annotatedRole &&
    isManagedByIamsa(annotatedRole.tags) &&
    !ownsBinding(annotatedRole.tags, binding);
  const ownRoleP =
    !podIdentity && (annotated === undefined || elsewhere || (!!ours && !annotatedRole))
      ? findOwnedRole(session, binding, [annotatedRole], () => undefined).catch(() => undefined)
      : undefined;
  // Neither an association nor an annotation, and iamsa's role for the binding is a Pod Identity
  // role: its association was deleted. That role is the one to check, with the Pod Identity fix.
  const found = !podIdentity && annotated === undefined ? await ownRoleP : undefined;
  const lost = found && isPodIdentityRole(found) ? found : undefined;
  const role = annotatedRole ?? lost;
  const lostArn = lost && readAnnotation(lost.arn);
  const simulationWarnings: Warning[] = [];
  // iamsa's inline policy is part of what the role's tags record (drift, IRSA010).
  const recorded = role?.tags[TAG_POLICIES] !== undefined;
  const [attachedPolicies, inlinePolicies, inlinePolicy, results] = role
    ? await Promise.all([
        session.iam.listAttachedPolicyArns(role.name),
        session.iam.listInlinePolicyNames(role.name),
        recorded ? session.iam.getInlinePolicy(role.name, INLINE_POLICY_NAME) : undefined,
        input.simulate
          ? reporter.progress(`Simulating ${input.simulate.actions.join(', ')}`, () =>
              optionalRead(
                simulationWarnings,
                {
                  call: 'iam:SimulatePrincipalPolicy',
                  unchecked: `what role ${role.name} may do (IRSA011 skipped)`,
                },
                () =>
                  session.iam.simulatePrincipalPolicy(
                    role.arn,
                    input.simulate?.actions ?? [],
                    input.simulate?.resources ?? [],
                  ),
              ),
            )
          : undefined,
      ])
    : [[], [], undefined, undefined];
  const ownRole = await ownRoleP;
  const state: DoctorState = {
    context: {
      cluster: input.cluster,
      region: deps.region,
      profile: deps.profile,
      kube: input.kube,
    },
    cluster,
    oidc,
    provider,
    namespace,
    name,
    serviceAccount,
    serviceAccounts,
    pods,
    roleArn,
    role,
    ...(ownRole ? { ownRole } : {}),
    attachedPolicies,
    inlinePolicies,
    ...(inlinePolicy !== undefined ? { inlinePolicy } : {}),
    ...(input.simulate
      ? {
          simulation: {
            ...input.simulate,
            results: results ?? [],
            ...(simulationWarnings[0] ? { unavailable: simulationWarnings[0] } : {}),
          },
        }
      : {}),
    ...(podIdentity ? { podIdentity } : {}),
    ...(typo?.nearest ? { nearest: typo.nearest } : {}),
    ...(lostArn && 'arn' in lostArn ? { lostAssociation: true, roleArn: lostArn.arn } : {}),
  };
  const checks = runChecks(state);
  simulationWarnings.forEach((w) => reporter.warn(w));
  const warnings = [
    ...session.warnings,
    ...(typo?.warning ? [typo.warning] : []),
    ...simulationWarnings,
  ];
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    command: 'doctor',
    cluster: input.cluster,
    region: deps.region,
    serviceAccount: { namespace, name },
    mechanism: podIdentity || lost ? 'pod-identity' : 'irsa',
    ...(state.roleArn ? { roleArn: state.roleArn.arn } : {}),
    checks,
    ...(warnings.length ? { warnings, warningDetails: warningDetails(warnings) } : {}),
    summary: countBy(
      STATUSES,
      checks.map((c) => c.status),
    ),
    exitCode: checks.some((c) => c.status === 'fail') ? ExitCode.findings : ExitCode.ok,
  };
}

/**
 * The service account's Pod Identity association and the agent add-on, or undefined without an
 * association. EKS refusing to list associations is a warning: the IRSA checks still run.
 */
async function readPodIdentity(
  session: ClusterSession,
  namespace: string,
  name: string,
): Promise<PodIdentityFacts | undefined> {
  const [associations, agent] = await Promise.all([
    readAssociationsOrWarn(session, { namespace, serviceAccount: name }),
    readAgentOrWarn(session, session.warnings),
  ]);
  const association = associations?.[0];
  // Who else the association's role is handed to: the trust admits every association.
  const all = association ? await readAssociationsOrWarn(session) : undefined;
  session.warnings.forEach((w) => session.reporter.warn(w));
  if (!association) return undefined;
  const others = all?.filter(
    (a) =>
      sameRoleArn(a.roleArn, association.roleArn) &&
      !(a.namespace === namespace && a.serviceAccount === name),
  );
  return { association, ...(others ? { others } : {}), ...(agent ? { agent } : {}) };
}
