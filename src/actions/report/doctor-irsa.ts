// The checks of `iamsa doctor`, pure: each reads the gathered state and says ok, FAIL, warn or
// skipped, why, and the exact command that fixes it. Order and ids are part of the interface.
import type { Pod, ServiceAccount } from '../../kube/gateway.js';
import {
  AUDIENCE_ANNOTATION,
  buildTrustPolicy,
  buildTrustStatement,
  evaluateTrust,
  INLINE_POLICY_NAME,
  isManagedByIamsa,
  isOwnedRoleFor,
  isOwnedSharedRoleFor,
  parseTrustPolicy,
  policiesFingerprint,
  recordedSubset,
  type PolicyDocument,
  readAnnotation,
  ROLE_ARN_ANNOTATION,
  serviceAccountSubject,
  STS_AUDIENCE,
  TAG_POLICIES,
  trustHoldsBindingStatement,
  trustScope,
  type TrustTarget,
} from '../../policy/index.js';
import {
  addAudienceFix,
  annotateCreatingCommands,
  DRIFTED_IAMSA_TRUST,
  annotateFix,
  ownRoleInsteadFix,
  attachPolicyFix,
  createServiceAccountFix,
  withNote,
  deleteInlinePolicyFix,
  detachPolicyFix,
  doctorCommand,
  getServiceAccountsFix,
  quote,
  updateServiceAccountFix,
  updateTrustFix,
} from './fix-commands.js';
import { noAssociation, podIdentityChecks } from './doctor-pod-identity.js';
import type { DoctorState } from './doctor-state.js';
import type { Check } from './report.js';
import { check } from './check-kinds.js';
import { kube2iamCheck } from './doctor-kube2iam.js';

export const TOKEN_EXPIRATION_ANNOTATION = 'eks.amazonaws.com/token-expiration';
export const SKIP_CONTAINERS_ANNOTATION = 'eks.amazonaws.com/skip-containers';
export const TOKEN_VOLUME = 'aws-iam-token';
const MIN_TOKEN_EXPIRATION = 600;
const DEFAULT_TOKEN_EXPIRATION = 86400;
const STATIC_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];
const INJECTED = ['AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE'];

const mechanismOfState = (s: DoctorState) =>
  s.podIdentity || s.lostAssociation ? 'pod-identity' : 'irsa';

const audienceOf = (s: DoctorState) =>
  s.serviceAccount?.annotations[AUDIENCE_ANNOTATION] || STS_AUDIENCE;
const subjectOf = (s: DoctorState) => serviceAccountSubject(s.namespace, s.name);
const saLabel = (s: DoctorState) => `${s.namespace}/${s.name}`;
const annotation = (s: DoctorState) => s.serviceAccount?.annotations[ROLE_ARN_ANNOTATION];
const ownedRole = (s: DoctorState) =>
  !!s.role && isOwnedRoleFor(s.role.tags, s.cluster.arn, s.namespace, s.name);
/** iamsa's role shared by several clusters, this one among them (made by apply -f). */
const sharedRole = (s: DoctorState) =>
  !!s.role && isOwnedSharedRoleFor(s.role.tags, [s.cluster.arn], s.namespace, s.name);
/** create-serviceaccount for this binding, with the policies iamsa declared unless told others. */
const createFix = (
  s: DoctorState,
  policyArns = declaredPolicies(s),
  inline = s.inlinePolicies.includes(INLINE_POLICY_NAME),
) =>
  createServiceAccountFix(s.context, s.namespace, s.name, policyArns, mechanismOfState(s), inline);
/**
 * The policies iamsa declared for its own role: all attached ones when they match the record (or
 * none is recorded), else the subset the record names. A fix never names one attached outside iamsa.
 */
const declaredPolicies = (s: DoctorState) => {
  const drift = policiesDrift(s);
  return drift ? (drift.declared ?? []) : s.attachedPolicies;
};
/**
 * iamsa's role for the binding that update-serviceaccount re-derives: its tags name the binding
 * and its trust still holds iamsa's statement for it (the ownership rules; tags alone are not).
 */
const rederivable = (s: DoctorState, trust: PolicyDocument) =>
  ownedRole(s) &&
  trustHoldsBindingStatement(
    trust,
    { clusterArn: s.cluster.arn, namespace: s.namespace, name: s.name },
    s.cluster.accountId,
    [s.oidc.providerArn],
  );
