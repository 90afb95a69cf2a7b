// Coded warnings: a stable code at the start of a warning's text, so scripts and tests can match
// it (`IRSA-W001 ...`) however the words change: every warning an action emits has one (the
// Warning type holds it). Each has a short title and the docs that explain it; `npm run docs`
// writes the table of docs/apply.md#warnings from here.
export const WARNING_KINDS = {
  'IRSA-W001': {
    title: 'an IRSA binding undoes a migration to Pod Identity',
    anchor: 'docs/apply.md#declaring-the-mechanism',
  },
  'IRSA-W002': {
    title: 'the role has policies the flags did not ask for (left alone)',
    anchor: 'docs/apply.md#the-file-is-the-whole-state-of-its-roles',
  },
  'IRSA-W003': {
    title: 'the old role of a binding moved between one cluster and several',
    anchor: 'docs/apply.md#moving-a-binding-between-one-cluster-and-several',
  },
  'IRSA-W004': {
    title: 'over-broad trust from a subject pattern',
    anchor: 'docs/apply.md#eksctl-clusterconfig',
  },
  'IRSA-W005': {
    title: "more managed policies than IAM's default quota",
    anchor: 'docs/apply.md#warnings',
  },
  'IRSA-W006': {
    title: 'an association iamsa did not make for the binding hands out its role',
    anchor: 'docs/apply.md#associations-made-outside-the-binding',
  },
  'IRSA-W007': {
    title: 'the account-wide read of roles was refused: roles are read one by one',
    anchor: 'docs/performance.md',
  },
  'IRSA-W008': {
    title: "the kubeconfig's server is not the cluster's endpoint",
    anchor: 'docs/commands/create-serviceaccount.md',
  },
  'IRSA-W009': {
    title: 'a Pod Identity association iamsa did not make is left as it is',
    anchor: 'docs/commands/delete-serviceaccount.md',
  },
  'IRSA-W010': {
    title: 'the service account has both mechanisms: the delete removes both',
    anchor: 'docs/commands/delete-serviceaccount.md',
  },
  'IRSA-W011': {
    title: 'the IRSA annotation names a role iamsa will not delete: both are left',
    anchor: 'docs/commands/delete-serviceaccount.md',
  },
  'IRSA-W012': {
    title: "iamsa's role could not be looked for by its tags: only its default name was checked",
    anchor: 'docs/commands/delete-serviceaccount.md',
  },
  'IRSA-W013': {
    title: 'the service account now uses another role: it is left as it is',
    anchor: 'docs/commands/delete-serviceaccount.md',
  },
  'IRSA-W014': {
    title: 'pods still running as the service account could not be checked',
    anchor: 'docs/commands/delete-serviceaccount.md',
  },
  'IRSA-W015': {
    title: "pods still run with the role's credentials until they restart",
    anchor: 'docs/commands/delete-serviceaccount.md',
  },
  'IRSA-W016': {
    title: 'a well-known policy is kept: other roles, users or groups still have it',
    anchor: 'docs/decisions/0009-well-known-policy-names.md',
  },
  'IRSA-W017': {
    title: "a Pod Identity binding's service account still has the IRSA annotation",
    anchor: 'docs/doctor.md#eks-pod-identity-bindings',
  },
  'IRSA-W018': {
    title: 'a role of another account: its trust could not be read',
    anchor: 'docs/commands/create-serviceaccount.md',
  },
  'IRSA-W019': {
    title: 'the trust of a role given by ARN is broader than needed',
    anchor: 'docs/audit.md',
  },
  'IRSA-W020': {
    title: 'a note of a well-known policy (defaults taken for its scope, what it cannot narrow)',
    anchor: 'docs/commands/well-known-policies.md',
  },
  'IRSA-W021': {
    title: "a policy attached under a well-known policy's name is not iamsa's: left alone",
    anchor: 'docs/decisions/0009-well-known-policy-names.md',
  },
  'IRSA-W022': {
    title: 'part of the file is not read (eksctl sections iamsa ignores)',
    anchor: 'docs/apply.md#eksctl-clusterconfig',
  },
  'IRSA-W023': {
    title: 'IAM roles could not be listed to find the old roles of moved bindings',
    anchor: 'docs/apply.md#moving-a-binding-between-one-cluster-and-several',
  },
  'IRSA-W024': {
    title: "the OIDC provider is not iamsa's: its tags are left as they are",
    anchor: 'docs/commands/enable-oidc.md',
  },
  'IRSA-W025': {
    title: 'the namespace asked for does not exist',
    anchor: 'docs/commands/get-serviceaccounts.md',
  },
  'IRSA-W026': {
    title: 'the cluster has no IAM OIDC provider: no IRSA binding can work',
    anchor: 'docs/commands/get-serviceaccounts.md',
  },
  'IRSA-W027': {
    title: 'RBAC bindings could not be listed',
    anchor: 'docs/migrate-from-kube2iam.md',
  },
  'IRSA-W028': {
    title: "role names were resolved with the cluster's account",
    anchor: 'docs/migrate-from-kube2iam.md',
  },
  'IRSA-W029': {
    title: 'a role request the daemon refuses is not migrated',
    anchor: 'docs/migrate-from-kube2iam.md',
  },
  'IRSA-W030': {
    title: 'a role request is not migrated',
    anchor: 'docs/migrate-from-kube2iam.md',
  },
  'IRSA-W031': {
    title: 'a workload moves to another service account: its RBAC does not follow',
    anchor: 'docs/migrate-from-kube2iam.md',
  },
  'IRSA-W032': {
    title: 'a replicaset does not replace its pods: delete them',
    anchor: 'docs/migrate-from-kube2iam.md',
  },
  'IRSA-W033': {
    title: 'a role of the migration no longer exists',
    anchor: 'docs/migrate-from-kube2iam.md',
  },
  'IRSA-W034': {
    title: 'a role has no record of its trust before the migration off kube2iam',
    anchor: 'docs/migrate-from-kube2iam.md',
  },
  'IRSA-W035': {
    title: 'no pod asks the daemon for a role any more: it can be uninstalled',
    anchor: 'docs/migrate-from-kube2iam.md',
  },
  'IRSA-W036': {
    title: 'the daemon is still needed',
    anchor: 'docs/migrate-from-kube2iam.md',
  },
  'IRSA-W037': {
    title: 'a role has no record of its IRSA trust before the migration to Pod Identity',
    anchor: 'docs/commands/migrate-to-pod-identity.md',
  },
  'IRSA-W038': {
    title: 'a service account is skipped by the migration to Pod Identity',
    anchor: 'docs/commands/migrate-to-pod-identity.md',
  },
  'IRSA-W039': {
    title: "a role keeps its other mechanism's trust for service accounts not migrated in this run",
    anchor: 'docs/commands/migrate-to-pod-identity.md',
  },
  'IRSA-W040': {
    title: 'a service account of the rollback does not exist: no annotation to restore',
    anchor: 'docs/commands/migrate-to-pod-identity.md',
  },
  'IRSA-W041': {
    title: "a service account's annotation names another role: left as it is",
    anchor: 'docs/commands/migrate-to-pod-identity.md',
  },
  'IRSA-W042': {
    title: "the binding's name does not match its own subject pattern",
    anchor: 'docs/apply.md#eksctl-clusterconfig',
  },
  'IRSA-W043': {
    title: 'the tags of a role could not be read',
    anchor: 'docs/audit.md',
  },
  'IRSA-W044': {
    title: "a region's clusters could not be listed: the trusts of its providers are not judged",
    anchor: 'docs/audit.md',
  },
  'IRSA-W045': {
    title: "the OIDC provider does not list the service account's audience",
    anchor: 'docs/commands/create-serviceaccount.md',
  },
  'IRSA-W046': {
    title: 'no pod asks the daemon for a role, but a namespace restriction still lets new pods ask',
    anchor: 'docs/migrate-from-kube2iam.md',
  },
  'IRSA-W047': {
    title: 'a workload asks for a role the daemon could not hand out: not migrated',
    anchor: 'docs/migrate-from-kube2iam.md',
  },
  'IRSA-W048': {
    title: "a role carries iamsa's tags for the binding but its trust is not iamsa's: not deleted",
    anchor: 'docs/commands/delete-serviceaccount.md',
  },
  'IRSA-W049': {
    title: "a service account carries the migration's record without iamsa's label: left as it is",
    anchor: 'docs/migrate-from-kube2iam.md',
  },
  'IRSA-W050': {
    title:
      "a service account carries iamsa's label but names a role iamsa did not make for it: not pruned",
    anchor: 'docs/apply.md#--prune',
  },
  'IRSA-W051': {
    title: "a binding sets a service account annotation or label that is iamsa's to set: ignored",
    anchor: 'docs/apply.md#iamsas-format',
  },
  'IRSA-W052': {
    title:
      "a namespace's default service account is bound: every pod that names none gets the role",
    anchor: 'docs/commands/create-serviceaccount.md',
  },
  'IRSA-W053': {
    title: "a role has iamsa's migration tag without the migration it records: the tag is ignored",
    anchor: 'docs/commands/migrate-to-pod-identity.md',
  },
  'IRSA-W054': {
    title: 'a cluster a shared role records could not be read: its statement is not recognised',
    anchor: 'docs/concepts.md#ownership-rules',
  },
  'IRSA-W055': {
    title: 'the role has no readable record of the policies iamsa applied: none adopted',
    anchor: 'docs/apply.md#the-file-is-the-whole-state-of-its-roles',
  },
  'IRSA-W056': {
    title:
      'pods that started before the association still use IRSA: --remove-irsa would cut them off',
    anchor: 'docs/commands/migrate-to-pod-identity.md',
  },
  'IRSA-W057': {
    title:
      'a shared role keeps the statements of clusters the file no longer lists (until --prune)',
    anchor: 'docs/concepts.md#ownership-rules',
  },
  'IRSA-W058': {
    title: "a shared role has an iamsa.io/cluster-arn/ tag that is not iamsa's record: ignored",
    anchor: 'docs/concepts.md#ownership-rules',
  },
  'IRSA-W059': {
    title: '--detach-policy-arn names a policy the role does not have: nothing detached',
    anchor: 'docs/commands/update-serviceaccount.md',
  },
  'IRSA-W060': {
    title: 'the service account to delete does not exist: its nearest is named',
    anchor: 'docs/commands/delete-serviceaccount.md',
  },
  UNCHECKED_API_NOT_FOUND: {
    title: "an optional read's API is not at this endpoint: not checked",
    anchor: 'docs/output.md#what-could-not-be-checked',
  },
  UNCHECKED_ACCESS_DENIED: {
    title: 'an optional read was denied: not checked',
    anchor: 'docs/output.md#what-could-not-be-checked',
  },
  UNCHECKED_NOT_IMPLEMENTED: {
    title: 'an optional read is not implemented by this endpoint: not checked',
    anchor: 'docs/output.md#what-could-not-be-checked',
  },
} as const satisfies Record<string, { title: string; anchor: string }>;

export type WarningCode = keyof typeof WARNING_KINDS;

declare const codedBrand: unique symbol;
/**
 * A warning as actions emit it: its text with a registered code in front. Made only by coded(),
 * so the compiler holds that every warning (Reporter.warn, the documents' warnings) has a code.
 */
export type Warning = string & { readonly [codedBrand]: true };

/**
 * `IRSA-W001 text`: the warning with its code in front (`UNCHECKED_...: text` for what could not
 * be checked, the form docs/output.md has promised since those codes came).
 */
export const coded = (code: WarningCode, text: string): Warning =>
  (code.startsWith('UNCHECKED_') ? `${code}: ${text}` : `${code} ${text}`) as Warning;

/** The code a warning starts with. */
export const codeOf = (warning: Warning): WarningCode =>
  /^([A-Z][A-Z0-9_-]*?):? /.exec(warning)![1] as WarningCode;

/** A warning in the JSON and YAML documents, its code apart for scripts to match. */
export interface WarningDetail {
  code: WarningCode;
  message: string;
}

/** The documents' `warningDetails`: each warning (once) with its code. */
export const warningDetails = (warnings: readonly Warning[]): WarningDetail[] =>
  [...new Set(warnings)].map((w) => ({ code: codeOf(w), message: w }));
