// A binding: one service account of one cluster bound to one IAM role. The spec is a document that
// does not care where it came from (flags, wizard answers, an item of a file); its source says what
// each field was called there, so an error can name `--attach-policy-arn` or
// `bindings[3].attachPolicyARNs`. Files are read by whoever knows about files, never by a use case.
import type { Mechanism, PolicyDocument, ScopeLabels, WellKnownScope } from '../../policy/index.js';

export type { Mechanism } from '../../policy/index.js';

export type SpecField =
  | 'cluster'
  | 'namespace'
  | 'name'
  | 'policyArns'
  | 'inlinePolicy'
  | 'wellKnownPolicies'
  | 'wellKnownScope'
  | 'attachRoleArn'
  | 'roleName'
  | 'rolePath'
  | 'permissionsBoundary'
  | 'tags'
  | 'roleOnly'
  | 'createNamespace'
  | 'overrideExisting'
  | 'detachPolicyArns'
  | 'removeInlinePolicy'
  | 'removePermissionsBoundary'
  | 'removeTags'
  | 'keepServiceAccount'
  | 'mechanism'
  | 'targetRoleArn'
  | 'disableSessionTags'
  | 'removeWellKnownPolicies'
  | 'subjectPattern'
  | 'labels'
  | 'annotations';

export interface SpecSource {
  /** Where the binding came from, for messages: `flags`, `bindings.yaml: bindings[3]`. */
  where: string;
  /** What each field is called there; a missing label falls back to the field's name. */
  labels: Partial<Record<SpecField, string>>;
  /** An eksctl ClusterConfig's iam.serviceAccounts entry: hints speak eksctl's fields. */
  eksctl?: true;
}

export interface InlinePolicy {
  document: PolicyDocument;
  /** Where the document came from, for the plan: `policy.json`, `bindings[3].attachPolicy`. */
  origin: string;
  /** The file it was read from, when it was (so a command line can name it again). */
  file?: string;
}

export interface BindingSpec {
  cluster: string;
  namespace: string;
  name: string;
  /** Managed policies to attach (AWS-managed or the account's own). */
  policyArns: string[];
  /** The inline policy iamsa keeps on the role (`iamsa-inline`). */
  inlinePolicy?: InlinePolicy;
  /**
   * Well-known controllers (`autoScaler`, `externalDNS`, ...) and each one's scope (`{}` for the
   * defaults), e.g. `{externalDNS: {hostedZoneARNs: ['arn:aws:route53:::hostedzone/Z1']}}`.
   * Keys match ignoring case; `iamsa well-known-policies` lists them.
   */
  wellKnownPolicies?: Record<string, WellKnownScope>;
  permissionsBoundary?: string;
  /** Extra tags for the role; iamsa adds its ownership tags. */
  tags: Record<string, string>;
  /** Default: derived from cluster, namespace and name. */
  roleName?: string;
  /** Default `/`. */
  rolePath?: string;
  /** Use this existing role as it is instead of creating one. */
  attachRoleArn?: string;
  /** Make the IAM role only; no Kubernetes call. */
  roleOnly: boolean;
  /** Re-point a service account already annotated with another role. */
  overrideExisting: boolean;
  createNamespace: boolean;
  /**
   * An update of an existing binding (update-serviceaccount): the role must exist and be iamsa's,
   * and these are taken away explicitly; nothing is removed because it was not restated.
   */
  update?: BindingRemovals;
  /**
   * The spec is the whole desired state of its role (apply -f): managed and inline policies and
   * well-known keys it does not list are removed. Flags (create-serviceaccount) only add.
   */
  declared?: boolean;
  /** How the service account gets the role; default `irsa` (the annotation). */
  mechanism?: Mechanism;
  /** Pod Identity only: a role (maybe of another account) the association's role chains to. */
  targetRoleArn?: string;
  /** Pod Identity only: no session tags (fixes PackedPolicyTooLarge; sets sts:ExternalId). */
  disableSessionTags?: boolean;
  /** Labels and annotations for a service account iamsa creates (eksctl files carry them). */
  serviceAccountMetadata?: { labels: Record<string, string>; annotations: Record<string, string> };
  /**
   * A wildcard over service account names in the trust (eksctl's subjectPattern): any matching
   * account of the namespace may assume the role. Files only, and only when explicitly allowed.
   */
  subjectPattern?: string;
  source: SpecSource;
}

export interface BindingRemovals {
  detachPolicyArns: string[];
  removeInlinePolicy: boolean;
  removePermissionsBoundary: boolean;
  removeTags: string[];
  /** Well-known keys to take away: their policies are detached and deleted. */
  removeWellKnownPolicies?: string[];
}

/** The name a field goes by where the spec came from. */
export const labelOf = (spec: Pick<BindingSpec, 'source'>, field: SpecField): string =>
  spec.source.labels[field] ?? field;

/** Labels of the create-serviceaccount / update-serviceaccount flags. */
export const FLAG_LABELS: SpecSource['labels'] = {
  cluster: '--cluster',
  namespace: '--namespace',
  name: '--name',
  policyArns: '--attach-policy-arn',
  inlinePolicy: '--attach-policy',
  wellKnownPolicies: '--well-known-policies',
  wellKnownScope: '--well-known-scope',
  attachRoleArn: '--attach-role-arn',
  roleName: '--role-name',
  rolePath: '--role-path',
  permissionsBoundary: '--permissions-boundary',
  tags: '--tags',
  roleOnly: '--role-only',
  createNamespace: '--create-namespace',
  overrideExisting: '--override-existing-serviceaccounts',
  detachPolicyArns: '--detach-policy-arn',
  removeInlinePolicy: '--remove-inline-policy',
  removePermissionsBoundary: '--remove-permissions-boundary',
  removeTags: '--remove-tags',
  keepServiceAccount: '--keep-serviceaccount',
  mechanism: '--mechanism',
  targetRoleArn: '--target-role-arn',
  disableSessionTags: '--disable-session-tags',
  removeWellKnownPolicies: '--remove-well-known-policies',
};

export const FLAGS_SOURCE: SpecSource = { where: 'flags', labels: FLAG_LABELS };

export const mechanismOf = (spec: Pick<BindingSpec, 'mechanism'>): Mechanism =>
  spec.mechanism ?? 'irsa';
/**
 * How keys and scope fields of well-known policies are named where the spec came from: a flag
 * (`--well-known-scope externalDNS.hostedZoneARNs=ARN`) or a path in a file
 * (`bindings[3].wellKnownPolicies.externalDNS.hostedZoneARNs`, when the file labels
 * wellKnownScope as `bindings[3].wellKnownPolicies`).
 */
export function scopeLabels(spec: Pick<BindingSpec, 'source'>): ScopeLabels {
  const scope = spec.source.labels.wellKnownScope ?? labelOf(spec, 'wellKnownPolicies');
  return {
    keys: labelOf(spec, 'wellKnownPolicies'),
    field: scope.startsWith('--')
      ? (key, field, placeholder) => `${scope} ${key}.${field}=${placeholder}`
      : (key, field) => `${scope}.${key}.${field}`,
  };
}

/** `namespace/name`: the key of a binding within its cluster (apply -f and --prune match by it). */
export const bindingKey = (b: { namespace: string; name: string }) => `${b.namespace}/${b.name}`;