/** Tags naming the binding on a trust without iamsa's statement: iamsa refuses it (exit 5). */
const drifted = (s: DoctorState, trust: PolicyDocument) => ownedRole(s) && !rederivable(s, trust);
/** iamsa's exact trust for the binding, put back by hand: then iamsa's commands work again. */
const restoreFix = (s: DoctorState) =>
  updateTrustFix(s.context, s.role?.name ?? '', buildTrustPolicy(targetOf(s)));
/** iamsa's own role with a trust changed by hand: re-derive it, adopting no policy. */
const rederiveFix = (s: DoctorState) =>
  updateServiceAccountFix(s.context, s.namespace, s.name, s.podIdentity && 'pod-identity');
/** A role iamsa made for another binding: never edited for this one (its owner would lose it). */
const otherBindingRole = (s: DoctorState) =>
  !!s.role && isManagedByIamsa(s.role.tags) && !ownedRole(s) && !sharedRole(s);
/** create-serviceaccount for an annotated service account: it must re-point the annotation. */
const overridingCreateFix = (s: DoctorState) =>
  createServiceAccountFix(s.context, s.namespace, s.name, [], mechanismOfState(s)).replace(
    ' --approve',
    ' --override-existing-serviceaccounts --approve',
  );
/** This service account's own role, instead of another binding's: re-point the annotation. */
function repointFix(s: DoctorState): string {
  if (s.ownRole) return annotateFix(s.namespace, s.name, s.ownRole.arn);
  return ownRoleInsteadFix(s.context, s.namespace, s.name, s.role?.name, mechanismOfState(s));
}
/**
 * The annotation names a role that does not exist: iamsa's role for this binding when it exists,
 * else create-serviceaccount, which must be told to re-point the annotation already there.
 */
function missingRoleFix(s: DoctorState): string {
  if (s.ownRole) return annotateFix(s.namespace, s.name, s.ownRole.arn);
  return annotation(s) === undefined
    ? createServiceAccountFix(s.context, s.namespace, s.name, [], mechanismOfState(s))
    : overridingCreateFix(s);
}
const targetOf = (s: DoctorState, sa?: ServiceAccount): TrustTarget => ({
  providerArn: s.oidc.providerArn,
  issuerHostPath: s.oidc.hostPath,
  namespace: sa?.namespace ?? s.namespace,
  serviceAccount: sa?.name ?? s.name,
  audience: (sa ?? s.serviceAccount)?.annotations[AUDIENCE_ANNOTATION] || STS_AUDIENCE,
});
const podNames = (pods: Pod[]) => pods.map((p) => p.name).join(' ');
const deletePodsFix = (s: DoctorState, pods: Pod[]) =>
  `kubectl delete pod -n ${s.namespace} ${podNames(pods)}  # their controller recreates them; or kubectl rollout restart deployment -n ${s.namespace} DEPLOYMENT`;

function trustOf(s: DoctorState): PolicyDocument | string {
  try {
    return parseTrustPolicy(s.role?.trustPolicy ?? '', `the trust policy of ${s.role?.name}`);
  } catch (error) {
    return (error as Error).message;
  }
}

/** The role ARN in the annotation, or why there is none to check. */
function provider(s: DoctorState): Check {
  const audience = audienceOf(s);
  if (!s.provider) {
    return check(
      'IRSA001',
      'fail',
      `no IAM OIDC provider for the cluster's issuer ${s.oidc.issuer}: STS refuses every token of this cluster ("No OpenIDConnect provider found in your account")`,
      {
        fix: `iamsa enable-oidc --cluster ${s.context.cluster} --region ${s.context.region}${s.context.profile ? ` --profile ${s.context.profile}` : ''} --approve`,
      },
    );
  }
  if (!s.provider.clientIds.includes(audience)) {
    const custom =
      audience !== STS_AUDIENCE ? ` (the ${AUDIENCE_ANNOTATION} of ${saLabel(s)})` : '';
    return check(
      'IRSA001',
      'fail',
      `${s.provider.arn} lacks the audience ${audience}${custom}: STS refuses the tokens ("Incorrect token audience")`,
      {
        fix:
          audience === STS_AUDIENCE
            ? `iamsa enable-oidc --cluster ${s.context.cluster} --region ${s.context.region} --approve`
            : addAudienceFix(s.context, s.provider.arn, audience),
      },
    );
  }
  return check('IRSA001', 'ok', `${s.provider.arn} accepts audience ${audience}`);
}

