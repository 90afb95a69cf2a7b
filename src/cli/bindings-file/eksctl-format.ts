// An eksctl ClusterConfig (eksctl.io/v1alpha5) as it is: metadata, iam.withOIDC and
// iam.serviceAccounts map onto bindings of one cluster; everything else is eksctl's business
// (node groups, VPC, add-ons) and is ignored with one note.
import type { ClusterRef } from '../../actions/fleet/apply-input.js';
import type { BindingSpec, SpecField } from '../../actions/binding/spec.js';
import type { Defaults } from './defaults.js';
import {
  type Draft,
  type FileContext,
  checkTopTags,
  inlinePolicyOf,
  wellKnownOf,
  labelsOf,
  problemAt,
  whereOf,
} from './draft.js';
import type { SourceDocument, YamlPath } from './yaml-source.js';
import { validateClusterName } from '../../policy/index.js';
import { findWellKnown } from '../../policy/index.js';
import { closest } from '../../suggest.js';

/**
 * eksctl's `externalDNS: true` means every hosted zone. Read as-is, that is what the file asks
 * for: the required fields left empty become an explicit '*', which the plan flags as over-broad
 * (iamsa's own format requires the zones to be named).
 */
function asEksctlGrants(keys: BindingSpec['wellKnownPolicies']): BindingSpec['wellKnownPolicies'] {
  if (!keys) return keys;
  return Object.fromEntries(
    Object.entries(keys).map(([key, scope]) => {
      const required = (findWellKnown(key)?.fields ?? []).filter(
        (f) => f.kind === 'arns' && f.required && scope[f.name] === undefined,
      );
      return [key, { ...scope, ...Object.fromEntries(required.map((f) => [f.name, ['*']])) }];
    }),
  );
}

type Item = Record<string, unknown> & {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
};
interface ClusterConfig {
  metadata: { name: string; region?: string; tags?: Record<string, string> } & Record<
    string,
    unknown
  >;
  iam?: {
    withOIDC?: boolean;
    serviceAccounts?: Item[];
    podIdentityAssociations?: Array<Record<string, unknown>>;
  } & Record<string, unknown>;
  [section: string]: unknown;
}

const READ = {
  top: ['apiVersion', 'kind', 'metadata', 'iam'],
  metadata: ['name', 'region', 'tags'],
  iam: ['withOIDC', 'serviceAccounts', 'podIdentityAssociations'],
};

/**
 * The top-level sections of eksctl's ClusterConfig (eksctl.io/v1alpha5). iamsa ignores all but
 * metadata and iam with a note; a key near one of them is a typo, reported as a problem.
 */
const EKSCTL_SECTIONS = [
  'apiVersion',
  'kind',
  'metadata',
  'kubernetesNetworkConfig',
  'autoModeConfig',
  'remoteNetworkConfig',
  'iam',
  'iamIdentityMappings',
  'identityProviders',
  'accessConfig',
  'vpc',
  'addons',
  'addonsConfig',
  'privateCluster',
  'nodeGroups',
  'managedNodeGroups',
  'fargateProfiles',
  'availabilityZones',
  'localZones',
  'cloudWatch',
  'secretsEncryption',
  'status',
  'gitops',
  'karpenter',
  'outpost',
  'zonalShiftConfig',
];

/** Where each field of a binding lives in an iam.serviceAccounts item. */
const KEYS: Partial<Record<SpecField, YamlPath>> = {
  namespace: ['metadata', 'namespace'],
  name: ['metadata', 'name'],
  policyArns: ['attachPolicyARNs'],
  inlinePolicy: ['attachPolicy'],
  attachRoleArn: ['attachRoleARN'],
  roleName: ['roleName'],
  permissionsBoundary: ['permissionsBoundary'],
  tags: ['tags'],
  wellKnownPolicies: ['wellKnownPolicies'],
  wellKnownScope: ['wellKnownPolicies'],
  roleOnly: ['roleOnly'],
  subjectPattern: ['subjectPattern'],
  labels: ['metadata', 'labels'],
  annotations: ['metadata', 'annotations'],
};

