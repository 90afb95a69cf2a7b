// A binding as read from a file, before its values are checked: the spec, the clusters, and the
// path of each field so that every problem names its line and path.
import { resolve } from 'node:path';
import {
  type ApplyBinding,
  checkApplyBinding,
  type ClusterRef,
} from '../../actions/fleet/apply-input.js';
import {
  type BindingSpec,
  type InlinePolicy,
  labelOf,
  type SpecField,
} from '../../actions/binding/spec.js';
import { checkGiven } from '../../actions/binding/check.js';
import { INPUT_LIMITS, readInputFile } from '../../input-file.js';
import {
  defaultRoleName,
  MANAGED_BY_LABEL,
  parsePolicyJson,
  ROLE_ARN_ANNOTATION,
  sharedRoleName,
  validateClusterName,
  validatePolicyDocument,
  validateServiceAccountMetadata,
  TAG_PREFIX,
  validateTags,
  checkNoReservedTags,
} from '../../policy/index.js';
import { pathLabel, type Problem, type SourceDocument, type YamlPath } from './yaml-source.js';

export interface DraftCluster extends ClusterRef {
  /** Where the name came from: a path in the file, or a flag. */
  path?: YamlPath;
  /** Where its region came from, when the cluster's own entry gave one. */
  regionPath?: YamlPath;
  label: string;
}

export interface Draft {
  doc: SourceDocument;
  /** The item's own path: `bindings[3]`, `iam.serviceAccounts[0]`. */
  base: YamlPath;
  clusters: DraftCluster[];
  spec: Omit<BindingSpec, 'cluster'>;
  /** The path of each field that was given. */
  fields: Partial<Record<SpecField, YamlPath>>;
  /** The item's own tags (top-level tags are checked once, by checkTopTags). */
  ownTags?: Record<string, string>;
  /** Reading the item found problems already (a missing policy file): no whole-binding check. */
  broken: boolean;
}

export interface FileContext {
  /** As messages name it: the path the user gave, or `stdin` for `-`. */
  file: string;
  /** The folder relative paths in the file (attachPolicyFile) are read from. */
  dir: string;
  problems: Problem[];
  /** Keys of a binding's service account metadata that are iamsa's to set: left out, warned. */
  ignored: string[];
}

/** `{autoScaler: true, externalDNS: {hostedZoneARNs: [...]}}` as specs take it (false: left out). */
export const wellKnownOf = (value: Record<string, boolean | object> | undefined) =>
  value &&
  (Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== false)
      .map(([k, v]) => [k, v === true ? {} : v]),
  ) as BindingSpec['wellKnownPolicies']);

/** `bindings.yaml: bindings[3]`, with the document's number in a file of several. */
export const whereOf = (ctx: FileContext, doc: SourceDocument, base: YamlPath) =>
  `${ctx.file}${doc.index ? ` (document ${doc.index + 1})` : ''}: ${pathLabel(base)}`;

/** A problem at a path: a message, or an error (whose hint comes along). */
export function problemAt(
  ctx: FileContext,
  doc: SourceDocument,
  path: YamlPath,
  problem: string | unknown,
  key = false,
): void {
  const e: { message: string; hint?: string } =
    typeof problem === 'string' ? { message: problem } : (problem as Error & { hint?: string });
  ctx.problems.push({
    line: doc.lineOf(path, key),
    path: pathLabel(path),
    message: e.message,
    ...(e.hint ? { hint: e.hint } : {}),
  });
}

/**
 * The labels of a draft: every field the format has, named by its path under the item (so hints
 * can name fields that were not given), and the given fields by where they actually are.
 */
export function labelsOf(
  base: YamlPath,
  keys: Partial<Record<SpecField, YamlPath>>,
  fields: Draft['fields'],
): BindingSpec['source']['labels'] {
  const labels: BindingSpec['source']['labels'] = {};
  for (const [field, key] of Object.entries(keys)) {
    labels[field as SpecField] = pathLabel([...base, ...key]);
  }
  for (const [field, path] of Object.entries(fields)) {
    // A field given outside the file (--cluster) has no path: it goes by the flag's name.
    labels[field as SpecField] = path ? pathLabel(path) : `--${field}`;
  }
  return labels;
}

