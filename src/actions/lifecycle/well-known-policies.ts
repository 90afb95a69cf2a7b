// Use case: what the well-known policies are, and the exact documents one key stands for, so a
// security reviewer can read them before approving. Pure but for the one DescribeCluster that
// a --cluster asks for (the caller passes the cluster's description in).
import { coded, type Warning } from '../engine/warning-kinds.js';
import type { ClusterInfo } from '../../aws/eks.js';
import {
  buildWellKnown,
  checkWellKnown,
  FLAG_SCOPE_LABELS,
  PLACEHOLDER_CONTEXT,
  type PolicyDocument,
  type ScopeField,
  WELL_KNOWN_POLICIES,
  wellKnownPolicyName,
  type WellKnownScope,
} from '../../policy/index.js';
import { wellKnownContext } from '../binding/plan-well-known.js';
import { SCHEMA_VERSION } from '../engine/plan.js';

/** The default role name's shape, for the policy names a plain listing shows. */
export const DEFAULT_ROLE = 'iamsa-<cluster>-<namespace>-<name>';

export interface WellKnownSummary {
  key: string;
  grants: string;
  defaultScope: string;
  fields: Array<{ name: string; kind: ScopeField['kind']; required: boolean }>;
}

export function listWellKnown(): WellKnownSummary[] {
  return WELL_KNOWN_POLICIES.map((p) => ({
    key: p.key,
    grants: p.grants,
    defaultScope: p.defaultScope,
    fields: (p.fields ?? []).map((f) => ({
      name: f.name,
      kind: f.kind,
      required: f.kind === 'arns' && !!f.required,
    })),
  }));
}

export interface WellKnownDocuments {
  key: string;
  /** The cluster the documents are for; absent when placeholders stand in. */
  cluster?: string;
  managedPolicyArns: string[];
  /**
   * iamsa's customer-managed policies, named for the binding's default role name (a `--role-name`
   * without the `iamsa-` prefix gets it before: decisions/0009).
   */
  policies: Array<{ name: string; document: PolicyDocument }>;
  warnings: Warning[];
}

/** The documents `key` with `scope` would use on `cluster` (placeholders without one). */
export function describeWellKnown(
  key: string,
  scope: WellKnownScope,
  cluster?: ClusterInfo,
): WellKnownDocuments {
  const [checked] = checkWellKnown({ [key]: scope }, FLAG_SCOPE_LABELS);
  if (!checked) throw new Error('no key checked'); // checkWellKnown returns one per key
  const built = buildWellKnown(checked, cluster ? wellKnownContext(cluster) : PLACEHOLDER_CONTEXT);
  return {
    key: built.key,
    ...(cluster ? { cluster: cluster.arn } : {}),
    managedPolicyArns: built.managedArns,
    policies: built.documents.map((document, i) => ({
      name: wellKnownPolicyName(DEFAULT_ROLE, built.key, i + 1),
      document,
    })),
    warnings: built.warnings.map((w) => coded('IRSA-W020', w)),
  };
}

/** The -o json|yaml document (the list's `policies`, or one key's documents), versioned like every other. */
export const wellKnownDocument = <T extends object>(body: T) => ({
  schemaVersion: SCHEMA_VERSION,
  command: 'well-known-policies' as const,
  ...body,
});
