// The HTTPS front: authentication, routing of the REST paths, content negotiation, the request
// log, and Status bodies for every failure.
import { performance } from 'node:perf_hooks';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringify as toYaml } from 'yaml';
import { decodeBody, type Registry } from './registry.js';
import type { Authenticator } from './auth.js';
import {
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  openApiV3Document,
  openApiV3Root,
} from './discovery.js';
import { mediaType, negotiateOutput, type Output } from './negotiate.js';
import { PATCH_TYPES, type PatchType } from './patch.js';
import { decodeProtobuf, PROTOBUF } from './proto.js';
import { GROUP_VERSIONS, resourceDef } from './kinds.js';
import type { ResourceDef } from './resources.js';
import {
  internal,
  methodNotAllowed,
  type Obj,
  pathNotFound,
  StatusError,
  tooLarge,
  unauthorized,
  unsupportedMediaType,
} from './status.js';
import { type IncludeObject, partialObjectMetadata, toTable } from './table.js';

export interface Fault {
  method: string;
  path: RegExp;
  error: StatusError;
}

export interface RequestRecord {
  method: string;
  /** URL path without the query string. */
  path: string;
  /** The raw query string without '?', '' when none. */
  query: string;
  status: number;
  /** 'admin' for a static token, the caller's ARN for an EKS token; unset when unauthenticated. */
  user?: string;
  /** Content-Type of requests that carried a body (PATCH flavour, for instance). */
  contentType?: string;
  /** A digest of the bearer token (how many tokens a client minted), unset without one. */
  token?: string;
  /** The client's User-Agent header. */
  userAgent?: string;
}

const MAX_BODY = 3 * 1024 * 1024;
const BODY_TYPES = ['application/json', 'application/yaml'];

interface Reply {
  code: number;
  body: Obj | string;
  warnings?: string[];
  /** Representation of a successful GET on a resource (Table, metadata) applies. */
  transformable?: { def: ResourceDef; list: boolean };
}

interface Route {
  def?: ResourceDef;
  namespace?: string;
  name?: string;
  /** A fixed document (discovery, openapi, health). */
  doc?: () => Obj | string;
}

function route(segments: string[], serverAddress: string, version: Obj): Route | undefined {
  if (segments[0] === 'apis' && segments.length >= 2) return groupRoute(segments.slice(1));
  const [a, b, c, d, e, f, ...rest] = segments;
  if (segments.length === 1) {
    if (a === 'version') return { doc: () => version };
    if (a === 'api') return { doc: () => apiVersions(serverAddress) };
    if (a === 'apis') return { doc: apiGroupList };
    if (a === 'healthz' || a === 'livez' || a === 'readyz') return { doc: () => 'ok' };
  }
  if (a === 'openapi' && b === 'v3') {
    if (segments.length === 2) return { doc: openApiV3Root };
    if (c === 'api' && d === 'v1' && segments.length === 4)
      return { doc: () => openApiV3Document('v1') };
    const gv = segments.slice(3).join('/');
    if (c === 'apis' && GROUP_VERSIONS.includes(gv)) return { doc: () => openApiV3Document(gv) };
    return undefined;
  }
  if (a !== 'api' || b !== 'v1') return undefined;
  if (segments.length === 2) return { doc: () => apiResourceList('v1') };
  if (rest.length) return undefined;
  if (c === 'namespaces' && d !== undefined && e !== undefined) {
    const def = resourceDef(e);
    if (!def?.namespaced) return undefined;
    return { def, namespace: d, ...(f !== undefined ? { name: f } : {}) };
  }
  if (e !== undefined) return undefined;
  const def = c === undefined ? undefined : resourceDef(c);
  if (!def) return undefined;
  if (d === undefined) return { def };
  return def.namespaced ? undefined : { def, name: d };
}

