// The kinds of audit finding: stable ids (SARIF rule ids), titles and what each means.
import type { Severity } from './report.js';

export interface FindingKind {
  title: string;
  /** The severity it usually has (a wildcard sub is high or medium by breadth). */
  severity: Severity;
  description: string;
}

export const FINDING_KINDS = {
  IRSA101: {
    title: 'trust without sub',
    severity: 'high',
    description:
      'A trust statement for the cluster provider has no condition on the sub claim: every service account of the cluster can assume the role.',
  },
  IRSA102: {
    title: 'wildcard sub',
    severity: 'high',
    description:
      'A trust statement matches the sub claim with a StringLike wildcard: every service account it matches, now or later, can assume the role (high across namespaces, medium within one).',
  },
  IRSA103: {
    title: 'trust not bound to one audience',
    severity: 'medium',
    description:
      'A trust statement has no condition on the aud claim, or only a wildcard: tokens the cluster issued for any audience are accepted (medium). Or it names several audiences: a token issued for one of the others (given to another service) is accepted by AWS too (low).',
  },
  IRSA104: {
    title: 'stale trust',
    severity: 'medium',
    description:
      'The trust admits a service account that does not exist: whoever creates a service account of that name gets the role.',
  },
  IRSA105: {
    title: 'broken annotation',
    severity: 'medium',
    description:
      'A service account is annotated with a malformed role ARN, a role that does not exist, or a role whose trust does not admit it: its pods get no credentials.',
  },
  IRSA106: {
    title: 'trusts a gone cluster',
    severity: 'low',
    description:
      'The trust names an OIDC provider that no longer exists, or whose EKS cluster no longer exists.',
  },
  IRSA107: {
    title: 'one role for several workloads',
    severity: 'info',
    description:
      'Service accounts of several namespaces, or of several clusters, use one role: each gets every permission any of them needs, and CloudTrail cannot tell their actions apart. Give each service account a role of its own.',
  },
  IRSA108: {
    title: 'trust near size limit',
    severity: 'low',
    description:
      "The trust policy is within 10 % of IAM's default 2,048-character quota: the next statement may not fit.",
  },
  IRSA109: {
    title: 'unused service account',
    severity: 'info',
    description: 'A service account is annotated for IRSA, but no pod runs as it.',
  },
  IRSA110: {
    title: 'trust open to any AWS principal',
    severity: 'high',
    description:
      'Besides its web identity statements, the trust lets every AWS principal (Principal "*" or {"AWS": "*"}) assume the role with sts:AssumeRole: anyone in any account whose own policies allow it gets the role (medium when conditions narrow it).',
  },
  IRSA111: {
    title: "iamsa's role admits another service account",
    severity: 'high',
    description:
      "The trust of a role iamsa made for one binding (by its ownership tags) names another existing service account exactly (a hand-added StringEquals statement): that service account gets the binding's permissions. The IRSA counterpart of PODID106.",
  },
  PODID101: {
    title: 'no Pod Identity agent',
    severity: 'high',
    description:
      'The cluster has Pod Identity associations but the eks-pod-identity-agent add-on is missing or not ACTIVE: their pods get no credentials.',
  },
  PODID102: {
    title: 'broken association',
    severity: 'medium',
    description:
      'A Pod Identity association names a role that does not exist, or whose trust does not admit pods.eks.amazonaws.com for this cluster and account: its pods get no credentials.',
  },
  PODID103: {
    title: 'association role trusts any cluster',
    severity: 'medium',
    description:
      "The trust of an associated role has no aws:SourceArn (or aws:SourceAccount) condition: other clusters' (or accounts') associations can use the role.",
  },
  PODID104: {
    title: 'association without service account',
    severity: 'medium',
    description:
      'A Pod Identity association is for a service account that does not exist: whoever creates a service account of that name gets the role.',
  },
  PODID105: {
    title: 'both mechanisms',
    severity: 'info',
    description:
      'A service account has both a Pod Identity association and the IRSA annotation: new pods get Pod Identity credentials, older pods keep IRSA.',
  },
  PODID106: {
    title: "association hands iamsa's role to another service account",
    severity: 'high',
    description:
      "A Pod Identity association (made outside iamsa) names a role iamsa made for a different binding: the role's Pod Identity trust admits the whole cluster, so the association hands it to that service account.",
  },
  KUBE2IAM201: {
    title: 'kube2iam migration in progress',
    severity: 'info',
    description:
      'A role migrate-from-kube2iam gave IRSA statements still trusts the kube2iam node role or kiam server role it recorded: expected during the migration; every pod the daemon serves on those nodes can still ask for it. Run migrate-from-kube2iam --cleanup once no pod asks the daemon for the role.',
  },
} as const satisfies Record<string, FindingKind>;

export type FindingId = keyof typeof FINDING_KINDS;
