// Plans the Kubernetes side of a binding: namespace and service account, annotated with the role
// for IRSA (Pod Identity needs no annotation: the association names the service account).
import { AlreadyExistsError, ConflictError, PreconditionError } from '../../errors.js';
import type { KubeGateway } from '../../kube/gateway.js';
import {
  ATTACHED_ROLE_ANNOTATION,
  defaultRoleName,
  MANAGED_BY_LABEL,
  parseArn,
  roleNameOf,
  sharedRoleName,
  MANAGED_BY_VALUE,
  ROLE_ARN_ANNOTATION,
  sameRoleArn,
} from '../../policy/index.js';
import { type PlanStep, step } from '../engine/plan.js';
import { FLAG_LABELS, labelOf } from './spec.js';
import type { CheckedBinding } from './check.js';
import type { ClusterSession } from './cluster-session.js';

export interface ServiceAccountState {
  namespaceExists: boolean;
  serviceAccount?: Awaited<ReturnType<KubeGateway['getServiceAccount']>>;
}

/** Reads the namespace (once per session) and the service account. */
export async function readServiceAccountState(
  session: ClusterSession,
  namespace: string,
  name: string,
): Promise<ServiceAccountState> {
  const kube = await session.kube();
  const [namespaceExists, serviceAccount] = await Promise.all([
    session.namespaceExists(namespace),
    session.reporter.progress(`Reading service account ${namespace}/${name}`, () =>
      kube.gateway.getServiceAccount(namespace, name),
    ),
  ]);
  return { namespaceExists, serviceAccount };
}

/**
 * iamsa's service account of a binding that moved between one cluster and several
 * (plan-moved.ts) goes from one of iamsa's default roles for the binding to the other.
 */
function movedFrom(
  input: CheckedBinding,
  labels: Record<string, string>,
  current: string,
  roleArn: string,
): boolean {
  if (!input.declared || labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) return false;
  const [from, to] = [parseArn(current), parseArn(roleArn)];
  if (!from || !to || from.accountId !== to.accountId) return false;
  const names = [
    defaultRoleName(input.cluster, input.namespace, input.name),
    sharedRoleName(input.namespace, input.name),
  ].map((n) => n.toLowerCase());
  return [roleNameOf(current), roleNameOf(roleArn)].every((n) => names.includes(n.toLowerCase()));
}