/** An inline document (`attachPolicy`) or a JSON file next to the bindings file. */
export function inlinePolicyOf(
  ctx: FileContext,
  doc: SourceDocument,
  inline: { value: unknown; path: YamlPath } | undefined,
  file: { value: string; path: YamlPath } | undefined,
): { policy?: InlinePolicy; path?: YamlPath } {
  if (inline && file) {
    problemAt(ctx, doc, file.path, `give ${pathLabel(inline.path)} or attachPolicyFile, not both`);
    return {};
  }
  try {
    if (inline) {
      const origin = pathLabel(inline.path);
      return {
        policy: { document: validatePolicyDocument(inline.value, origin), origin },
        path: inline.path,
      };
    }
    if (file) {
      const full = resolve(ctx.dir, file.value);
      const text = readInputFile(full, pathLabel(file.path), { limit: INPUT_LIMITS.policy });
      return {
        policy: { document: parsePolicyJson(text, file.value), origin: file.value, file: full },
        path: file.path,
      };
    }
  } catch (error) {
    problemAt(ctx, doc, (inline ?? file)!.path, error);
  }
  return {};
}

/** Tags for every binding of a document, checked once at their own line; false when bad. */
export function checkTopTags(
  ctx: FileContext,
  doc: SourceDocument,
  tags: Record<string, string> | undefined,
  path: YamlPath,
): boolean {
  try {
    if (tags) validateTags(tags, pathLabel(path));
    // Reported here, at their own line, not later at each binding that inherits them.
    if (tags) checkNoReservedTags(tags);
    return true;
  } catch (error) {
    problemAt(ctx, doc, path, error);
    return false;
  }
}

const SINGLE_FIELDS: SpecField[] = [
  'namespace',
  'name',
  'permissionsBoundary',
  'attachRoleArn',
  'roleName',
  'rolePath',
  'subjectPattern',
  'wellKnownPolicies',
];

/**
 * Every value problem of a draft: each field on its own first (so one binding reports all its
 * bad values, each at its line), then the binding as a whole for each of its clusters.
 */
/** The role annotation, and iamsa's own (`iamsa.io/attached-role`, the migrations' records). */
const isReservedAnnotation = (key: string) =>
  key === ROLE_ARN_ANNOTATION || key.startsWith(TAG_PREFIX);

export function checkDraft(ctx: FileContext, d: Draft): ApplyBinding | undefined {
  const before = ctx.problems.length;
  const fail = (path: YamlPath | undefined, error: unknown) =>
    problemAt(ctx, d.doc, path ?? d.base, error);
  const attempt = (path: YamlPath | undefined, check: () => unknown) => {
    try {
      check();
    } catch (error) {
      fail(path, error);
    }
  };
  for (const c of d.clusters) {
    attempt(c.path, () => validateClusterName(c.name, c.label));
  }
  const source = d.spec.source;
  for (const field of SINGLE_FIELDS) {
    const value = d.spec[field as keyof Draft['spec']];
    if (value === undefined) continue;
    attempt(d.fields[field], () => checkGiven({ source, [field]: value }));
  }
  const meta = d.spec.serviceAccountMetadata;
  if (meta) {
    // What marks iamsa's objects and hands out a role is iamsa's to write, never the file's.
    for (const [part, keys] of [
      ['annotation', Object.keys(meta.annotations).filter(isReservedAnnotation)],
      ['label', Object.keys(meta.labels).filter((k) => k === MANAGED_BY_LABEL)],
    ] as const) {
      for (const key of keys) {
        ctx.ignored.push(
          `${d.spec.source.where}: ${part} ${key} is iamsa's to set (the binding's role and ownership): ignored`,
        );
        delete (part === 'label' ? meta.labels : meta.annotations)[key];
      }
    }
    // Each at its own line, as the API server would refuse them (after the role was made).
    const what = { labels: labelOf(d.spec, 'labels'), annotations: labelOf(d.spec, 'annotations') };
    attempt(d.fields.labels, () => validateServiceAccountMetadata(meta, what, 'labels'));
    attempt(d.fields.annotations, () => validateServiceAccountMetadata(meta, what, 'annotations'));
  }
  const ownTags = d.ownTags;
  if (ownTags) {
    attempt(d.fields.tags, () => {
      checkGiven({ source, tags: ownTags });
      checkNoReservedTags(ownTags);
    });
  }
  const arnsPath = d.fields.policyArns;
  d.spec.policyArns.forEach((arn, i) => {
    const path = arnsPath ? [...arnsPath, i] : undefined;
    const labels = { ...source.labels, policyArns: path ? pathLabel(path) : 'policyArns' };
    attempt(path, () => checkGiven({ source: { ...source, labels }, policyArns: [arn] }));
  });
  if (ctx.problems.length > before || d.broken) return undefined;
  // Whole-binding rules (combinations, no permissions, too many policies, reserved tags, what a
  // shared role takes), checked once for each cluster: apply plans these checked bindings.
  try {
    const checked = checkApplyBinding(d.spec, d.clusters);
    return {
      clusters: d.clusters.map(({ name, region }) => ({ name, region })),
      spec: d.spec,
      checked,
    };
  } catch (error) {
    fail(d.base, error);
    return undefined;
  }
}