/** /apis/GROUP[/VERSION[/...]]: the group's documents, then its resources as under /api/v1. */
function groupRoute(segments: string[]): Route | undefined {
  const [group, version, c, d, e, f, ...rest] = segments;
  const gv = `${group}/${version}`;
  if (version === undefined) {
    return GROUP_VERSIONS.some((v) => v.startsWith(`${group}/`))
      ? { doc: () => apiGroup(group ?? '') }
      : undefined;
  }
  if (!GROUP_VERSIONS.includes(gv)) return undefined;
  if (c === undefined) return { doc: () => apiResourceList(gv) };
  if (rest.length) return undefined;
  if (c === 'namespaces' && d !== undefined && e !== undefined) {
    const def = resourceDef(e, gv);
    if (!def?.namespaced) return undefined;
    return { def, namespace: d, ...(f !== undefined ? { name: f } : {}) };
  }
  if (e !== undefined) return undefined;
  const def = resourceDef(c, gv);
  if (!def) return undefined;
  if (d === undefined) return { def };
  return def.namespaced ? undefined : { def, name: d };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(tooLarge());
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface HttpFrontOptions {
  certPem: string;
  keyPem: string;
  api: Registry;
  auth: Authenticator;
  requests: RequestRecord[];
  /** Failures to answer instead of serving, each used once (fault injection for tests). */
  faults: Fault[];
  serverAddress: () => string;
  version: Obj;
  /** Delay before each request is served, standing in for a distant API server (benchmarks). */
  latencyMs?: number;
  /** When set, each request's arrival and answer times (performance.now()) are pushed here. */
  timings?: Array<[number, number, string?]>;
}

export function createApiServer(o: HttpFrontOptions): Server {
  /** Routes and runs the request; `negotiate` is called once a resource (not a document) is hit. */
  async function dispatch(
    req: IncomingMessage,
    url: URL,
    bytes: Buffer,
    negotiate: (transform: boolean) => void,
  ): Promise<Reply> {
    const body = bytes.toString('utf8');
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const r = route(segments, o.serverAddress(), o.version);
    if (!r) {
      if (segments[0] === 'api' || segments[0] === 'apis') throw pathNotFound();
      return { code: 404, body: '404 page not found\n' };
    }
    const method = req.method ?? 'GET';
    if (r.doc) {
      if (method !== 'GET') throw methodNotAllowed();
      return { code: 200, body: r.doc() };
    }
    negotiate(method === 'GET');
    const def = r.def as ResourceDef;
    const q = url.searchParams;
    const sent = mediaType(req.headers['content-type']);
    const object = () => {
      if (sent === PROTOBUF) return decodeProtobuf(bytes, def.kind);
      if (!BODY_TYPES.includes(sent)) throw unsupportedMediaType(sent, [...BODY_TYPES, PROTOBUF]);
      return decodeBody(body, sent === 'application/yaml');
    };
    if (r.name === undefined) {
      // /api/v1/serviceaccounts and /api/v1/pods only list, across namespaces.
      if (def.namespaced && r.namespace === undefined && method !== 'GET') throw methodNotAllowed();
      if (method === 'GET') {
        if (q.get('watch') === 'true' || q.get('watch') === '1') throw methodNotAllowed();
        const { items, metadata } = o.api.list(def, r.namespace, q);
        return {
          code: 200,
          body: { kind: `${def.kind}List`, apiVersion: def.apiVersion, metadata, items },
          transformable: { def, list: true },
        };
      }
      if (method === 'POST') {
        const outcome = o.api.create(def, r.namespace, object(), q);
        return { code: outcome.code, body: outcome.body, warnings: outcome.warnings };
      }
      if (method === 'DELETE') {
        const options = body.trim() ? object() : {};
        return { code: 200, body: o.api.deleteCollection(def, r.namespace, options, q) };
      }
      throw methodNotAllowed();
    }
    switch (method) {
      case 'GET':
        return {
          code: 200,
          body: o.api.get(def, r.namespace, r.name),
          transformable: { def, list: false },
        };
      case 'PUT': {
        const outcome = o.api.update(def, r.namespace, r.name, object(), q);
        return { code: outcome.code, body: outcome.body, warnings: outcome.warnings };
      }
      case 'PATCH': {
        if (!(PATCH_TYPES as readonly string[]).includes(sent))
          throw unsupportedMediaType(sent, [...PATCH_TYPES]);
        const outcome = o.api.patch(def, r.namespace, r.name, sent as PatchType, body, q);
        return { code: outcome.code, body: outcome.body, warnings: outcome.warnings };
      }
      case 'DELETE': {
        const options = body.trim() ? object() : {};
        const outcome = o.api.delete(def, r.namespace, r.name, options, q);
        return { code: outcome.code, body: outcome.body };
      }
      default:
        throw methodNotAllowed();
    }
  }

  function render(reply: Reply, output: Output, q: URLSearchParams): Obj {
    const body = reply.body as Obj;
    const t = reply.transformable;
    if (!t || reply.code >= 300) return body;
    const items = t.list ? (body.items as Obj[]) : [body];
    const listMeta = t.list
      ? (body.metadata as Obj)
      : { resourceVersion: (body.metadata as Obj).resourceVersion };
    if (output.kind === 'table') {
      const include = (q.get('includeObject') ?? 'Metadata') as IncludeObject;
      return toTable(
        t.def,
        items,
        listMeta,
        output.apiVersion,
        ['None', 'Object'].includes(include) ? include : 'Metadata',
      );
    }
    if (output.kind === 'metadata') {
      if (!t.list) return partialObjectMetadata(body, output.apiVersion);
      return {
        kind: 'PartialObjectMetadataList',
        apiVersion: output.apiVersion,
        metadata: listMeta,
        items: items.map((i) => partialObjectMetadata(i, output.apiVersion)),
      };
    }
    return body;
  }

  function send(
    res: ServerResponse,
    code: number,
    body: Obj | string,
    output: Output,
    pretty: boolean,
    warnings: string[] = [],
    extraHeaders: Record<string, string> = {},
  ) {
    let text: string;
    let type: string;
    if (typeof body === 'string') {
      [text, type] = [body, 'text/plain; charset=utf-8'];
    } else if (output.kind === 'yaml') {
      [text, type] = [toYaml(body), 'application/yaml'];
    } else {
      text = pretty ? `${JSON.stringify(body, null, 2)}\n` : `${JSON.stringify(body)}\n`;
      type = 'application/json';
    }
    const headers: Record<string, string | string[]> = {
      'content-type': type,
      'cache-control': 'no-cache, private',
      'audit-id': randomUUID(),
      ...extraHeaders,
    };
    if (warnings.length) headers.warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
    res.writeHead(code, headers);
    res.end(text);
  }

  return createServer({ cert: o.certPem, key: o.keyPem }, (req, res) => {
    const arrived = performance.now();
    res.on('finish', () =>
      o.timings?.push([arrived, performance.now(), `kube ${req.method} ${req.url}`]),
    );
    if (o.latencyMs) setTimeout(() => serve(req, res), o.latencyMs);
    else serve(req, res);
  });

  function serve(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'https://emulator');
    const record: RequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search.slice(1),
      status: 0,
      ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
    };
    const sent = req.headers['content-type'];
    const bearer = req.headers.authorization;
    if (bearer) record.token = createHash('sha256').update(bearer).digest('hex').slice(0, 12);
    let output = { kind: 'json' } as Output;
    const finish = (
      code: number,
      body: Obj | string,
      warnings?: string[],
      headers?: Record<string, string>,
    ) => {
      record.status = code;
      o.requests.push(record);
      send(res, code, body, output, url.searchParams.get('pretty') === 'true', warnings, headers);
    };
    void (async () => {
      try {
        const body = await readBody(req);
        if (sent && body.length) record.contentType = sent;
        const user = await o.auth.authenticate(req.headers.authorization);
        if (!user) throw unauthorized();
        record.user = user;
        const fault = o.faults.findIndex(
          (f) => f.method === record.method && f.path.test(url.pathname),
        );
        if (fault >= 0) throw o.faults.splice(fault, 1)[0]?.error;
        const reply = await dispatch(req, url, body, (transform) => {
          output = negotiateOutput(req.headers.accept, transform);
        });
        finish(
          reply.code,
          typeof reply.body === 'string' ? reply.body : render(reply, output, url.searchParams),
          reply.warnings,
        );
      } catch (error) {
        const status =
          error instanceof StatusError
            ? error
            : internal(String((error as Error)?.message ?? error));
        if (output.kind !== 'yaml') output = { kind: 'json' };
        finish(status.code, status.toStatus(), [], status.headers);
      }
    })();
  }
}