export function planServiceAccount(
  session: ClusterSession,
  kube: KubeGateway,
  input: CheckedBinding,
  state: ServiceAccountState,
  /** The role to annotate; undefined for Pod Identity. */
  roleArn: string | undefined,
): PlanStep[] {
  const { namespace, name } = input;
  const steps: PlanStep[] = [];
  // Annotated last, once the role has its permissions: a failed attachment stops the chain
  // before any pod is pointed at the role (binding-core.test.ts).
  const saPhase = 4;
  if (!state.namespaceExists) {
    // Another binding of the same run may create it; then this one waits for that step.
    if (!input.createNamespace && !session.namespaceAnnounced(namespace)) {
      throw new PreconditionError(
        `namespace ${namespace} does not exist in cluster ${input.cluster}`,
        {
          hint: `create it (kubectl create namespace ${namespace}), or pass ${labelOf(input, 'createNamespace')}`,
        },
      );
    }
    // Two bindings in one new namespace create it once.
    steps.push(
      session.sharedStep(`namespace:${namespace}`, () =>
        step({
          resource: 'namespace',
          id: namespace,
          action: 'create',
          changes: [],
          // Needs nothing from IAM: made while the role is (one round trip fewer).
          phase: 1,
          // Made meanwhile (another run) is what was wanted.
          run: () => kube.createNamespace(namespace).catch(ignoreAlreadyExists),
        }),
      ),
    );
  } else if (input.createNamespace) {
    // Asked for and already there: say so, so a re-run shows every resource it was asked about.
    steps.push(
      session.sharedStep(`namespace:${namespace}`, () =>
        step({ resource: 'namespace', id: namespace, action: 'unchanged', changes: [], phase: 1 }),
      ),
    );
  }
  const id = `${namespace}/${name}`;
  const sa = state.serviceAccount;
  if (!sa) {
    const extra = input.serviceAccountMetadata;
    const annotations: Record<string, string> = {
      ...extra?.annotations,
      ...(roleArn !== undefined ? { [ROLE_ARN_ANNOTATION]: roleArn } : {}),
      ...(roleArn !== undefined && input.attachRole ? { [ATTACHED_ROLE_ANNOTATION]: 'true' } : {}),
    };
    const labels = { ...extra?.labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
    steps.push(
      step({
        resource: 'service-account',
        id,
        action: 'create',
        changes: [
          ...Object.entries(annotations).map(([k, v]) => `annotation ${k}=${v}`),
          ...Object.entries(labels).map(([k, v]) => `label ${k}=${v}`),
        ],
        phase: saPhase,
        run: async () => {
          try {
            await kube.createServiceAccount(namespace, name, { annotations, labels });
          } catch (error) {
            if (!(error instanceof AlreadyExistsError)) throw error;
            // Made meanwhile: converge it like an existing one (a conflict stays a conflict).
            const now = await kube.getServiceAccount(namespace, name);
            if (!now) throw error;
            const again = planServiceAccount(
              session,
              kube,
              input,
              { namespaceExists: true, serviceAccount: now },
              roleArn,
            ).find((s) => s.resource === 'service-account');
            await again?.run?.();
          }
        },
      }),
    );
    return steps;
  }
  const current = sa.annotations[ROLE_ARN_ANNOTATION];
  // A role given with --attach-role-arn is marked, so a delete later knows not to delete it.
  const marker = input.attachRole ? 'true' : undefined;
  // Pod Identity needs no annotation: an existing service account stays as it is.
  if (
    roleArn === undefined ||
    (current === roleArn && sa.annotations[ATTACHED_ROLE_ANNOTATION] === marker)
  ) {
    steps.push(
      step({ resource: 'service-account', id, action: 'unchanged', changes: [], phase: saPhase }),
    );
    return steps;
  }
  // The same role spelled in another case is not someone else's role: normalise it, no override.
  if (
    current &&
    !sameRoleArn(current, roleArn) &&
    !input.overrideExisting &&
    !movedFrom(input, sa.labels, current, roleArn)
  ) {
    throw new ConflictError(`service account ${id} is already annotated with role ${current}`, {
      hint: `pass ${FLAG_LABELS.overrideExisting} to point it at ${roleArn ?? "this binding's role"} instead`,
    });
  }
  const changes = [
    current !== roleArn &&
      `annotation ${ROLE_ARN_ANNOTATION}: ${current ?? '(none)'} -> ${roleArn}`,
    sa.annotations[ATTACHED_ROLE_ANNOTATION] !== marker &&
      `annotation ${ATTACHED_ROLE_ANNOTATION}: ${sa.annotations[ATTACHED_ROLE_ANNOTATION] ?? '(none)'} -> ${marker ?? '(none)'}`,
  ].filter((c): c is string => !!c);
  steps.push(
    step({
      resource: 'service-account',
      id,
      action: 'update',
      changes,
      phase: saPhase,
      // Only the annotations are patched, guarded by resourceVersion: other metadata stays as it is.
      run: () =>
        kube.patchServiceAccount(
          namespace,
          name,
          {
            annotations: {
              [ROLE_ARN_ANNOTATION]: roleArn,
              [ATTACHED_ROLE_ANNOTATION]: marker ?? null,
            },
          },
          sa.resourceVersion,
        ),
    }),
  );
  return steps;
}

const ignoreAlreadyExists = (error: unknown) => {
  if (!(error instanceof AlreadyExistsError)) throw error;
};