/** Where each field of a binding lives in an iam.podIdentityAssociations item. */
const POD_IDENTITY_KEYS: Partial<Record<SpecField, YamlPath>> = {
  namespace: ['namespace'],
  name: ['serviceAccountName'],
  policyArns: ['permissionPolicyARNs'],
  inlinePolicy: ['permissionPolicy'],
  attachRoleArn: ['roleARN'],
  roleName: ['roleName'],
  permissionsBoundary: ['permissionsBoundaryARN'],
  tags: ['tags'],
  wellKnownPolicies: ['wellKnownPolicies'],
  wellKnownScope: ['wellKnownPolicies'],
  targetRoleArn: ['targetRoleARN'],
  disableSessionTags: ['disableSessionTags'],
};

const isEmpty = (v: unknown) =>
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);

/** Fields eksctl reads as unset when empty (its own config template writes them so). */
const EMPTY_IS_UNSET = {
  serviceAccounts: ['attachPolicy', 'attachPolicyARNs', 'wellKnownPolicies', 'tags'],
  podIdentityAssociations: [
    'permissionPolicy',
    'permissionPolicyARNs',
    'wellKnownPolicies',
    'tags',
  ],
} as const;

/**
 * Reads a ClusterConfig's IAM items the way eksctl does, before the schema check: empty
 * policies, lists and maps are unset; `roleName` beside `roleARN` is ignored (eksctl uses the
 * role as it is); `permissionPolicyName` is eksctl's name for the inline policy, which iamsa names
 * itself; an inline policy without `Version` is IAM's 2008-10-17 language. Returns one note per
 * thing read differently from how it is written.
 */
export function eksctlShapes(doc: SourceDocument, file: string): string[] {
  const iam = (doc.value as ClusterConfig | undefined)?.iam;
  if (typeof iam !== 'object' || iam === null) return [];
  const notes: string[] = [];
  for (const section of ['serviceAccounts', 'podIdentityAssociations'] as const) {
    const items = iam[section];
    if (!Array.isArray(items)) continue;
    items.forEach((item: Record<string, unknown>, i) => {
      if (typeof item !== 'object' || item === null) return;
      const where = (key: string) =>
        `${file}:${doc.lineOf(['iam', section, i, key], true) ?? '?'}: iam.${section}[${i}].${key}`;
      for (const key of EMPTY_IS_UNSET[section]) if (isEmpty(item[key])) delete item[key];
      const roleArnKey = section === 'serviceAccounts' ? 'attachRoleARN' : 'roleARN';
      if (item[roleArnKey] !== undefined && item.roleName !== undefined) {
        notes.push(`${where('roleName')} is ignored beside ${roleArnKey} (as eksctl does)`);
        delete item.roleName;
      }
      if (section === 'podIdentityAssociations' && item.permissionPolicyName !== undefined) {
        notes.push(
          `${where('permissionPolicyName')} is ignored: iamsa names the inline policy of its roles itself`,
        );
        delete item.permissionPolicyName;
      }
      const policyKey = section === 'serviceAccounts' ? 'attachPolicy' : 'permissionPolicy';
      const policy = item[policyKey];
      if (typeof policy === 'object' && policy !== null && !Array.isArray(policy)) {
        if ((policy as Record<string, unknown>).Version === undefined) {
          notes.push(
            `${where(policyKey)} has no Version: IAM reads it as version 2008-10-17, where policy variables (\${...}) do not work; add Version: "2012-10-17"`,
          );
          item[policyKey] = { Version: '2008-10-17', ...policy };
        }
      }
    });
  }
  return notes;
}

export interface EksctlResult {
  drafts: Draft[];
  enableOidc?: ClusterRef;
  note?: string;
}