/**
 * The same namespace/name twice for one cluster is a mistake, and so is one role for two bindings:
 * a roleName given twice, or two default names that come out the same (`b-c/d` and `b/c-d`).
 */
export function checkDuplicates(ctx: FileContext, drafts: Draft[]): void {
  const seen = new Map<string, Draft>();
  const roles = new Map<string, { d: Draft; cluster: DraftCluster }>();
  const line = (d: Draft) => d.doc.lineOf(d.base);
  for (const d of drafts) {
    const { namespace, name } = d.spec;
    for (const c of d.clusters) {
      const key = `${c.name}\u0000${c.region ?? ''}\u0000${namespace}/${name}`;
      const first = seen.get(key);
      if (first) {
        problemAt(
          ctx,
          d.doc,
          d.base,
          `duplicate binding ${namespace}/${name} for cluster ${c.name}; it is already at ${pathLabel(first.base)} (line ${line(first)})`,
        );
        continue;
      }
      seen.set(key, d);
      if (d.spec.attachRoleArn !== undefined) continue;
      const given = d.spec.roleName !== undefined;
      const roleName =
        d.spec.roleName ??
        (d.clusters.length > 1
          ? sharedRoleName(namespace, name)
          : defaultRoleName(c.name, namespace, name));
      // IAM role names are unique ignoring case.
      const other = roles.get(roleName.toLowerCase());
      if (!other) {
        roles.set(roleName.toLowerCase(), { d, cluster: c });
        continue;
      }
      const sameAccount = other.d.spec.namespace === namespace && other.d.spec.name === name;
      // A role shared by the clusters of one binding; one roleName for the same service account
      // in several bindings is for the planner to judge (it names the cluster that owns it).
      if (other.d === d || (sameAccount && given)) continue;
      if (sameAccount && other.cluster.name === c.name && (c.region ?? other.cluster.region)) {
        if (c.region === undefined || other.cluster.region === undefined) {
          // One names the region, the other relies on the default: most likely the same cluster.
          problemAt(
            ctx,
            d.doc,
            d.base,
            `duplicate binding ${namespace}/${name} for cluster ${c.name}; it is already at ${pathLabel(other.d.base)} (line ${line(other.d)}), there with region ${other.cluster.region ?? '(default)'}, here with ${c.region ?? '(default)'}`,
          );
          continue;
        }
      }
      const whose = `${other.d.spec.namespace}/${other.d.spec.name} of cluster ${other.cluster.name} at ${pathLabel(other.d.base)} (line ${line(other.d)})`;
      problemAt(
        ctx,
        d.doc,
        given ? (d.fields.roleName ?? d.base) : d.base,
        given
          ? `roleName ${d.spec.roleName} is also the role of ${whose}; each role belongs to one service account (list several clusters under one binding to share it)`
          : `the default role name ${roleName} of ${namespace}/${name} (cluster ${c.name}) is also the role of ${whose}; give one of them its own roleName`,
      );
    }
  }
}
