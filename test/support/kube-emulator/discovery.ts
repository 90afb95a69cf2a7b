// Discovery documents: /version, /api, /api/v1, /apis and its groups, and just enough OpenAPI v3
// for kubectl to learn that the server validates fields itself (so it skips client-side schema
// validation).
import { createHash } from 'node:crypto';
import { defsOf, GROUP_VERSIONS } from './kinds.js';
import type { Obj } from './status.js';

export const DEFAULT_VERSION = 'v1.32.0';

/** /version for a gitVersion like v1.32.0 (or v1.32.0-eks-1234567). */
export function versionInfo(gitVersion: string): Obj {
  const m = gitVersion.match(/^v(\d+)\.(\d+)\.\d+/);
  if (!m) throw new Error(`not a Kubernetes gitVersion: ${gitVersion}`);
  return {
    major: m[1],
    minor: m[2],
    gitVersion,
    gitCommit: createHash('sha1').update(gitVersion).digest('hex'),
    gitTreeState: 'clean',
    buildDate: '2024-12-11T18:04:20Z',
    goVersion: 'go1.23.3',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update'];

export function apiVersions(serverAddress: string): Obj {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** One group's document: its (single) version, preferred. */
export function apiGroup(name: string): Obj {
  const versions = GROUP_VERSIONS.filter((gv) => gv.startsWith(`${name}/`)).map((gv) => ({
    groupVersion: gv,
    version: gv.slice(name.length + 1),
  }));
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name,
    versions,
    preferredVersion: versions[0],
  };
}

export const apiGroupList = (): Obj => ({
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: [...new Set(GROUP_VERSIONS.map((gv) => gv.split('/')[0] ?? ''))].map((g) => {
    const group = apiGroup(g);
    delete group.kind;
    delete group.apiVersion;
    return group;
  }),
});

export function apiResourceList(groupVersion: string): Obj {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: defsOf(groupVersion).map((d) => ({
      name: d.resource,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: VERBS,
      shortNames: d.shortNames,
      storageVersionHash: createHash('sha256')
        .update(`${groupVersion}/${d.kind}`)
        .digest('base64')
        .slice(0, 11),
    })),
  };
}

const queryParam = (name: string, description: string) => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string', uniqueItems: true },
});

/** A group/version's OpenAPI v3 document, paths only, each write declaring fieldValidation. */
export function openApiV3Document(groupVersion: string): Obj {
  const paths: Obj = {};
  const [group, version] = groupVersion.includes('/')
    ? (groupVersion.split('/') as [string, string])
    : ['', groupVersion];
  const prefix = group ? `/apis/${groupVersion}` : '/api/v1';
  for (const d of defsOf(groupVersion)) {
    const gvk = { group, version, kind: d.kind };
    const base = d.namespaced
      ? `${prefix}/namespaces/{namespace}/${d.resource}`
      : `${prefix}/${d.resource}`;
    const write = (action: string, id: string): Obj => ({
      operationId: `${id}${d.namespaced ? 'Namespaced' : ''}${d.kind}`,
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      parameters: [
        queryParam('dryRun', 'When present, indicates that modifications should not be persisted.'),
        queryParam(
          'fieldManager',
          'fieldManager is a name associated with the actor making these changes.',
        ),
        queryParam(
          'fieldValidation',
          'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields.',
        ),
      ],
      requestBody: {
        content: { 'application/json': { schema: { type: 'object' } } },
        required: true,
      },
      responses: { '200': { description: 'OK' } },
    });
    const patch = write('patch', 'patch');
    patch.requestBody = {
      content: Object.fromEntries(
        [
          'application/json-patch+json',
          'application/merge-patch+json',
          'application/apply-patch+yaml',
        ].map((t) => [t, { schema: { type: 'object' } }]),
      ),
      required: true,
    };
    paths[base] = { post: write('post', 'create') };
    paths[`${base}/{name}`] = { put: write('put', 'replace'), patch };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths,
    components: { schemas: {} },
  };
}

export function openApiV3Root(): Obj {
  const entry = (gv: string) => {
    const path = gv === 'v1' ? 'api/v1' : `apis/${gv}`;
    const hash = createHash('sha512')
      .update(JSON.stringify(openApiV3Document(gv)))
      .digest('hex')
      .toUpperCase();
    return [path, { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` }];
  };
  return { paths: Object.fromEntries(['v1', ...GROUP_VERSIONS].map(entry)) };
}