export function eksctlDrafts(
  ctx: FileContext,
  doc: SourceDocument,
  defaults: Defaults,
  skip: Set<number> = new Set(),
): EksctlResult {
  const config = doc.value as ClusterConfig;
  const cluster: ClusterRef = {
    name: defaults.cluster(doc, ['metadata', 'name'], config.metadata.name),
    region:
      config.metadata.region !== undefined
        ? defaults.region(doc, ['metadata', 'region'], config.metadata.region)
        : defaults.defaultRegion,
  };
  const unread = Object.keys(config).filter((k) => !READ.top.includes(k));
  // A misspelt `iam` would drop every binding of the file (and --prune would delete them all).
  const typos = unread.filter((k) => {
    const near = EKSCTL_SECTIONS.includes(k) ? undefined : closest(k, EKSCTL_SECTIONS);
    if (near) problemAt(ctx, doc, [k], `unknown field "${k}"; did you mean "${near}"?`, true);
    return near !== undefined;
  });
  const ignored = [
    ...unread.filter((k) => !typos.includes(k)),
    ...Object.keys(config.metadata)
      .filter((k) => !READ.metadata.includes(k))
      .map((k) => `metadata.${k}`),
    ...Object.keys(config.iam ?? {})
      .filter((k) => !READ.iam.includes(k))
      .map((k) => `iam.${k}`),
  ];
  const where = doc.index ? `${ctx.file} (document ${doc.index + 1})` : ctx.file;
  const note = ignored.length
    ? `${where}: ignoring ${ignored.join(', ')} (iamsa applies metadata, iam.withOIDC, iam.serviceAccounts and iam.podIdentityAssociations of a ClusterConfig)`
    : undefined;
  const items = config.iam?.serviceAccounts ?? [];
  if (!items.length && !config.iam?.podIdentityAssociations?.length) {
    // Bindings check their cluster; a file of withOIDC alone is checked here, like --cluster.
    try {
      validateClusterName(config.metadata.name, 'metadata.name');
    } catch (error) {
      problemAt(ctx, doc, ['metadata', 'name'], error);
    }
  }
  const topTagsOk = checkTopTags(ctx, doc, config.metadata.tags, ['metadata', 'tags']);
  const drafts = items.flatMap((item, i): Draft[] => {
    if (skip.has(i)) return [];
    const before = ctx.problems.length;
    const base: YamlPath = ['iam', 'serviceAccounts', i];
    const at = (...p: YamlPath): YamlPath => [...base, ...p];
    const fields: Draft['fields'] = { cluster: ['metadata', 'name'], name: at('metadata', 'name') };
    const given = <T>(key: string, field: SpecField): T | undefined => {
      if (item[key] === undefined) return undefined;
      fields[field] = at(key);
      return item[key] as T;
    };
    if (item.metadata.namespace !== undefined) fields.namespace = at('metadata', 'namespace');
    const pattern = given<string>('subjectPattern', 'subjectPattern');
    if (pattern !== undefined && !defaults.allowSubjectPattern) {
      problemAt(
        ctx,
        doc,
        at('subjectPattern'),
        `subjectPattern ${JSON.stringify(pattern)} trusts every matching service account of the namespace; pass --allow-subject-pattern to accept that, or drop it for a trust of exactly ${item.metadata.name}`,
      );
    }
    const inline = inlinePolicyOf(
      ctx,
      doc,
      item.attachPolicy !== undefined
        ? { value: item.attachPolicy, path: at('attachPolicy') }
        : undefined,
      undefined,
    );
    if (inline.path) fields.inlinePolicy = inline.path;
    const ownTags = given<Record<string, string>>('tags', 'tags');
    // Tags of the whole file are for the roles iamsa makes, not for a role it only uses.
    const inherited = item.attachRoleARN === undefined ? config.metadata.tags : undefined;
    if (!ownTags && inherited) fields.tags = ['metadata', 'tags'];
    const roleOnly = given<boolean>('roleOnly', 'roleOnly') ?? false;
    const { labels, annotations } = item.metadata;
    if (labels) fields.labels = at('metadata', 'labels');
    if (annotations) fields.annotations = at('metadata', 'annotations');
    const spec: Draft['spec'] = {
      namespace: item.metadata.namespace ?? 'default',
      name: item.metadata.name,
      policyArns: given<string[]>('attachPolicyARNs', 'policyArns') ?? [],
      // eksctl's booleans (`autoScaler: true`) are the default scopes; a key that cannot be scoped
      // without names (externalDNS zones) gets eksctl's own grant, '*', flagged over-broad.
      wellKnownPolicies: asEksctlGrants(
        wellKnownOf(given('wellKnownPolicies', 'wellKnownPolicies')),
      ),
      inlinePolicy: inline.policy,
      permissionsBoundary: given('permissionsBoundary', 'permissionsBoundary'),
      // eksctl puts metadata.tags on every stack, and so on every role.
      tags: { ...inherited, ...ownTags },
      roleName: given('roleName', 'roleName'),
      attachRoleArn: given('attachRoleARN', 'attachRoleArn'),
      roleOnly,
      // eksctl creates a missing namespace; role-only makes no Kubernetes call at all.
      createNamespace: !roleOnly,
      overrideExisting: defaults.overrideExisting && !roleOnly,
      ...(labels || annotations
        ? { serviceAccountMetadata: { labels: labels ?? {}, annotations: annotations ?? {} } }
        : {}),
      ...(pattern !== undefined && defaults.allowSubjectPattern ? { subjectPattern: pattern } : {}),
      source: { where: whereOf(ctx, doc, base), labels: {}, eksctl: true },
    };
    // Bad top-level tags are reported once, at their line, not again by each service account.
    if (!topTagsOk) spec.tags = { ...ownTags };
    spec.source.labels = {
      ...labelsOf(base, KEYS, fields),
      ...(defaults.overrideExisting
        ? { overrideExisting: '--override-existing-serviceaccounts' }
        : {}),
    };
    return [
      {
        doc,
        base,
        clusters: [{ ...cluster, path: ['metadata', 'name'], label: 'metadata.name' }],
        spec,
        fields,
        ownTags,
        broken: ctx.problems.length > before,
      },
    ];
  });
  const associations = podIdentityDrafts(ctx, doc, config, cluster, defaults, topTagsOk);
  return {
    drafts: [...drafts, ...associations],
    enableOidc: config.iam?.withOIDC ? cluster : undefined,
    note,
  };
}

