// iam:SimulatePrincipalPolicy's evaluation for the test ground, with iamsa's identity-policy
// evaluator: every statement of the role's policies, an explicit Deny winning, and the
// permissions boundary (when the role has one) limiting what they allow. One result per action
// as IAM answers today: the most restrictive decision over the resources at the top, each
// resource's own in ResourceSpecificResults.
import {
  type Decision,
  evaluateIdentityPolicies,
  normalizeStatements,
  type PolicyDocument,
} from '../../../src/policy/index.js';

/** A policy the role has: IAM names it by policy name and says what kind it is. */
export interface SourcePolicy {
  id: string;
  /** aws-managed, user-managed or role (inline), as IAM's PolicySourceType. */
  type: 'aws-managed' | 'user-managed' | 'role';
  document: PolicyDocument;
}

export type EvalDecision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export interface MatchedStatement {
  SourcePolicyId: string;
  SourcePolicyType: string;
}

export interface ResourceResult {
  EvalResourceName: string;
  EvalResourceDecision: EvalDecision;
  MatchedStatements: MatchedStatement[];
  MissingContextValues: string[];
  PermissionsBoundaryDecisionDetail?: { AllowedByPermissionsBoundary: boolean };
}

export interface EvaluationResult {
  EvalActionName: string;
  EvalResourceName: string;
  EvalDecision: EvalDecision;
  MatchedStatements: MatchedStatement[];
  MissingContextValues: string[];
  PermissionsBoundaryDecisionDetail?: { AllowedByPermissionsBoundary: boolean };
  ResourceSpecificResults?: ResourceResult[];
}

const RANK: Record<EvalDecision, number> = { allowed: 0, implicitDeny: 1, explicitDeny: 2 };

export function simulate(
  policies: SourcePolicy[],
  boundary: PolicyDocument | undefined,
  actions: string[],
  resources: string[],
): EvaluationResult[] {
  const targets = resources.length ? resources : ['*'];
  return actions.map((action) => {
    const each = targets.map((resource) => evaluateOne(policies, boundary, action, resource));
    const worst = each.reduce((a, b) =>
      RANK[b.EvalResourceDecision] > RANK[a.EvalResourceDecision] ? b : a,
    );
    return {
      EvalActionName: action,
      // IAM does not say which resource the aggregate names; the first one asked about.
      EvalResourceName: targets[0] ?? '*',
      EvalDecision: worst.EvalResourceDecision,
      MatchedStatements: worst.MatchedStatements,
      MissingContextValues: [],
      ...(worst.PermissionsBoundaryDecisionDetail
        ? { PermissionsBoundaryDecisionDetail: worst.PermissionsBoundaryDecisionDetail }
        : {}),
      ...(resources.length ? { ResourceSpecificResults: each } : {}),
    };
  });
}

function evaluateOne(
  policies: SourcePolicy[],
  boundary: PolicyDocument | undefined,
  action: string,
  resource: string,
): ResourceResult {
  const request = { action, resource };
  const identity = evaluateIdentityPolicies(
    policies.map((p) => p.document),
    request,
  );
  const limit = boundary ? evaluateIdentityPolicies([boundary], request) : 'allow';
  const decision: EvalDecision =
    identity === 'explicit-deny' || limit === 'explicit-deny'
      ? 'explicitDeny'
      : identity === 'allow' && limit === 'allow'
        ? 'allowed'
        : 'implicitDeny';
  // IAM lists the statements that decided: the Deny ones for a deny, the Allow ones otherwise.
  const wanted: Decision | undefined =
    decision === 'explicitDeny' ? 'explicit-deny' : decision === 'allowed' ? 'allow' : undefined;
  const matched = wanted
    ? policies.flatMap((p) =>
        normalizeStatements(p.document)
          .filter(
            (statement) =>
              evaluateIdentityPolicies([{ ...p.document, Statement: [statement] }], request) ===
              wanted,
          )
          .map(() => ({ SourcePolicyId: p.id, SourcePolicyType: p.type })),
      )
    : [];
  return {
    EvalResourceName: resource,
    EvalResourceDecision: decision,
    MatchedStatements: matched,
    MissingContextValues: [],
    ...(boundary
      ? { PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: limit === 'allow' } }
      : {}),
  };
}
