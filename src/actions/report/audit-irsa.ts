// The findings of `iamsa audit`, pure: every role whose trust admits this cluster's tokens,
// evaluated against every service account of the cluster (the full evaluator, not just
// StringEquals), plus what the annotations and pods say.
import type { RoleSummary as Role } from '../../aws/iam.js';
import type { Pod, ServiceAccount } from '../../kube/gateway.js';
import {
  AUDIENCE_ANNOTATION,
  buildTrustStatement,
  evaluateTrust,
  isManagedByIamsa,
  isPlainObject,
  KUBE2IAM_SA_ANNOTATION,
  normalizeStatements,
  parseSubject,
  type PolicyDocument,
  positiveConditions,
  type PolicyStatement,
  readAnnotation,
  ROLE_ARN_ANNOTATION,
  roleNameOf,
  roleOwner,
  sameRoleArn,
  STS_AUDIENCE,
  TAG_KUBE2IAM_MIGRATION,
  TRUST_POLICY_DEFAULT_LIMIT,
  tagsNameBinding,
  trustHoldsBindingStatement,
  buildTrustPolicy,
  trustPolicySize,
  trustScope,
  type TrustTarget,
} from '../../policy/index.js';
import type { ClusterInfo } from '../../aws/eks.js';
import type { ClusterOidc } from '../binding/cluster-oidc.js';
import {
  cloudTrailLookup,
  type CommandContext,
  annotateFix,
  createServiceAccountFix,
  DRIFTED_IAMSA_TRUST,
  ownRoleInsteadFix,
  updateTrustFix,
} from './fix-commands.js';
import { FINDING_KINDS } from './finding-kinds.js';
import { ownsBinding } from '../binding/owned-role.js';
import { type AuditedRole, type Finding, SEVERITIES } from './report.js';

export interface AuditState {
  context: CommandContext;
  cluster: ClusterInfo;
  oidc: ClusterOidc;
  /** Roles of the account with their parsed trust. */
  roles: { role: Role; trust: PolicyDocument }[];
  serviceAccounts: ServiceAccount[];
  pods: Pod[];
  /** Other providers named by trusts that are gone, with why (no provider, no cluster). */
  goneProviders: Map<string, string>;
  /**
   * The tags of the roles that had findings without them (ListRoles returns none): a binding
   * iamsa made is not a finding, and a finding on iamsa's role says so.
   */
  tags?: Map<string, Record<string, string>>;
}

const NEAR_LIMIT = 0.9;
const NEGATIVE_OPERATORS = new Set([
  'stringnotequals',
  'stringnotequalsignorecase',
  'stringnotlike',
]);
const key = (sa: { namespace: string; name: string }) => `${sa.namespace}/${sa.name}`;
const list = (items: string[], max = 5) =>
  items.length <= max
    ? items.join(', ')
    : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;

function targetFor(
  s: AuditState,
  sa: { namespace: string; name: string; annotations?: Record<string, string> },
): TrustTarget {
  return {
    providerArn: s.oidc.providerArn,
    issuerHostPath: s.oidc.hostPath,
    namespace: sa.namespace,
    serviceAccount: sa.name,
    audience: sa.annotations?.[AUDIENCE_ANNOTATION] || STS_AUDIENCE,
  };
}

/** The service accounts an exact statement names (for its fix); none for wildcards. */
const namedIn = (values: string[], subject: string): ServiceAccount[] =>
  subject !== 'exact'
    ? []
    : values.flatMap((v) => {
        const sa = parseSubject(v);
        return sa ? [{ ...sa, annotations: {}, labels: {} }] : [];
      });

/**
 * The narrow trust: the role's statements without the wide ones (`drop`: no or a wildcard sub,
 * an unchecked aud, open to every AWS principal), plus one exact statement for each service
 * account the role is meant for that what is kept does not admit. Every finding on a role prints
 * this one fix, so applying any of them leaves no wide statement behind.
 */
