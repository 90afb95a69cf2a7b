// EKS Pod Identity associations of one cluster, with the checks, errors and pagination of the EKS
// API model (@aws-sdk/client-eks: CreatePodIdentityAssociationRequest, PodIdentityAssociation,
// ListPodIdentityAssociationsRequest/Response, ...).
import { randomBytes, randomUUID } from 'node:crypto';
import { EksError, invalidParameter } from './errors.js';

/** The model's PodIdentityAssociation, timestamps as epoch seconds (restJson1's default). */
export interface Association {
  clusterName: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  associationArn: string;
  associationId: string;
  tags: Record<string, string>;
  createdAt: number;
  modifiedAt: number;
  ownerArn?: string;
  disableSessionTags: boolean;
  targetRoleArn?: string;
  externalId?: string;
  policy?: string;
}

/** What the model's list call returns per association: no role, no times, no tags. */
export type AssociationSummary = Pick<
  Association,
  'clusterName' | 'namespace' | 'serviceAccount' | 'associationArn' | 'associationId' | 'ownerArn'
>;

export interface ClusterRef {
  name: string;
  arn: string;
}

/** Not adjustable (EKS service quotas). */
export const MAX_ASSOCIATIONS_PER_CLUSTER = 5000;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]+$/;
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

const newAssociationId = () =>
  `a-${[...randomBytes(17)].map((b) => ALNUM[b % ALNUM.length]).join('')}`;
const now = () => Date.now() / 1000;

export interface CreateInput {
  namespace?: unknown;
  serviceAccount?: unknown;
  roleArn?: unknown;
  clientRequestToken?: unknown;
  tags?: unknown;
  disableSessionTags?: unknown;
  targetRoleArn?: unknown;
  policy?: unknown;
  /** Set by CreateAddon for the associations an add-on owns. */
  ownerArn?: string;
}

export interface UpdateInput {
  roleArn?: unknown;
  clientRequestToken?: unknown;
  disableSessionTags?: unknown;
  targetRoleArn?: unknown;
  policy?: unknown;
}

export class Associations {
  private readonly byId = new Map<string, Association>();
  /** Idempotency: the token each association was created with. */
  private readonly tokens = new Map<string, string>();
  /** Creation order, for pagination tokens. */
  private readonly order = new Map<string, number>();
  private created = 0;

  constructor(private readonly cluster: ClusterRef) {}

  create(input: CreateInput): Association {
    const c = this.cluster.name;
    const namespace = requiredString(input.namespace, 'namespace', c);
    const serviceAccount = requiredString(input.serviceAccount, 'serviceAccount', c);
    const roleArn = this.checkRoleArn(requiredString(input.roleArn, 'roleArn', c), 'roleArn');
    const tags = checkTags(input.tags, c);
    const disableSessionTags = optionalBoolean(input.disableSessionTags, 'disableSessionTags', c);
    const targetRoleArn = optionalString(input.targetRoleArn, 'targetRoleArn', c);
    if (targetRoleArn) checkRoleArnShape(targetRoleArn, 'targetRoleArn', c);
    const policy = optionalString(input.policy, 'policy', c);
    checkPolicy(policy, disableSessionTags ?? false, c);
    const token = optionalString(input.clientRequestToken, 'clientRequestToken', c);
    const existing = [...this.byId.values()].find(
      (a) => a.namespace === namespace && a.serviceAccount === serviceAccount,
    );
    if (existing) {
      // A retried request (same token) gets the association it made; anyone else a conflict.
      if (token && this.tokens.get(existing.associationId) === token) return existing;
      throw new EksError(
        'ResourceInUseException',
        `Association already exists: ${existing.associationId}`,
        { clusterName: c },
      );
    }
    if (this.byId.size >= MAX_ASSOCIATIONS_PER_CLUSTER) {
      throw new EksError(
        'ResourceLimitExceededException',
        `Cluster ${c} already has ${MAX_ASSOCIATIONS_PER_CLUSTER} pod identity associations`,
        { clusterName: c },
      );
    }
    const associationId = newAssociationId();
    const created = now();
    const association: Association = {
      clusterName: c,
      namespace,
      serviceAccount,
      roleArn,
      associationArn: `${this.cluster.arn.replace(':cluster/', ':podidentityassociation/')}/${associationId}`,
      associationId,
      tags,
      createdAt: created,
      modifiedAt: created,
      ...(input.ownerArn ? { ownerArn: input.ownerArn } : {}),
      disableSessionTags: disableSessionTags ?? false,
      ...(targetRoleArn ? { targetRoleArn, externalId: randomUUID() } : {}),
      ...(policy ? { policy } : {}),
    };
    this.byId.set(associationId, association);
    this.order.set(associationId, ++this.created);
    if (token) this.tokens.set(associationId, token);
    return association;
  }

  describe(id: string): Association {
    const found = this.byId.get(id);
    if (!found) {
      throw new EksError(
        'ResourceNotFoundException',
        `No Pod Identity Association found with id ${id} in cluster ${this.cluster.name}`,
        { clusterName: this.cluster.name },
      );
    }
    return found;
  }

