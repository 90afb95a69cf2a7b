// Discovery documents: /version, /api, /api/v1, /apis, and just enough OpenAPI v3 for kubectl to
// learn that the server validates fields itself (so it skips client-side schema validation).
import { createHash } from 'node:crypto';
import { RESOURCES } from './resources.js';
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

export const apiGroupList = (): Obj => ({ kind: 'APIGroupList', apiVersion: 'v1', groups: [] });

export function apiResourceList(): Obj {
  return {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: Object.values(RESOURCES).map((d) => ({
      name: d.resource,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: VERBS,
      shortNames: d.shortNames,
      storageVersionHash: createHash('sha256').update(`v1/${d.kind}`).digest('base64').slice(0, 11),
    })),
  };
}

const queryParam = (name: string, description: string) => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string', uniqueItems: true },
});

/** The core/v1 OpenAPI v3 document, paths only, each write declaring fieldValidation. */
export function openApiV3CoreV1(): Obj {
  const paths: Obj = {};
  for (const d of Object.values(RESOURCES)) {
    const gvk = { group: '', version: 'v1', kind: d.kind };
    const base = d.namespaced
      ? `/api/v1/namespaces/{namespace}/${d.resource}`
      : `/api/v1/${d.resource}`;
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
  const hash = createHash('sha512')
    .update(JSON.stringify(openApiV3CoreV1()))
    .digest('hex')
    .toUpperCase();
  return { paths: { 'api/v1': { serverRelativeURL: `/openapi/v3/api/v1?hash=${hash}` } } };
}