function narrowTrustFix(
  s: AuditState,
  role: Role,
  trust: PolicyDocument,
  drop: number[],
  meantFor: ServiceAccount[],
): string {
  const kept = normalizeStatements(trust).filter((_, i) => !drop.includes(i));
  const seen = new Set<string>();
  const missing = meantFor.filter((sa) => {
    if (seen.has(key(sa))) return false;
    seen.add(key(sa));
    return !evaluateTrust({ ...trust, Statement: kept }, targetFor(s, sa)).admits;
  });
  const statements = [...kept, ...missing.map((sa) => buildTrustStatement(targetFor(s, sa)))];
  if (!statements.some((st) => st.Effect === 'Allow')) {
    return `if nothing uses it, delete the role: detach its policies (aws iam list-attached-role-policies --role-name ${role.name}), then aws iam delete-role --role-name ${role.name}`;
  }
  return updateTrustFix(s.context, role.name, { ...trust, Statement: statements });
}

/**
 * The trust without one provider (statements left with no principal are dropped), and without
 * statements open to every AWS principal: a printed fix never keeps a wide statement.
 */
function withoutProvider(doc: PolicyDocument, arn: string, open: number[]): PolicyDocument {
  const statements = doc.Statement.flatMap((st, i): PolicyStatement[] => {
    if (open.includes(i)) return [];
    if (!isPlainObject(st.Principal) || st.Principal.Federated === undefined) return [st];
    const federated = ([] as string[]).concat(st.Principal.Federated);
    if (!federated.includes(arn)) return [st];
    const rest = federated.filter((f) => f !== arn);
    if (rest.length === 0) return [];
    return [
      {
        ...st,
        Principal: { ...st.Principal, Federated: rest.length === 1 ? (rest[0] as string) : rest },
      },
    ];
  });
  return { ...doc, Statement: statements };
}

/** iamsa's role for whom, in a few words. */
function iamsasRole(tags: Record<string, string>): string {
  const o = roleOwner(tags);
  const where = o.clusterArns ? `${o.clusterArns.length} clusters` : (o.cluster ?? o.clusterArn);
  return `iamsa's role for ${o.namespace}/${o.serviceAccount} of ${where}: re-run the iamsa command or file that made it`;
}

/**
 * The binding of this cluster whose iamsa tags a role carries while its trust no longer holds
 * iamsa's statement for it (the ownership rules): iamsa refuses the role until it is restored.
 */
function driftedBinding(
  s: AuditState,
  trust: PolicyDocument,
  tags: Record<string, string>,
): { namespace: string; name: string } | undefined {
  const o = roleOwner(tags);
  if (o.namespace === undefined || o.serviceAccount === undefined) return undefined;
  const b = { clusterArn: s.cluster.arn, namespace: o.namespace, name: o.serviceAccount };
  if (!tagsNameBinding(tags, b)) return undefined;
  return trustHoldsBindingStatement(trust, b, s.cluster.accountId, [s.oidc.providerArn])
    ? undefined
    : { namespace: b.namespace, name: b.name };
}

/**
 * The roles whose tags the IRSA111 check needs (ListRoles returns none), from a pass without
 * tags: those whose trust admits an existing service account not annotated with them, or several.
 */
export const rolesAdmittingOthers = (roles: AuditedRole[]): string[] =>
  roles
    .filter((r) => r.admits.length > 1 || r.admits.some((sa) => !r.annotatedBy.includes(sa)))
    .map((r) => r.arn);

/**
 * The service accounts a role declares besides its binding's: while migrating from kube2iam, those
 * the migration annotated with this role (its statements for them are the migration's). Never on
 * a role whose ownership tags name a binding: migrate-from-kube2iam never moves another service
 * account onto a role iamsa made for a binding, so the migration tag there excuses nobody.
 */
const kube2iamDeclared = (
  s: AuditState,
  role: Role,
  tags: Record<string, string>,
): ((sa: ServiceAccount) => boolean) =>
  tags[TAG_KUBE2IAM_MIGRATION] === undefined ||
  (roleOwner(tags).namespace !== undefined && roleOwner(tags).serviceAccount !== undefined)
    ? () => false
    : (sa) =>
        sa.annotations[KUBE2IAM_SA_ANNOTATION] !== undefined &&
        sameRoleArn(sa.annotations[ROLE_ARN_ANNOTATION] ?? '', role.arn);