/**
 * iam.podIdentityAssociations[] as Pod Identity bindings. iamsa creates a missing service account
 * whatever `createServiceAccount` says: an association of a service account that does not exist
 * gives no pod anything.
 */
function podIdentityDrafts(
  ctx: FileContext,
  doc: SourceDocument,
  config: ClusterConfig,
  cluster: ClusterRef,
  defaults: Defaults,
  tagsOk: boolean,
): Draft[] {
  return (config.iam?.podIdentityAssociations ?? []).map((item, i): Draft => {
    const before = ctx.problems.length;
    const base: YamlPath = ['iam', 'podIdentityAssociations', i];
    const at = (...p: YamlPath): YamlPath => [...base, ...p];
    const fields: Draft['fields'] = { cluster: ['metadata', 'name'] };
    const given = <T>(key: string, field: SpecField): T | undefined => {
      if (item[key] === undefined) return undefined;
      fields[field] = at(key);
      return item[key] as T;
    };
    const inline = inlinePolicyOf(
      ctx,
      doc,
      item.permissionPolicy !== undefined
        ? { value: item.permissionPolicy, path: at('permissionPolicy') }
        : undefined,
      undefined,
    );
    if (inline.path) fields.inlinePolicy = inline.path;
    const ownTags = given<Record<string, string>>('tags', 'tags');
    const inherited = item.roleARN === undefined && tagsOk ? config.metadata.tags : undefined;
    if (!ownTags && inherited) fields.tags = ['metadata', 'tags'];
    const spec: Draft['spec'] = {
      mechanism: 'pod-identity',
      namespace: given<string>('namespace', 'namespace') ?? 'default',
      name: given<string>('serviceAccountName', 'name') ?? '',
      policyArns: given<string[]>('permissionPolicyARNs', 'policyArns') ?? [],
      wellKnownPolicies: asEksctlGrants(
        wellKnownOf(given('wellKnownPolicies', 'wellKnownPolicies')),
      ),
      inlinePolicy: inline.policy,
      permissionsBoundary: given('permissionsBoundaryARN', 'permissionsBoundary'),
      tags: { ...inherited, ...ownTags },
      roleName: given('roleName', 'roleName'),
      attachRoleArn: given('roleARN', 'attachRoleArn'),
      targetRoleArn: given('targetRoleARN', 'targetRoleArn'),
      disableSessionTags: given('disableSessionTags', 'disableSessionTags'),
      roleOnly: false,
      createNamespace: true,
      overrideExisting: defaults.overrideExisting,
      source: { where: whereOf(ctx, doc, base), labels: {} },
    };
    spec.source.labels = {
      ...labelsOf(base, POD_IDENTITY_KEYS, fields),
      ...(defaults.overrideExisting
        ? { overrideExisting: '--override-existing-serviceaccounts' }
        : {}),
    };
    return {
      doc,
      base,
      clusters: [{ ...cluster, path: ['metadata', 'name'], label: 'metadata.name' }],
      spec,
      fields,
      ownTags,
      broken: ctx.problems.length > before,
    };
  });
}
