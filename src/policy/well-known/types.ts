// The shape of a well-known policy: the AWS-managed policies a controller needs and the statements
// iamsa writes for it, scoped by default to what the cluster being bound makes its own. Pure data:
// a builder takes the scope and the cluster's partition, account, region and name.
import type { PolicyStatement } from '../policy-document.js';

/** Where the policy will live. Without a cluster, placeholders stand in (`<account>`). */
export interface WellKnownContext {
  partition: string;
  accountId: string;
  region: string;
  clusterName: string;
  /**
   * The roles `lookUpRoles` named, as the account answered: name -> ARN, or undefined when it has
   * no such role. Absent when they were not (or could not be) looked up.
   */
  roles?: ReadonlyMap<string, string | undefined>;
}

/**
 * A key's scope as given: field -> value(s). Flags give strings; files may give lists and
 * booleans. An empty scope means the defaults.
 */
export type WellKnownScope = Record<string, string | string[] | boolean>;

/** A scope field that takes ARNs (or `*`, which is allowed and flagged as over-broad). */
export interface ArnField {
  kind: 'arns';
  name: string;
  /** What one item is, for messages: `hosted zone`. */
  noun: string;
  /** The ARN service and resource prefix an item must have. */
  service: string;
  resourcePrefix: string;
  example: string;
  /** Without values the policy would make no sense (a DNS writer with no zones). */
  required?: boolean;
  /** What `*` stands for. */
  everything: (ctx: WellKnownContext) => string;
  /** The default when not given and not required, in words (for the listing). */
  defaultText?: string;
}

export interface ChoiceField {
  kind: 'choice';
  name: string;
  choices: readonly string[];
  default: string;
  description: string;
}

export interface FlagField {
  kind: 'flag';
  name: string;
  description: string;
}

export type ScopeField = ArnField | ChoiceField | FlagField;

/** A key's scope after checking: lists are lists, choices chosen, flags booleans. */
export interface ScopeValues {
  list(field: string): string[];
  choice(field: string): string;
  flag(field: string): boolean;
}

export interface WellKnownPolicy {
  /** eksctl's spelling for its seven keys, the same style for the rest. */
  key: string;
  /** What it grants, in one line. */
  grants: string;
  /** The default scope, in one line. */
  defaultScope: string;
  /** AWS-managed policies attached as they are (name with path, e.g. `service-role/X`). */
  managed?: (scope: ScopeValues) => string[];
  fields?: readonly ScopeField[];
  /** The statements of iamsa's customer-managed policy for this key; none means no policy. */
  statements?: (scope: ScopeValues, ctx: WellKnownContext) => PolicyStatement[];
  /**
   * Roles whose existence in the account decides a default (Karpenter's node role): the caller
   * looks them up into `ctx.roles` before building.
   */
  lookUpRoles?: (scope: ScopeValues, ctx: WellKnownContext) => string[];
  /** What the plan should say about the scope it assumed (e.g. a default resource name). */
  notes?: (scope: ScopeValues, ctx: WellKnownContext) => string[];
  /** A check across fields, after each field was checked (returns a problem, or undefined). */
  requires?: (scope: ScopeValues) => string | undefined;
}