function roleFindings(
  s: AuditState,
  role: Role,
  trust: PolicyDocument,
  admitted: ServiceAccount[],
  annotatedBy: ServiceAccount[],
): Finding[] {
  const findings: Finding[] = [];
  const tags = s.tags?.get(role.arn);
  const binding = (sa: { namespace: string; name: string }) =>
    !!tags &&
    ownsBinding(tags, {
      clusterArn: s.cluster.arn,
      cluster: s.cluster.name,
      namespace: sa.namespace,
      name: sa.name,
    });
  // Whose trust it is, in the finding's text: iamsa's drift is fixed by iamsa, not by hand,
  // unless the trust no longer holds iamsa's statement: then it is restored by hand first.
  const drift = tags ? driftedBinding(s, trust, tags) : undefined;
  const owner = drift
    ? ` (${role.name} ${DRIFTED_IAMSA_TRUST})`
    : tags && isManagedByIamsa(tags)
      ? ` (${iamsasRole(tags)})`
      : '';
  const add = (f: Omit<Finding, 'role'>) =>
    findings.push({ ...f, message: `${f.message}${owner}`, role: role.arn });
  const scope = trustScope(trust, {
    providerArn: s.oidc.providerArn,
    issuerHostPath: s.oidc.hostPath,
  });
  const open = scope.openStatements.map((o) => o.statementIndex);
  const wide = scope.statements.filter(
    (st) => st.subject !== 'exact' || !st.audienceChecked || st.audiences.length > 1,
  );
  // The service accounts the wide statements name exactly (an unchecked aud) keep their access.
  const named = wide.flatMap((st) => namedIn(st.values, st.subject));
  const sa = drift && s.serviceAccounts.find((a) => key(a) === key(drift));
  const fix = drift
    ? updateTrustFix(s.context, role.name, buildTrustPolicy(targetFor(s, sa || drift)))
    : narrowTrustFix(
        s,
        role,
        trust,
        [...open, ...wide.map((st) => st.statementIndex)],
        [...annotatedBy, ...named],
      );
  for (const o of scope.openStatements) {
    add({
      id: 'IRSA110',
      severity: o.conditioned ? 'medium' : 'high',
      title: FINDING_KINDS.IRSA110.title,
      message: `statement ${o.statementIndex} lets ${o.everyone ? 'every principal (any AWS principal or SAML provider, of any account)' : 'every AWS principal (of any account)'} assume the role with ${o.actions.join(', ')}${o.conditioned ? ', narrowed only by its conditions' : ''}`,
      fix,
    });
  }
  // Who each statement lets in on its own (with the Denies): the finding names the statement
  // that admits them, not the role's other statements' service accounts.
  const all = normalizeStatements(trust);
  const denies = all.filter((st) => st.Effect === 'Deny');
  const admittedBy = (i: number) =>
    admitted
      .filter(
        (sa) =>
          evaluateTrust({ ...trust, Statement: [all[i]!, ...denies] }, targetFor(s, sa)).admits,
      )
      .map(key);
  for (const st of scope.statements) {
    const names = st.subject === 'exact' ? [] : admittedBy(st.statementIndex);
    if (st.subject === 'missing') {
      // A negative sub condition (StringNotEquals) is a condition, but it admits all but a few.
      const except = positiveConditions(
        all[st.statementIndex]?.Condition,
        `${s.oidc.hostPath}:sub`,
        NEGATIVE_OPERATORS,
      );
      const what = except.length
        ? `admits every service account of cluster ${s.context.cluster} except ${except.map((c) => `${c.op.name} ${c.values.map((v) => JSON.stringify(v)).join(', ')}`).join(' and ')} on "${s.oidc.hostPath}:sub"`
        : `has no condition on "${s.oidc.hostPath}:sub": every service account of cluster ${s.context.cluster} can assume the role through it`;
      add({
        id: 'IRSA101',
        severity: 'high',
        title: FINDING_KINDS.IRSA101.title,
        message: `statement ${st.statementIndex} ${what} (${names.length} exist${names.length ? `: ${list(names)}` : ''})`,
        fix,
      });
    } else if (st.subject === 'wildcard') {
      add({
        id: 'IRSA102',
        severity: st.acrossNamespaces ? 'high' : 'medium',
        title: FINDING_KINDS.IRSA102.title,
        message: `statement ${st.statementIndex} matches sub with ${st.values.map((v) => JSON.stringify(v)).join(', ')}${st.acrossNamespaces ? ' across namespaces' : ' within one namespace'}: ${names.length} existing service account(s) match${names.length ? ` (${list(names)})` : ''}, and so will any new one that fits`,
        fix,
      });
    }
    if (!st.audienceChecked) {
      add({
        id: 'IRSA103',
        severity: 'medium',
        title: FINDING_KINDS.IRSA103.title,
        message: st.audienceWildcards.length
          ? `statement ${st.statementIndex} matches "${s.oidc.hostPath}:aud" only with ${st.audienceWildcards.map((v) => JSON.stringify(v)).join(', ')}: tokens issued for other audiences are accepted`
          : `statement ${st.statementIndex} has no condition on "${s.oidc.hostPath}:aud": tokens issued for any audience are accepted`,
        fix,
      });
    } else if (st.audiences.length > 1) {
      add({
        id: 'IRSA103',
        severity: 'low',
        title: FINDING_KINDS.IRSA103.title,
        message: `statement ${st.statementIndex} accepts ${st.audiences.length} audiences on "${s.oidc.hostPath}:aud" (${st.audiences.map((v) => JSON.stringify(v)).join(', ')}): a token the service account got for one of the others is accepted by AWS too; keep only the audience its pods ask for`,
        fix,
      });
    }
  }
  const existing = new Set(s.serviceAccounts.map(key));
  // The statements that name a subject exactly (IRSA104 drops them for a subject that is gone).
  const exactFor = (subject: { namespace: string; name: string }) =>
    scope.statements
      .filter(
        (st) =>
          st.subject === 'exact' &&
          namedIn(st.values, 'exact').some((n) => key(n) === key(subject)),
      )
      .map((st) => st.statementIndex);
  for (const subject of scope.exactSubjects) {
    // iamsa's --role-only binding waits for its service account: by design, not stale.
    if (existing.has(key(subject)) || binding(subject)) continue;
    if (!evaluateTrust(trust, targetFor(s, subject)).admits) continue;
    add({
      id: 'IRSA104',
      severity: 'medium',
      title: FINDING_KINDS.IRSA104.title,
      serviceAccount: key(subject),
      message: `the trust admits ${key(subject)}, which does not exist: whoever creates a service account of that name gets the role`,
      fix: narrowTrustFix(s, role, trust, [...open, ...exactFor(subject)], admitted),
    });
  }
  if (tags && isManagedByIamsa(tags)) {
    // iamsa's role handed to another existing service account by an exact statement (IRSA111).
    const made = roleOwner(tags);
    const declared = kube2iamDeclared(s, role, tags);
    const meantFor =
      made.namespace !== undefined && made.serviceAccount !== undefined
        ? [
            s.serviceAccounts.find(
              (sa) => sa.namespace === made.namespace && sa.name === made.serviceAccount,
            ) ?? {
              namespace: made.namespace,
              name: made.serviceAccount,
              annotations: {},
              labels: {},
            },
          ]
        : [];
    for (const sa of admitted) {
      if (binding(sa) || declared(sa)) continue;
      const through = exactFor(sa).filter((i) => admittedBy(i).includes(key(sa)));
      if (!through.length) continue;
      add({
        id: 'IRSA111',
        severity: 'high',
        title: FINDING_KINDS.IRSA111.title,
        serviceAccount: key(sa),
        message: `statement ${through.join(', ')} admits ${key(sa)} by name (StringEquals sub), but iamsa made the role for ${made.namespace}/${made.serviceAccount}: ${key(sa)} gets its permissions`,
        fix: narrowTrustFix(
          s,
          role,
          trust,
          [...open, ...exactFor(sa)],
          [...meantFor, ...annotatedBy.filter(binding)],
        ),
      });
    }
  }
  for (const arn of scope.otherProviders) {
    const gone = s.goneProviders.get(arn);
    if (!gone) continue;
    add({
      id: 'IRSA106',
      severity: 'low',
      title: FINDING_KINDS.IRSA106.title,
      message: `the trust names ${arn}, ${gone}`,
      fix: updateTrustFix(s.context, role.name, withoutProvider(trust, arn, open)),
    });
  }
  const users = [...admitted, ...annotatedBy];
  const namespaces = [...new Set(users.map((sa) => sa.namespace))].sort();
  // iamsa's role shared by several clusters is one binding in each: the clusters are by design.
  const sharedByIamsa = !!tags && roleOwner(tags).clusterArns !== undefined && users.every(binding);
  const liveOthers = sharedByIamsa
    ? []
    : scope.otherProviders.filter((p) => !s.goneProviders.has(p));
  if (namespaces.length > 1 || liveOthers.length > 0) {
    const spread = [
      namespaces.length > 1
        ? `service accounts of ${namespaces.length} namespaces (${list(namespaces)})`
        : '',
      liveOthers.length ? `${liveOthers.length + 1} clusters' providers` : '',
    ].filter(Boolean);
    add({
      id: 'IRSA107',
      severity: 'info',
      title: FINDING_KINDS.IRSA107.title,
      message: `one role serves ${spread.join(' and ')}: each of them gets every permission any of them needs, and CloudTrail shows the same role for all, so an action cannot be traced to its workload`,
      fix: `give each service account a role of its own with only what it needs (one command per service account, then drop it from this role's trust): ${createServiceAccountFix(s.context, 'NAMESPACE', 'NAME', [])}`,
    });
  }
  const size = trustPolicySize(trust);
  if (size >= NEAR_LIMIT * TRUST_POLICY_DEFAULT_LIMIT) {
    add({
      id: 'IRSA108',
      severity: 'low',
      title: FINDING_KINDS.IRSA108.title,
      message: `the trust policy is ${size} of ${TRUST_POLICY_DEFAULT_LIMIT} characters (IAM's default quota, whitespace not counted): another statement may not fit`,
      fix: `split the role, or raise the quota: aws service-quotas request-service-quota-increase --service-code iam --quota-code L-C07B4B0D --desired-value 4096`,
    });
  }
  return findings;
}

