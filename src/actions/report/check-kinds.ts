// The kinds of doctor check, like audit's FINDING_KINDS: a stable id (scripts and docs refer to
// it), the title doctor prints, how serious a failure is, when it fails, and where docs/doctor.md
// explains it. Doctor takes each check's title and severity from here (check()), and
// `npm run docs` writes the table of docs/doctor.md from it: one table is the truth.
import { FINDING_KINDS, type FindingId } from './finding-kinds.js';
import type { Check, CheckStatus, Severity } from './report.js';

export interface CheckKind {
  title: string;
  /** How serious a failure of this check is (ok and skipped checks have none). */
  severity: Exclude<Severity, 'info'>;
  /** When it fails (or warns), for the table of docs/doctor.md (markdown). */
  failsWhen: string;
  /** The section of docs/doctor.md that says what it checks and how to fix it. */
  anchor: string;
  /** The audit finding it reports too: its severity is the finding's (one registry). */
  finding?: FindingId;
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-');
const irsa = (
  id: string,
  title: string,
  severity: CheckKind['severity'],
  failsWhen: string,
): CheckKind => ({
  title,
  severity,
  failsWhen,
  anchor: `docs/doctor.md#${slug(`${id} ${title}`)}`,
});
const podIdentity = (
  title: string,
  severity: CheckKind['severity'],
  failsWhen: string,
): CheckKind => ({
  title,
  severity,
  failsWhen,
  anchor: 'docs/doctor.md#eks-pod-identity-bindings',
});

export const CHECK_KINDS = {
  IRSA001: irsa(
    'IRSA001',
    'OIDC provider',
    'high',
    "no IAM OIDC provider for the cluster's issuer, or it lacks the audience (`sts.amazonaws.com`, or the service account's `eks.amazonaws.com/audience`)",
  ),
  IRSA002: irsa(
    'IRSA002',
    'service account',
    'high',
    "the service account does not exist, has no `eks.amazonaws.com/role-arn`, or its value is not a role ARN of the cluster's partition (warn: another account)",
  ),
  IRSA003: irsa(
    'IRSA003',
    'role',
    'high',
    'the role does not exist, or exists under another path than the annotation says',
  ),
  IRSA004: irsa(
    'IRSA004',
    'trust admits',
    'high',
    "the trust does not admit `system:serviceaccount:NS:SA` with the right audience from this cluster's provider; the details name each statement and why",
  ),
  IRSA005: irsa(
    'IRSA005',
    'trust is narrow',
    'high',
    "the trust has a wildcard or no `sub`, or admits other existing service accounts (warn: no `aud`, other clusters' providers)",
  ),
  IRSA006: irsa(
    'IRSA006',
    'pods restarted',
    'medium',
    "a pod started before the current annotation (it carries an older `AWS_ROLE_ARN`, or the API server's managedFields date the annotation after the pod) (warn: no pod)",
  ),
  IRSA007: irsa(
    'IRSA007',
    'webhook injected',
    'medium',
    'a pod lacks `AWS_ROLE_ARN`, `AWS_WEB_IDENTITY_TOKEN_FILE` or the `aws-iam-token` projected volume and mount',
  ),
  IRSA008: irsa(
    'IRSA008',
    'no static keys',
    'medium',
    "a container sets `AWS_ACCESS_KEY_ID` or `AWS_SECRET_ACCESS_KEY` (they come before web identity in every SDK's credential chain)",
  ),
  IRSA009: irsa(
    'IRSA009',
    'token lifetime',
    'low',
    '(warn only) `eks.amazonaws.com/token-expiration` on the service account or a pod is not a number >= 600',
  ),
  IRSA010: irsa(
    'IRSA010',
    'role permissions',
    'medium',
    "the role has no managed and no inline policy (warn: an iamsa role's policies changed outside iamsa since iamsa last applied them; the fix removes the drift)",
  ),
  IRSA011: irsa(
    'IRSA011',
    'simulated actions',
    'medium',
    'with `--simulate`: `iam:SimulatePrincipalPolicy` denies one of the actions to the role',
  ),
  PODID001: podIdentity(
    'agent add-on',
    'high',
    'the `eks-pod-identity-agent` add-on is missing or not `ACTIVE`/`UPDATING` (ok on EKS Auto Mode)',
  ),
  PODID002: podIdentity(
    'association',
    'high',
    "the association's service account does not exist (the details say when an EKS add-on owns the association, a target role, session tags off), or iamsa's Pod Identity role for the binding has no association (deleted by hand) and the service account no IRSA annotation",
  ),
  PODID003: podIdentity(
    'role',
    'high',
    "the association's role does not exist, or is not of the cluster's account",
  ),
  PODID004: podIdentity(
    'trust admits',
    'high',
    'no statement lets `pods.eks.amazonaws.com` `sts:AssumeRole` and `sts:TagSession` with conditions (`aws:SourceArn`, `aws:SourceAccount`, ...) that hold here',
  ),
  PODID005: {
    ...podIdentity(
      'trust is narrow',
      FINDING_KINDS.PODID103.severity,
      "another association of the cluster hands the role to another service account (FAIL on iamsa's role for this binding, with the `aws eks delete-pod-identity-association` command; warn on other roles); warn when the trust has no `aws:SourceArn` (or `aws:SourceAccount`) condition: other clusters' associations can use the role",
    ),
    finding: 'PODID103',
  },
  PODID006: podIdentity(
    'one mechanism',
    'low',
    '(warn only) the service account also has the IRSA annotation: new pods get Pod Identity; pods started before the association keep IRSA',
  ),
  PODID007: podIdentity(
    'pods get it',
    'medium',
    '(warn only) a pod running as the service account lacks `AWS_CONTAINER_CREDENTIALS_FULL_URI` (started before the association: recreate it), or none runs',
  ),
  KUBE2IAM001: {
    title: 'migration from kube2iam',
    severity: 'low',
    failsWhen:
      '(ok only) the role is mid-migration from kube2iam or kiam (`migrate-from-kube2iam`), or was migrated and cleaned up: says which, with the command that finishes it',
    anchor: 'docs/doctor.md#kube2iam001-migration-from-kube2iam',
  },
} as const satisfies Record<string, CheckKind>;

export type CheckId = keyof typeof CHECK_KINDS;

/**
 * One check's line, titled from the registry; a check that found something (warn, fail) carries
 * the registry's severity, and the audit finding it is; a fix is shown only for what did not pass.
 */
export function check(
  id: CheckId,
  status: CheckStatus,
  message: string,
  more: { fix?: string; details?: string[]; finding?: FindingId } = {},
): Check {
  const kind: CheckKind = CHECK_KINDS[id];
  const found = status === 'warn' || status === 'fail';
  // A check may say which finding it is (PODID005 handing out iamsa's role is PODID106).
  const finding = more.finding ?? kind.finding;
  return {
    id,
    title: kind.title,
    status,
    message,
    ...(more.fix && found ? { fix: more.fix } : {}),
    ...(more.details?.length ? { details: more.details } : {}),
    ...(found ? { severity: finding ? FINDING_KINDS[finding].severity : kind.severity } : {}),
    ...(found && finding ? { finding } : {}),
  };
}