function serviceAccount(s: DoctorState): Check {
  const create = createServiceAccountFix(s.context, s.namespace, s.name, [], mechanismOfState(s));
  // iamsa's role for this binding exists (a --role-only binding, a removed annotation): use it.
  const own = s.ownRole && annotateFix(s.namespace, s.name, s.ownRole.arn);
  if (!s.serviceAccount) {
    // No binding of iamsa's here: most likely a typo of the nearest existing service account.
    const near = !own && s.nearest;
    const guess = near ? `: did you mean ${near.namespace}/${near.name}?` : '';
    return check('IRSA002', 'fail', `service account ${saLabel(s)} does not exist${guess}`, {
      fix: s.ownRole
        ? annotateCreatingCommands(s.namespace, s.name, s.ownRole.arn).join(' && ')
        : near
          ? withNote(
              doctorCommand(s.context, near.namespace, near.name),
              `or make ${saLabel(s)} with iamsa create-serviceaccount`,
            )
          : create,
    });
  }
  const value = annotation(s);
  const read = readAnnotation(value);
  if (!read) {
    return check(
      'IRSA002',
      'fail',
      `${saLabel(s)} has no ${ROLE_ARN_ANNOTATION} annotation: its pods get no web identity and use the node's role${s.ownRole ? ` (iamsa's role for it, ${s.ownRole.arn}, exists)` : ''}`,
      { fix: own || create },
    );
  }
  const example = `arn:${s.cluster.partition}:iam::${s.cluster.accountId}:role/ROLE_NAME`;
  if ('problem' in read) {
    return check(
      'IRSA002',
      'fail',
      `the ${ROLE_ARN_ANNOTATION} of ${saLabel(s)} is not a well-formed role ARN (STS: "Request ARN is invalid"): ${read.problem}`,
      { fix: annotateFix(s.namespace, s.name, example) },
    );
  }
  if (read.arn.partition !== s.cluster.partition) {
    return check(
      'IRSA002',
      'fail',
      `${read.arn.arn} is in partition ${read.arn.partition}, the cluster in ${s.cluster.partition}`,
      { fix: annotateFix(s.namespace, s.name, example) },
    );
  }
  if (read.arn.accountId !== s.cluster.accountId) {
    return check(
      'IRSA002',
      'warn',
      `${read.arn.arn} is in account ${read.arn.accountId}, the cluster in ${s.cluster.accountId}: that role must trust a provider for this cluster's issuer registered in account ${read.arn.accountId}; iamsa reads account ${s.cluster.accountId} only, so the role checks are skipped`,
    );
  }
  return check('IRSA002', 'ok', `${saLabel(s)} is annotated with ${read.arn.arn}`);
}

/** The role checks need a role of this account. */
function noRole(s: DoctorState): string | undefined {
  if (!s.roleArn) return `no role ARN to check (see ${s.podIdentity ? 'PODID002' : 'IRSA002'})`;
  if (s.roleArn.accountId !== s.cluster.accountId) return 'the role is in another account';
  if (!s.role) return `the role does not exist (see ${s.podIdentity ? 'PODID003' : 'IRSA003'})`;
  return undefined;
}

function roleExists(s: DoctorState): Check {
  if (!s.roleArn || s.roleArn.accountId !== s.cluster.accountId) {
    return check('IRSA003', 'skipped', noRole(s) ?? '');
  }
  if (!s.role) {
    return check(
      'IRSA003',
      'fail',
      `role ${s.roleArn.roleName} does not exist in account ${s.cluster.accountId}${s.ownRole ? ` (iamsa's role for it, ${s.ownRole.arn}, exists)` : ''}`,
      { fix: missingRoleFix(s) },
    );
  }
  if (s.role.arn !== s.roleArn.arn) {
    return check(
      'IRSA003',
      'fail',
      `the annotation names ${s.roleArn.arn}, but the role is ${s.role.arn} (another path): STS finds no such role`,
      { fix: annotateFix(s.namespace, s.name, s.role.arn) },
    );
  }
  const trust = trustOf(s);
  const owner =
    typeof trust !== 'string' && drifted(s, trust)
      ? ` (it ${DRIFTED_IAMSA_TRUST.replace('; restore the trust with:', '')})`
      : ownedRole(s)
        ? ' (iamsa made it for this service account)'
        : '';
  return check('IRSA003', 'ok', `${s.role.arn} exists${owner}`);
}

function trustAdmits(s: DoctorState): Check {
  const skipped = noRole(s);
  if (skipped) return check('IRSA004', 'skipped', skipped);
  const trust = trustOf(s);
  if (typeof trust === 'string') return check('IRSA004', 'fail', trust);
  const target = targetOf(s);
  const result = evaluateTrust(trust, target);
  if (result.admits) {
    return check(
      'IRSA004',
      'ok',
      `statement ${result.statementIndex} admits ${subjectOf(s)} with audience ${target.audience} from ${s.oidc.providerArn}`,
    );
  }
  const fixed = { ...trust, Statement: [...trust.Statement, buildTrustStatement(target)] };
  const restore = drifted(s, trust);
  return check(
    'IRSA004',
    'fail',
    `the trust of ${s.role?.name} does not admit ${subjectOf(s)} with audience ${target.audience}${restore ? `; the role ${DRIFTED_IAMSA_TRUST}` : ''}`,
    {
      details: result.problems,
      fix: rederivable(s, trust)
        ? rederiveFix(s)
        : restore
          ? restoreFix(s)
          : otherBindingRole(s)
            ? repointFix(s)
            : updateTrustFix(s.context, s.role?.name ?? '', fixed),
    },
  );
}

function trustNarrow(s: DoctorState): Check {
  const skipped = noRole(s);
  if (skipped) return check('IRSA005', 'skipped', skipped);
  const trust = trustOf(s);
  if (typeof trust === 'string') return check('IRSA005', 'skipped', trust);
  const { admits, overBroad } = evaluateTrust(trust, targetOf(s));
  // Narrow or not, a trust that does not admit the service account is IRSA004's failure.
  if (!admits)
    return check('IRSA005', 'skipped', `the trust does not admit ${subjectOf(s)} (see IRSA004)`);
  const scope = trustScope(trust, {
    providerArn: s.oidc.providerArn,
    issuerHostPath: s.oidc.hostPath,
  });
  const others = s.serviceAccounts
    .filter((sa) => !(sa.namespace === s.namespace && sa.name === s.name))
    .filter((sa) => evaluateTrust(trust, targetOf(s, sa)).admits)
    .map((sa) => `${sa.namespace}/${sa.name}`);
  const broadSubject = scope.statements.some((st) => st.subject !== 'exact');
  const details = [
    ...overBroad,
    ...(others.length
      ? [`it also admits these existing service accounts: ${others.join(', ')}`]
      : []),
    ...scope.otherProviders.map((p) => `it also trusts ${p} (another cluster's provider)`),
  ];
  if (details.length === 0) {
    return check('IRSA005', 'ok', `the trust admits only ${subjectOf(s)} of this cluster`);
  }
  const ours = rederivable(s, trust);
  const fix = ours
    ? rederiveFix(s)
    : otherBindingRole(s)
      ? repointFix(s)
      : updateTrustFix(s.context, s.role?.name ?? '', buildTrustPolicy(targetOf(s)));
  const failing = broadSubject || others.length > 0;
  // What is wrong in one line, statement by statement; the details and the fix say the rest.
  const wide = scope.statements.flatMap((st) =>
    st.subject === 'missing'
      ? [
          `statement ${st.statementIndex} has no condition on sub (any service account of the cluster)`,
        ]
      : st.subject === 'wildcard'
        ? [
            `statement ${st.statementIndex} matches sub with ${st.values.map((v) => JSON.stringify(v)).join(', ')}`,
          ]
        : [],
  );
  const loose = [
    ...scope.statements
      .filter((st) => !st.audienceChecked)
      .map((st) => `statement ${st.statementIndex} does not check aud`),
    ...(scope.otherProviders.length
      ? [`it also trusts ${scope.otherProviders.length} other cluster provider(s)`]
      : []),
  ];
  const count = others.length;
  const remedy = ours
    ? 'iamsa made the role: re-running its command restores the exact trust'
    : drifted(s, trust)
      ? `the role ${DRIFTED_IAMSA_TRUST}`
      : otherBindingRole(s)
        ? `the role is iamsa's for another binding: point ${saLabel(s)} at a role of its own`
        : `the fix replaces the trust with one statement for ${saLabel(s)} alone`;
  const summary = failing
    ? `the trust of ${s.role?.name} admits more than ${saLabel(s)}: ${[
        ...wide,
        ...(count
          ? [`${count} other existing service account${count > 1 ? 's' : ''} can assume it`]
          : []),
      ].join('; ')}; ${remedy}`
    : `the trust of ${s.role?.name} admits only ${saLabel(s)} but is looser than needed${loose.length ? `: ${loose.join('; ')}` : ''}; ${remedy}`;
  return check('IRSA005', failing ? 'fail' : 'warn', summary, { details, fix });
}

const injected = (pod: Pod) =>
  pod.containers.find((c) => c.env.some((e) => e.name === 'AWS_ROLE_ARN'));
const roleEnvOf = (pod: Pod) => injected(pod)?.env.find((e) => e.name === 'AWS_ROLE_ARN')?.value;

function podsAfterAnnotation(s: DoctorState): Check {
  if (!s.serviceAccount) return check('IRSA006', 'skipped', 'no service account (see IRSA002)');
  if (s.pods.length === 0) {
    return check('IRSA006', 'warn', `no pod in ${s.namespace} runs as ${s.name}`, {
      fix: `set serviceAccountName: ${s.name} in the pod template of the workload (kubectl -n ${s.namespace} patch deployment DEPLOYMENT -p '{"spec":{"template":{"spec":{"serviceAccountName":"${s.name}"}}}}')`,
    });
  }
  const value = annotation(s);
  if (value === undefined) {
    return check(
      'IRSA006',
      'skipped',
      `${s.pods.length} pod(s) run as ${saLabel(s)}, which has no role annotation`,
    );
  }
  const annotatedAt = s.serviceAccount.roleAnnotatedAt;
  const stale = s.pods.filter((pod) => {
    const env = roleEnvOf(pod);
    if (env !== undefined && env !== value) return true;
    return !!annotatedAt && !!pod.creationTimestamp && pod.creationTimestamp < annotatedAt;
  });
  if (stale.length) {
    return check(
      'IRSA006',
      'fail',
      `${stale.length} of ${s.pods.length} pod(s) started before the current annotation: the webhook sets credentials only when a pod is created`,
      {
        details: stale.map((pod) => {
          const env = roleEnvOf(pod);
          return `pod ${pod.name} (created ${pod.creationTimestamp ?? '?'}) ${env ? `still has AWS_ROLE_ARN=${env}` : `predates the annotation (${annotatedAt})`}`;
        }),
        fix: deletePodsFix(s, stale),
      },
    );
  }
  const bare = s.pods.filter((pod) => roleEnvOf(pod) === undefined).length;
  return check(
    'IRSA006',
    'ok',
    bare
      ? `${s.pods.length} pod(s) run as ${saLabel(s)}, none with an older role; ${bare} without web identity at all (see IRSA007)`
      : `${s.pods.length} pod(s) run as ${saLabel(s)}, all created after the annotation`,
  );
}

function webhookInjected(s: DoctorState): Check {
  if (!s.serviceAccount || annotation(s) === undefined)
    return check('IRSA007', 'skipped', 'no role annotation to inject (see IRSA002)');
  if (s.pods.length === 0) return check('IRSA007', 'skipped', 'no pod to look at (see IRSA006)');
  const details: string[] = [];
  const broken: Pod[] = [];
  for (const pod of s.pods) {
    const skip = new Set(
      (pod.annotations[SKIP_CONTAINERS_ANNOTATION] ?? '').split(',').map((x) => x.trim()),
    );
    const problems: string[] = [];
    const volume = pod.volumes.find((v) => v.name === TOKEN_VOLUME && v.tokens.length > 0);
    if (!volume) problems.push(`has no ${TOKEN_VOLUME} projected volume`);
    for (const c of pod.containers) {
      const missing = INJECTED.filter((n) => !c.env.some((e) => e.name === n));
      if (!c.volumeMounts.includes(TOKEN_VOLUME)) missing.push(`the ${TOKEN_VOLUME} mount`);
      if (missing.length === 0) continue;
      const why = skip.has(c.name) ? ` (it is listed in ${SKIP_CONTAINERS_ANNOTATION})` : '';
      problems.push(`container ${c.name} lacks ${missing.join(', ')}${why}`);
    }
    if (problems.length === 0) continue;
    broken.push(pod);
    const podIdentity = pod.containers.some((c) =>
      c.env.some((e) => e.name === 'AWS_CONTAINER_CREDENTIALS_FULL_URI'),
    );
    details.push(
      `pod ${pod.name} ${problems.join('; ')}${podIdentity ? '; it has AWS_CONTAINER_CREDENTIALS_FULL_URI: an EKS Pod Identity association for this service account takes precedence over IRSA' : ''}`,
    );
  }
  if (broken.length === 0) {
    return check(
      'IRSA007',
      'ok',
      `every container of ${s.pods.length} pod(s) has AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE and the ${TOKEN_VOLUME} volume`,
    );
  }
  details.push(
    'likely causes: the pod was created before the annotation (recreate it); the EKS pod identity webhook is not running or not called (kubectl get mutatingwebhookconfiguration pod-identity-webhook); the container is listed in eks.amazonaws.com/skip-containers; the container sets these variables itself; an EKS Pod Identity association takes precedence',
  );
  return check(
    'IRSA007',
    'fail',
    `the pod identity webhook did not inject web identity into ${broken.length} of ${s.pods.length} pod(s)`,
    {
      details,
      fix: deletePodsFix(s, broken),
    },
  );
}

function noStaticKeys(s: DoctorState): Check {
  if (s.pods.length === 0) return check('IRSA008', 'skipped', 'no pod to look at');
  const found = s.pods.flatMap((pod) =>
    pod.containers.flatMap((c) => {
      const names = c.env.filter((e) => STATIC_KEYS.includes(e.name)).map((e) => e.name);
      return names.length ? [`pod ${pod.name} container ${c.name} sets ${names.join(', ')}`] : [];
    }),
  );
  if (found.length === 0) {
    return check('IRSA008', 'ok', `no pod sets ${STATIC_KEYS.join(' or ')}`);
  }
  return check(
    'IRSA008',
    'fail',
    'static AWS keys in the environment come first in the SDK credential chain: these containers never use the role',
    {
      details: found,
      fix: `kubectl set env deployment/DEPLOYMENT -n ${s.namespace} ${STATIC_KEYS.map((k) => `${k}-`).join(' ')}`,
    },
  );
}

function tokenExpiration(s: DoctorState): Check {
  if (!s.serviceAccount) return check('IRSA009', 'skipped', 'no service account (see IRSA002)');
  const sources = [
    {
      where: `service account ${saLabel(s)}`,
      value: s.serviceAccount.annotations[TOKEN_EXPIRATION_ANNOTATION],
      fix: `kubectl annotate serviceaccount -n ${s.namespace} ${s.name} --overwrite ${TOKEN_EXPIRATION_ANNOTATION}=${DEFAULT_TOKEN_EXPIRATION}`,
    },
    ...s.pods.map((pod) => ({
      where: `pod ${pod.name}`,
      value: pod.annotations[TOKEN_EXPIRATION_ANNOTATION],
      fix: `set ${TOKEN_EXPIRATION_ANNOTATION}: "${DEFAULT_TOKEN_EXPIRATION}" (or remove it) in the pod template's annotations`,
    })),
  ].filter((x) => x.value !== undefined);
  const bad = sources.filter(
    (x) => !/^\d+$/.test(x.value ?? '') || Number(x.value) < MIN_TOKEN_EXPIRATION,
  );
  if (bad.length) {
    return check(
      'IRSA009',
      'warn',
      `${TOKEN_EXPIRATION_ANNOTATION} must be a number of seconds >= ${MIN_TOKEN_EXPIRATION}; the webhook raises smaller values to ${MIN_TOKEN_EXPIRATION}`,
      {
        details: bad.map((x) => `${x.where}: "${x.value}"`),
        fix: bad[0]?.fix,
      },
    );
  }
  const set = sources.map((x) => `${x.value} s on ${x.where}`);
  return check(
    'IRSA009',
    'ok',
    set.length ? set.join(', ') : `${DEFAULT_TOKEN_EXPIRATION} s (the webhook's default)`,
  );
}

function permissions(s: DoctorState): Check {
  const skipped = noRole(s);
  if (skipped) return check('IRSA010', 'skipped', skipped);
  const name = s.role?.name ?? '';
  const count = s.attachedPolicies.length + s.inlinePolicies.length;
  if (count === 0) {
    return check('IRSA010', 'fail', `role ${name} grants nothing: no managed or inline policy`, {
      fix: ownedRole(s)
        ? createServiceAccountFix(s.context, s.namespace, s.name, [], mechanismOfState(s))
        : attachPolicyFix(s.context, name),
    });
  }
  const policies = `policies: ${s.attachedPolicies.length} managed, ${s.inlinePolicies.length} inline`;
  const listed = [...s.attachedPolicies, ...s.inlinePolicies.map((p) => `inline ${p}`)];
  const ours = ownedRole(s) || sharedRole(s);
  // The fingerprint covers iamsa's own inline policy only: any other was made outside iamsa.
  const handInline = ours ? s.inlinePolicies.filter((p) => p !== INLINE_POLICY_NAME) : [];
  const drift = ours ? policiesDrift(s) : undefined;
  if (drift || handInline.length) return policiesDrifted(s, name, policies, handInline, drift);
  const unrecorded =
    ownedRole(s) && s.role?.tags[TAG_POLICIES] === undefined
      ? [
          'iamsa recorded no policies on this role (made before it did): re-run its create-serviceaccount command to record them',
        ]
      : [];
  return check('IRSA010', 'ok', policies, { details: [...listed, ...unrecorded] });
}

/**
 * Every policy on an iamsa role that iamsa did not put there, in one warning: attached outside
 * iamsa (the fingerprint's subset tells which), inline ones iamsa did not write, or, when the
 * subset cannot be found, a policy detached or iamsa's inline one edited. One fix line each.
 */
function policiesDrifted(
  s: DoctorState,
  name: string,
  policies: string,
  handInline: string[],
  drift: ReturnType<typeof policiesDrift>,
): Check {
  const added = drift?.added ?? [];
  // No subset matches the record: what iamsa applied was detached or edited.
  const changed = drift !== undefined && drift.added === undefined;
  const were = (items: string[]) => `${items.join(', ')} ${items.length > 1 ? 'were' : 'was'}`;
  const what = [
    ...(added.length ? [`${were(added)} attached outside iamsa`] : []),
    ...(handInline.length
      ? [
          `inline ${handInline.length > 1 ? 'policies' : 'policy'} ${were(handInline)} written outside iamsa`,
        ]
      : []),
    ...(changed
      ? [`a policy was detached, or ${INLINE_POLICY_NAME} was edited, outside iamsa`]
      : []),
  ];
  const record = drift
    ? ` (${TAG_POLICIES} records ${drift.recorded}, they are now ${drift.now})`
    : '';
  // Removing the drift, never recording it: a re-run of create-serviceaccount keeps policies
  // attached outside iamsa (it is left, and not recorded); apply -f makes them the file's.
  const rerun = sharedRole(s)
    ? `iamsa apply -f BINDINGS_FILE --approve  # apply -f makes the role's policies exactly the file's`
    : withNote(
        createFix(s, drift?.declared ?? []),
        'the command that made this binding, with the policies it declares',
      );
  const fixes = [
    ...added.map((arn) => detachPolicyFix(s.context, name, arn)),
    ...handInline.map((p) => deleteInlinePolicyFix(s.context, name, p)),
    ...(changed ? [rerun] : []),
  ];
  const marked = [
    ...s.attachedPolicies.map((arn) =>
      added.includes(arn) ? `${arn} (attached outside iamsa)` : arn,
    ),
    ...s.inlinePolicies.map(
      (p) => `inline ${p}${handInline.includes(p) ? ' (written outside iamsa)' : ''}`,
    ),
  ];
  return check(
    'IRSA010',
    'warn',
    `the policies of role ${name} changed since iamsa last applied them${record}: ${what.join('; ')}`,
    {
      details: [
        `now ${policies}`,
        ...marked,
        ...(added.length || handInline.length
          ? [
              "the fix removes each policy iamsa did not put there (detach-role-policy for one attached outside iamsa, delete-role-policy for an inline one); apply -f removes them too, iamsa's flags leave them",
            ]
          : []),
        ...(changed
          ? [
              `re-run the command that made the binding with exactly the policies it declares (a policy attached outside iamsa stays on a re-run of create-serviceaccount: detach it with aws iam detach-role-policy --role-name ${name} --policy-arn ARN)`,
            ]
          : []),
      ],
      fix: `${fixes.join(' && ')}; see the binding: ${getServiceAccountsFix(s.context, s.namespace, s.name)}`,
    },
  );
}

/**
 * The recorded fingerprint against the role's policies now, when they differ. When a subset of the
 * attached policies (and iamsa's inline one as it is) hashes to it, that subset is what iamsa
 * applied (`declared`) and the rest was attached outside it (`added`).
 */
function policiesDrift(
  s: DoctorState,
): { recorded: string; now: string; declared?: string[]; added?: string[] } | undefined {
  const recorded = s.role?.tags[TAG_POLICIES];
  if (recorded === undefined) return undefined;
  const inlinePolicy = s.inlinePolicies.includes(INLINE_POLICY_NAME) ? s.inlinePolicy : undefined;
  const now = policiesFingerprint({ managedArns: s.attachedPolicies, inlinePolicy });
  if (now === recorded) return undefined;
  const declared = recordedSubset(recorded, s.attachedPolicies, inlinePolicy);
  if (!declared) return { recorded, now };
  const added = [...new Set(s.attachedPolicies)].filter((a) => !declared.includes(a));
  return { recorded, now, declared, added };
}

function simulate(s: DoctorState): Check | undefined {
  const sim = s.simulation;
  if (!sim) return undefined;
  const skipped = noRole(s) ?? sim.unavailable;
  if (skipped) return check('IRSA011', 'skipped', skipped);
  const lines = sim.results.map(
    (r) =>
      `${r.action} on ${r.resource}: ${r.decision}${r.matchedPolicies.length ? ` (${r.matchedPolicies.join(', ')})` : ''}`,
  );
  const denied = sim.results.filter((r) => r.decision !== 'allowed');
  if (denied.length === 0) {
    return check('IRSA011', 'ok', `role ${s.role?.name} may ${sim.actions.join(', ')}`, {
      details: lines,
    });
  }
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [...new Set(denied.map((r) => r.action))],
        Resource: sim.resources.length ? sim.resources : '*',
      },
    ],
  };
  const explicit = denied.some((r) => r.decision === 'explicitDeny');
  return check(
    'IRSA011',
    'fail',
    `role ${s.role?.name} may not ${[...new Set(denied.map((r) => r.action))].join(', ')}${explicit ? ' (an explicit Deny: remove it first)' : ''}`,
    {
      details: [...lines, `a policy that allows them: ${JSON.stringify(policy)}`],
      fix: ownedRole(s)
        ? withNote(
            // The policy above as its inline policy: no placeholder to replace.
            createFix(s, undefined, true).replace(
              ' --attach-policy POLICY_FILE',
              ' --attach-policy policy.json',
            ),
            'policy.json: the policy above',
          )
        : `aws iam put-role-policy --role-name ${s.role?.name} --policy-name allow-${denied[0]?.action.replace(/[^A-Za-z0-9]/g, '-')} --policy-document ${quote(JSON.stringify(policy))}`,
    },
  );
}

export type { DoctorState } from './doctor-state.js';

export function runChecks(s: DoctorState): Check[] {
  if (s.lostAssociation) {
    return [noAssociation(s), noStaticKeys(s), permissions(s), simulate(s)].filter(
      (c): c is Check => c !== undefined,
    );
  }
  if (s.podIdentity) {
    // New pods get Pod Identity credentials: IRSA's provider, annotation and webhook do not matter.
    return [
      ...podIdentityChecks(s, s.podIdentity),
      noStaticKeys(s),
      permissions(s),
      simulate(s),
    ].filter((c): c is Check => c !== undefined);
  }
  return [
    provider(s),
    serviceAccount(s),
    roleExists(s),
    trustAdmits(s),
    trustNarrow(s),
    podsAfterAnnotation(s),
    webhookInjected(s),
    noStaticKeys(s),
    tokenExpiration(s),
    permissions(s),
    simulate(s),
    kube2iamCheck(s.context, s.role),
  ].filter((c): c is Check => c !== undefined);
}
