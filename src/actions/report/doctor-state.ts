// What doctor gathered about one service account, read by the checks of both mechanisms.
import type { ClusterInfo } from '../../aws/eks.js';
import type { OidcProvider, Role, SimulationResult } from '../../aws/iam.js';
import type { Pod, ServiceAccount } from '../../kube/gateway.js';
import type { RoleArnParts } from '../../policy/index.js';
import type { ClusterOidc } from '../binding/cluster-oidc.js';
import type { PodIdentityFacts } from './doctor-pod-identity.js';
import type { CommandContext } from './fix-commands.js';

export interface DoctorState {
  context: CommandContext;
  cluster: ClusterInfo;
  oidc: ClusterOidc;
  provider?: OidcProvider;
  namespace: string;
  name: string;
  serviceAccount?: ServiceAccount;
  /** Every service account of the cluster: who else the trust lets in. */
  serviceAccounts: ServiceAccount[];
  /** Pods of the namespace that run as the service account. */
  pods: Pod[];
  /** The annotation read as a role ARN (when it is one). */
  roleArn?: RoleArnParts & { arn: string };
  role?: Role;
  /**
   * iamsa's role for this binding, read when the annotation names none (no annotation, or a role
   * iamsa made for another binding): the fix points the annotation at it.
   */
  ownRole?: Role;
  attachedPolicies: string[];
  inlinePolicies: string[];
  /** iamsa's inline policy (iamsa-inline) as IAM holds it, read when the role records its policies. */
  inlinePolicy?: string;
  simulation?: {
    actions: string[];
    resources: string[];
    results: SimulationResult[];
    /** Set when the simulation could not run (the API missing or denied): the warning. */
    unavailable?: string;
  };
  /** For a service account that does not exist: the nearest one that does (a typo's fix). */
  nearest?: { namespace: string; name: string };
  /**
   * iamsa's role for the binding (in `role`) is a Pod Identity role, but the service account has
   * neither an association nor an IRSA annotation: the association was deleted.
   */
  lostAssociation?: boolean;
  /** Set when the service account has a Pod Identity association: its checks run instead. */
  podIdentity?: PodIdentityFacts;
}