  update(id: string, input: UpdateInput): Association {
    const c = this.cluster.name;
    const current = this.describe(id);
    const roleArn = optionalString(input.roleArn, 'roleArn', c);
    const disableSessionTags = optionalBoolean(input.disableSessionTags, 'disableSessionTags', c);
    const targetRoleArn = optionalString(input.targetRoleArn, 'targetRoleArn', c);
    const policy = optionalString(input.policy, 'policy', c);
    optionalString(input.clientRequestToken, 'clientRequestToken', c);
    if (current.ownerArn) {
      throw new EksError(
        'InvalidRequestException',
        `Pod Identity Association ${id} is owned by ${current.ownerArn}; update it through the add-on`,
        { clusterName: c },
      );
    }
    const next: Association = { ...current, modifiedAt: now() };
    if (roleArn !== undefined) next.roleArn = this.checkRoleArn(roleArn, 'roleArn');
    if (disableSessionTags !== undefined) next.disableSessionTags = disableSessionTags;
    // An empty string removes the target role (and its external id).
    if (targetRoleArn === '') {
      delete next.targetRoleArn;
      delete next.externalId;
    } else if (targetRoleArn !== undefined) {
      checkRoleArnShape(targetRoleArn, 'targetRoleArn', c);
      next.externalId = current.targetRoleArn ? current.externalId : randomUUID();
      next.targetRoleArn = targetRoleArn;
    }
    if (policy === '') delete next.policy;
    else if (policy !== undefined) next.policy = policy;
    checkPolicy(next.policy, next.disableSessionTags, c);
    this.byId.set(id, next);
    return next;
  }

  delete(id: string): Association {
    const found = this.describe(id);
    this.byId.delete(id);
    this.tokens.delete(id);
    this.order.delete(id);
    return found;
  }

  /** One page, in creation order; the token is opaque to clients. */
  list(query: URLSearchParams): { associations: AssociationSummary[]; nextToken?: string } {
    const c = this.cluster.name;
    const maxText = query.get('maxResults');
    const max = maxText === null ? 100 : Number(maxText);
    if (!Number.isInteger(max) || max < 1 || max > 100) {
      throw invalidParameter('maxResults must be between 1 and 100', c);
    }
    const namespace = query.get('namespace');
    const serviceAccount = query.get('serviceAccount');
    const matching = [...this.byId.values()].filter(
      (a) =>
        (namespace === null || a.namespace === namespace) &&
        (serviceAccount === null || a.serviceAccount === serviceAccount),
    );
    const token = query.get('nextToken');
    const after = token === null ? undefined : decodeToken(token);
    if (token !== null && after === undefined)
      throw invalidParameter('The nextToken is invalid', c);
    // Continue after the position the token names, even if that association is gone meanwhile.
    const found = after === undefined ? 0 : matching.findIndex((a) => this.seq(a) > after);
    const start = found < 0 ? matching.length : found;
    const page = matching.slice(start, start + max);
    const last = page.at(-1);
    return {
      associations: page.map(summary),
      ...(start + max < matching.length && last ? { nextToken: encodeToken(this.seq(last)) } : {}),
    };
  }

  all(): Association[] {
    return [...this.byId.values()];
  }

  private seq(a: Association): number {
    return this.order.get(a.associationId) ?? 0;
  }

  private checkRoleArn(arn: string, member: string): string {
    const account = checkRoleArnShape(arn, member, this.cluster.name);
    const clusterAccount = this.cluster.arn.split(':')[4];
    if (account !== clusterAccount) {
      throw invalidParameter(
        `${member} ${arn} must be in the cluster's account ${clusterAccount}`,
        this.cluster.name,
      );
    }
    return arn;
  }
}

const summary = (a: Association): AssociationSummary => ({
  clusterName: a.clusterName,
  namespace: a.namespace,
  serviceAccount: a.serviceAccount,
  associationArn: a.associationArn,
  associationId: a.associationId,
  ...(a.ownerArn ? { ownerArn: a.ownerArn } : {}),
});

const encodeToken = (seq: number) => Buffer.from(JSON.stringify({ after: seq })).toString('base64');
function decodeToken(token: string): number | undefined {
  try {
    const { after } = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as {
      after?: unknown;
    };
    return typeof after === 'number' ? after : undefined;
  } catch {
    return undefined;
  }
}

function requiredString(value: unknown, member: string, cluster: string): string {
  if (typeof value !== 'string' || value === '') {
    throw invalidParameter(`${member} is required`, cluster);
  }
  return value;
}

function optionalString(value: unknown, member: string, cluster: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${member} must be a string`, cluster);
  return value;
}

function optionalBoolean(value: unknown, member: string, cluster: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidParameter(`${member} must be a boolean`, cluster);
  return value;
}

function checkRoleArnShape(arn: string, member: string, cluster: string): string {
  const m = ROLE_ARN.exec(arn);
  if (!m?.[1]) throw invalidParameter(`${member} ${arn} is not a valid IAM role ARN`, cluster);
  return m[1];
}

function checkPolicy(policy: string | undefined, disableSessionTags: boolean, cluster: string) {
  if (policy && !disableSessionTags) {
    throw invalidParameter('policy can only be set when disableSessionTags is true', cluster);
  }
}

/** The model's tag rules: at most 50, key 1-128 and value up to 256 characters, no aws: prefix. */
export function checkTags(value: unknown, cluster: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidParameter('tags must be a map', cluster);
  }
  const tags = value as Record<string, unknown>;
  const entries = Object.entries(tags);
  if (entries.length > 50) throw invalidParameter('at most 50 tags are allowed', cluster);
  for (const [k, v] of entries) {
    if (typeof v !== 'string') throw invalidParameter(`tag ${k} must have a string value`, cluster);
    if (k.length < 1 || k.length > 128 || v.length > 256) {
      throw invalidParameter(`tag ${k}: keys are 1-128 and values up to 256 characters`, cluster);
    }
    if (/^aws:/i.test(k) || /^aws:/i.test(v)) {
      throw invalidParameter(`tag ${k}: the aws: prefix is reserved`, cluster);
    }
  }
  return tags as Record<string, string>;
}
