// iamsa's own format (iamsa.io/v1alpha1, kind ServiceAccountBindings): bindings with top-level
// defaults for cluster, region and tags. The schema has already checked shapes and field names.
import type { SpecField } from '../../actions/binding/spec.js';
import {
  type Draft,
  type DraftCluster,
  type FileContext,
  checkTopTags,
  inlinePolicyOf,
  wellKnownOf,
  labelsOf,
  whereOf,
} from './draft.js';
import type { Defaults } from './defaults.js';
import { pathLabel, type SourceDocument, type YamlPath } from './yaml-source.js';

type Item = Record<string, unknown>;
type Top = { cluster?: string; region?: string; tags?: Record<string, string>; bindings: Item[] };

/** Where each field of a binding lives in an item. */
const KEYS: Partial<Record<SpecField, YamlPath>> = {
  cluster: ['clusters'],
  namespace: ['namespace'],
  name: ['name'],
  policyArns: ['attachPolicyARNs'],
  inlinePolicy: ['attachPolicy'],
  attachRoleArn: ['attachRoleARN'],
  roleName: ['roleName'],
  rolePath: ['rolePath'],
  permissionsBoundary: ['permissionsBoundary'],
  tags: ['tags'],
  wellKnownPolicies: ['wellKnownPolicies'],
  wellKnownScope: ['wellKnownPolicies'],
  roleOnly: ['roleOnly'],
  createNamespace: ['createNamespace'],
  mechanism: ['mechanism'],
  targetRoleArn: ['targetRoleARN'],
  disableSessionTags: ['disableSessionTags'],
};

export function iamsaDrafts(
  ctx: FileContext,
  doc: SourceDocument,
  defaults: Defaults,
  skip: Set<number> = new Set(),
): Draft[] {
  const top = doc.value as Top;
  const topCluster =
    top.cluster !== undefined ? defaults.cluster(doc, ['cluster'], top.cluster) : undefined;
  const topRegion =
    top.region !== undefined ? defaults.region(doc, ['region'], top.region) : undefined;
  const topTagsOk = checkTopTags(ctx, doc, top.tags, ['tags']);
  return top.bindings.flatMap((item, i): Draft[] => {
    if (skip.has(i)) return [];
    const before = ctx.problems.length;
    const base: YamlPath = ['bindings', i];
    const at = (...p: YamlPath): YamlPath => [...base, ...p];
    const fields: Draft['fields'] = {};
    const given = <T>(key: string, field: SpecField): T | undefined => {
      if (item[key] === undefined) return undefined;
      fields[field] = at(key);
      return item[key] as T;
    };
    const clusters: DraftCluster[] = [];
    const refs = item.clusters as Array<string | { name: string; region?: string }> | undefined;
    if (refs) {
      refs.forEach((ref, j) => {
        const path = at('clusters', j);
        const r = typeof ref === 'string' ? { name: ref } : ref;
        const name = defaults.cluster(doc, path, r.name);
        const regionPath = r.region !== undefined ? [...path, 'region'] : undefined;
        const region =
          regionPath && r.region !== undefined
            ? defaults.region(doc, regionPath, r.region)
            : (topRegion ?? defaults.defaultRegion);
        clusters.push({ name, region, path, regionPath, label: pathLabel(path) });
      });
      fields.cluster = at('clusters');
    } else if (topCluster !== undefined) {
      clusters.push({
        name: topCluster,
        region: topRegion ?? defaults.defaultRegion,
        path: ['cluster'],
        label: 'cluster',
      });
      fields.cluster = ['cluster'];
    } else if (defaults.flagCluster !== undefined) {
      fields.cluster = undefined;
      clusters.push({
        name: defaults.flagCluster,
        region: topRegion ?? defaults.defaultRegion,
        label: '--cluster',
      });
    } else {
      ctx.problems.push({
        line: doc.lineOf(base),
        path: pathLabel(base),
        message:
          'no cluster: give clusters: in the binding, cluster: at the top of the file, or --cluster',
      });
    }
    const inline = inlinePolicyOf(
      ctx,
      doc,
      item.attachPolicy !== undefined
        ? { value: item.attachPolicy, path: at('attachPolicy') }
        : undefined,
      item.attachPolicyFile !== undefined
        ? { value: item.attachPolicyFile as string, path: at('attachPolicyFile') }
        : undefined,
    );
    if (inline.path) fields.inlinePolicy = inline.path;
    const ownTags = given<Record<string, string>>('tags', 'tags');
    // Tags of the whole file are for the roles iamsa makes, not for a role it only uses.
    const inherited = item.attachRoleARN === undefined ? top.tags : undefined;
    if (!ownTags && inherited) fields.tags = ['tags'];
    const spec: Draft['spec'] = {
      namespace: given<string>('namespace', 'namespace') ?? 'default',
      name: given<string>('name', 'name') ?? '',
      policyArns: given<string[]>('attachPolicyARNs', 'policyArns') ?? [],
      wellKnownPolicies: wellKnownOf(given('wellKnownPolicies', 'wellKnownPolicies')),
      inlinePolicy: inline.policy,
      permissionsBoundary: given('permissionsBoundary', 'permissionsBoundary'),
      tags: { ...inherited, ...ownTags },
      roleName: given('roleName', 'roleName'),
      rolePath: given('rolePath', 'rolePath'),
      attachRoleArn: given('attachRoleARN', 'attachRoleArn'),
      roleOnly: given<boolean>('roleOnly', 'roleOnly') ?? false,
      createNamespace: given<boolean>('createNamespace', 'createNamespace') ?? false,
      overrideExisting: defaults.overrideExisting,
      mechanism: given('mechanism', 'mechanism'),
      targetRoleArn: given('targetRoleARN', 'targetRoleArn'),
      disableSessionTags: given('disableSessionTags', 'disableSessionTags'),
      ...(item.labels !== undefined || item.annotations !== undefined
        ? {
            serviceAccountMetadata: {
              labels: (item.labels as Record<string, string>) ?? {},
              annotations: (item.annotations as Record<string, string>) ?? {},
            },
          }
        : {}),
      source: { where: whereOf(ctx, doc, base), labels: {} },
    };
    spec.source.labels = {
      ...labelsOf(base, KEYS, fields),
      ...(defaults.overrideExisting
        ? { overrideExisting: '--override-existing-serviceaccounts' }
        : {}),
    };
    // Bad top-level tags are reported once, at their line, not again by each binding.
    if (!topTagsOk) spec.tags = { ...ownTags };
    const broken = ctx.problems.length > before;
    return [{ doc, base, clusters, spec, fields, ownTags, broken }];
  });
}