function annotationFindings(
  s: AuditState,
  sa: ServiceAccount,
  roles: AuditState['roles'],
): Finding[] {
  const value = sa.annotations[ROLE_ARN_ANNOTATION];
  if (value === undefined) return [];
  const findings: Finding[] = [];
  const base = {
    serviceAccount: key(sa),
    severity: 'medium' as const,
    id: 'IRSA105',
    title: FINDING_KINDS.IRSA105.title,
  };
  const read = readAnnotation(value);
  if (read && 'problem' in read) {
    findings.push({
      ...base,
      message: `${ROLE_ARN_ANNOTATION} is not a well-formed role ARN: ${read.problem}`,
      fix: `kubectl annotate serviceaccount -n ${sa.namespace} ${sa.name} --overwrite ${ROLE_ARN_ANNOTATION}=arn:${s.cluster.partition}:iam::${s.cluster.accountId}:role/ROLE_NAME`,
    });
    return findings;
  }
  if (!read || read.arn.accountId !== s.cluster.accountId) return findings;
  const found = roles.find((r) => sameRoleArn(r.role.arn, value));
  const elsewhere = found
    ? undefined
    : roles.find((r) => r.role.name.toLowerCase() === roleNameOf(value).toLowerCase());
  if (elsewhere) {
    findings.push({
      ...base,
      role: value,
      message: `annotated with ${value}, but the role is ${elsewhere.role.arn} (another path): STS finds no such role`,
      fix: `kubectl annotate serviceaccount -n ${sa.namespace} ${sa.name} --overwrite ${ROLE_ARN_ANNOTATION}=${elsewhere.role.arn}`,
    });
  } else if (!found) {
    findings.push({
      ...base,
      role: value,
      message: `annotated with role ${roleNameOf(value)}, which does not exist: its pods cannot get credentials`,
      fix: createServiceAccountFix(s.context, sa.namespace, sa.name, []),
    });
  } else {
    const evaluation = evaluateTrust(found.trust, targetFor(s, sa));
    const tags = s.tags?.get(found.role.arn);
    const ref = (n: { namespace: string; name: string }) => ({
      clusterArn: s.cluster.arn,
      cluster: s.cluster.name,
      namespace: n.namespace,
      name: n.name,
    });
    if (!evaluation.admits && tags && isManagedByIamsa(tags) && !ownsBinding(tags, ref(sa))) {
      // iamsa's role for another binding: widening its trust would hand it to whoever annotated.
      const own = roles.find((r) => {
        const t = s.tags?.get(r.role.arn);
        return !!t && ownsBinding(t, ref(sa));
      });
      findings.push({
        ...base,
        role: found.role.arn,
        message: `annotated with ${found.role.name}, ${iamsasRole(tags).split(':')[0]}, whose trust does not admit it (and is not widened for it): ${evaluation.problems[0] ?? ''}`,
        fix: own
          ? annotateFix(sa.namespace, sa.name, own.role.arn)
          : `${ownRoleInsteadFix(s.context, sa.namespace, sa.name, found.role.name)} (or remove the annotation: kubectl annotate serviceaccount -n ${sa.namespace} ${sa.name} ${ROLE_ARN_ANNOTATION}-)`,
      });
    } else if (!evaluation.admits) {
      findings.push({
        ...base,
        role: found.role.arn,
        message: `annotated with ${found.role.name}, whose trust does not admit it: ${evaluation.problems[0] ?? ''}`,
        fix: updateTrustFix(s.context, found.role.name, {
          ...found.trust,
          Statement: [...found.trust.Statement, buildTrustStatement(targetFor(s, sa))],
        }),
      });
    }
  }
  if (!s.pods.some((p) => p.namespace === sa.namespace && p.serviceAccountName === sa.name)) {
    findings.push({
      id: 'IRSA109',
      severity: 'info',
      title: FINDING_KINDS.IRSA109.title,
      serviceAccount: key(sa),
      role: found?.role.arn ?? value,
      message: `annotated for IRSA, but no pod runs as it`,
      fix: `run the workload with serviceAccountName: ${sa.name}, or delete it if unused: kubectl delete serviceaccount -n ${sa.namespace} ${sa.name}`,
    });
  }
  return findings;
}

