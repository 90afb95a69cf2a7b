// EKS add-ons of one cluster, as far as tests need them: CreateAddon, DescribeAddon, ListAddons and
// DeleteAddon with the model's shapes (Addon, AddonHealth, AddonPodIdentityAssociations).
import { randomUUID } from 'node:crypto';
import { EksError, invalidParameter } from './errors.js';
import { type Associations, checkTags, type ClusterRef } from './pod-identity.js';

export type AddonStatus =
  | 'ACTIVE'
  | 'CREATE_FAILED'
  | 'CREATING'
  | 'DEGRADED'
  | 'DELETE_FAILED'
  | 'DELETING'
  | 'UPDATE_FAILED'
  | 'UPDATING';

/** The model's Addon. */
export interface Addon {
  addonName: string;
  clusterName: string;
  status: AddonStatus;
  addonVersion: string;
  health: { issues: { code: string; message: string; resourceIds: string[] }[] };
  addonArn: string;
  createdAt: number;
  modifiedAt: number;
  serviceAccountRoleArn?: string;
  tags: Record<string, string>;
  configurationValues?: string;
  /** ARNs of the Pod Identity associations the add-on owns. */
  podIdentityAssociations: string[];
}

/** Add-ons EKS offers, with a current default version and the namespace they run in. */
const KNOWN: Record<string, { version: string; namespace: string }> = {
  'eks-pod-identity-agent': { version: 'v1.3.4-eksbuild.1', namespace: 'kube-system' },
  'vpc-cni': { version: 'v1.19.2-eksbuild.1', namespace: 'kube-system' },
  coredns: { version: 'v1.11.4-eksbuild.2', namespace: 'kube-system' },
  'kube-proxy': { version: 'v1.32.0-eksbuild.2', namespace: 'kube-system' },
  'aws-ebs-csi-driver': { version: 'v1.38.1-eksbuild.2', namespace: 'kube-system' },
  'aws-efs-csi-driver': { version: 'v2.1.4-eksbuild.1', namespace: 'kube-system' },
};

export interface CreateAddonInput {
  addonName?: unknown;
  addonVersion?: unknown;
  serviceAccountRoleArn?: unknown;
  tags?: unknown;
  configurationValues?: unknown;
  podIdentityAssociations?: unknown;
}

export class Addons {
  private readonly byName = new Map<string, Addon>();

  constructor(
    private readonly cluster: ClusterRef,
    private readonly associations: Associations,
  ) {}

  create(input: CreateAddonInput): Addon {
    const c = this.cluster.name;
    const name = input.addonName;
    if (typeof name !== 'string' || name === '') throw invalidParameter('addonName is required', c);
    const known = KNOWN[name];
    if (!known) throw invalidParameter(`Addon ${name} specified is not supported`, c);
    if (this.byName.has(name)) {
      throw new EksError('ResourceInUseException', `Addon already exists: ${name}`, {
        clusterName: c,
        addonName: name,
      });
    }
    const tags = checkTags(input.tags, c);
    const created = Date.now() / 1000;
    const addonArn = `${this.cluster.arn.replace(':cluster/', ':addon/')}/${name}/${randomUUID()}`;
    const links = Array.isArray(input.podIdentityAssociations)
      ? (input.podIdentityAssociations as { serviceAccount?: unknown; roleArn?: unknown }[])
      : [];
    const owned = links.map(
      (l) =>
        this.associations.create({
          namespace: known.namespace,
          serviceAccount: l.serviceAccount,
          roleArn: l.roleArn,
          ownerArn: addonArn,
        }).associationArn,
    );
    const addon: Addon = {
      addonName: name,
      clusterName: c,
      // EKS answers CREATING; the stored add-on is ACTIVE from then on (setStatus changes it).
      status: 'CREATING',
      addonVersion: typeof input.addonVersion === 'string' ? input.addonVersion : known.version,
      health: { issues: [] },
      addonArn,
      createdAt: created,
      modifiedAt: created,
      ...(typeof input.serviceAccountRoleArn === 'string'
        ? { serviceAccountRoleArn: input.serviceAccountRoleArn }
        : {}),
      tags,
      ...(typeof input.configurationValues === 'string'
        ? { configurationValues: input.configurationValues }
        : {}),
      podIdentityAssociations: owned,
    };
    this.byName.set(name, { ...addon, status: 'ACTIVE' });
    return addon;
  }

  describe(name: string): Addon {
    const found = this.byName.get(name);
    if (!found) {
      throw new EksError(
        'ResourceNotFoundException',
        `No addon: ${name} found in cluster: ${this.cluster.name}`,
        { clusterName: this.cluster.name, addonName: name },
      );
    }
    return found;
  }

  delete(name: string): Addon {
    const found = this.describe(name);
    this.byName.delete(name);
    for (const a of this.associations.all()) {
      if (a.ownerArn === found.addonArn) this.associations.delete(a.associationId);
    }
    return { ...found, status: 'DELETING' };
  }

  list(query: URLSearchParams): { addons: string[]; nextToken?: string } {
    const maxText = query.get('maxResults');
    const max = maxText === null ? 100 : Number(maxText);
    if (!Number.isInteger(max) || max < 1 || max > 100) {
      throw invalidParameter('maxResults must be between 1 and 100', this.cluster.name);
    }
    const names = [...this.byName.keys()];
    const token = query.get('nextToken');
    const start = token === null ? 0 : Number(Buffer.from(token, 'base64').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) {
      throw invalidParameter('The nextToken is invalid', this.cluster.name);
    }
    const end = start + max;
    return {
      addons: names.slice(start, end),
      ...(end < names.length ? { nextToken: Buffer.from(String(end)).toString('base64') } : {}),
    };
  }

  /** Test hook: an add-on that is still creating, degraded, failed... */
  setStatus(name: string, status: AddonStatus): void {
    const found = this.describe(name);
    this.byName.set(name, { ...found, status, modifiedAt: Date.now() / 1000 });
  }
}