export function auditFindings(s: AuditState): { findings: Finding[]; roles: AuditedRole[] } {
  const findings: Finding[] = [];
  const roles: AuditedRole[] = [];
  const annotated = s.serviceAccounts.filter(
    (sa) => sa.annotations[ROLE_ARN_ANNOTATION] !== undefined,
  );
  for (const { role, trust } of s.roles) {
    const scope = trustScope(trust, {
      providerArn: s.oidc.providerArn,
      issuerHostPath: s.oidc.hostPath,
    });
    const annotatedBy = annotated.filter((sa) =>
      sameRoleArn(sa.annotations[ROLE_ARN_ANNOTATION] ?? '', role.arn),
    );
    if (scope.statements.length === 0) continue;
    const admitted = s.serviceAccounts.filter(
      (sa) => evaluateTrust(trust, targetFor(s, sa)).admits,
    );
    findings.push(...roleFindings(s, role, trust, admitted, annotatedBy));
    roles.push({
      arn: role.arn,
      admits: admitted.map(key),
      annotatedBy: annotatedBy.map(key),
      cloudTrail: cloudTrailLookup(s.context, role.arn),
    });
  }
  for (const sa of annotated) findings.push(...annotationFindings(s, sa, s.roles));
  return {
    findings: sortFindings(findings),
    roles: roles.sort((a, b) => a.arn.localeCompare(b.arn)),
  };
}

/** Most severe first, then by kind and role: a stable order for reports and diffs. */
export function sortFindings(findings: Finding[]): Finding[] {
  const rank = (f: Finding) => SEVERITIES.indexOf(f.severity);
  return findings.sort(
    (a, b) =>
      rank(a) - rank(b) || a.id.localeCompare(b.id) || (a.role ?? '').localeCompare(b.role ?? ''),
  );
}
