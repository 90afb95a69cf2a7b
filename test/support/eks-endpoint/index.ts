// An EKS endpoint for tests: moto 5 has no Pod Identity or add-on calls, so this loopback server
// answers those (shapes, errors and pagination of the EKS API model that @aws-sdk/client-eks
// ships) and forwards every other request to moto unchanged. iamsa reaches it through the
// standard AWS_ENDPOINT_URL_EKS. State is kept per cluster (region and name); the cluster itself
// must exist in moto, which DescribeCluster on moto tells.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Addons, type AddonStatus } from './addons.js';
import { forward } from '../forward.js';
import { EksError, invalidParameter } from './errors.js';
import { type Association, Associations, type ClusterRef } from './pod-identity.js';

export type { Association } from './pod-identity.js';
export type { Addon, AddonStatus } from './addons.js';

export interface EksRequest {
  method: string;
  path: string;
  /** Answered here (true) or forwarded to moto. */
  served: boolean;
  status: number;
}

export interface EksEndpoint {
  url: string;
  /** Every request, in order. */
  requests: EksRequest[];
  /** The associations of a cluster, as stored. */
  associations(cluster: string, region?: string): Association[];
  /**
   * Test hook: the next CreatePodIdentityAssociation on this cluster loses a race, as if an
   * identical request (another run) had been served just before it: it gets ResourceInUse.
   */
  raceNextCreate(cluster: string, region?: string): void;
  /**
   * Test hook: IAM's propagation delay as EKS sees it. From now on, a role named in a create or
   * update of an association is "not there" for this long after the endpoint first saw it: EKS
   * answers InvalidParameterException "Role provided in the request does not exist" meanwhile.
   */
  setRolePropagationDelay(ms: number): void;
  /** Test hook: the add-on's status from now on (e.g. DEGRADED, CREATING). */
  setAddonStatus(cluster: string, addon: string, status: AddonStatus, region?: string): void;
  close(): Promise<void>;
}

interface ClusterState {
  ref: ClusterRef;
  associations: Associations;
  addons: Addons;
}

const DEFAULT_REGION = 'us-east-1';
const ROUTE = /^\/clusters\/([^/]+)\/(pod-identity-associations|addons)(?:\/([^/]+))?$/;

/** The region of a SigV4-signed request: its credential scope, as moto reads it too. */
const regionOf = (req: IncomingMessage) =>
  /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? DEFAULT_REGION;

export async function startEksEndpoint(upstream: string): Promise<EksEndpoint> {
  const clusters = new Map<string, ClusterState>();
  const requests: EksRequest[] = [];
  const races = new Set<string>();
  let propagationMs = 0;
  const firstSeen = new Map<string, number>();
  /** Whether IAM's change has reached EKS yet (see setRolePropagationDelay). */
  const propagated = (roleArn: unknown) => {
    if (!propagationMs || typeof roleArn !== 'string') return true;
    const seen = firstSeen.get(roleArn) ?? Date.now();
    firstSeen.set(roleArn, seen);
    return Date.now() - seen >= propagationMs;
  };
  const key = (region: string, name: string) => `${region}/${name}`;

  const stateOf = (region: string, ref: ClusterRef): ClusterState => {
    let s = clusters.get(key(region, ref.name));
    if (!s || s.ref.arn !== ref.arn) {
      const associations = new Associations(ref);
      s = { ref, associations, addons: new Addons(ref, associations) };
      clusters.set(key(region, ref.name), s);
    }
    return s;
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = ROUTE.exec(url.pathname);
    const log = (served: boolean) => (status: number) =>
      requests.push({ method: req.method ?? '', path: url.pathname, served, status });
    if (!route) {
      // A deleted cluster takes its associations and add-ons along.
      const deleted = /^\/clusters\/([^/]+)$/.exec(url.pathname);
      forward(upstream, req, res, (status) => {
        log(false)(status);
        if (req.method === 'DELETE' && deleted?.[1] && status === 200) {
          clusters.delete(key(regionOf(req), decodeURIComponent(deleted[1])));
        }
      });
      return;
    }
    const [, rawCluster = '', collection, rawId] = route;
    const clusterName = decodeURIComponent(rawCluster);
    const id = rawId === undefined ? undefined : decodeURIComponent(rawId);
    void (async () => {
      try {
        const body = await readJson(req);
        const ref = await describeCluster(upstream, req, clusterName);
        const state = stateOf(regionOf(req), ref);
        const raceKey = key(regionOf(req), clusterName);
        if (collection !== 'addons' && req.method === 'POST' && !propagated(body.roleArn)) {
          throw invalidParameter('Role provided in the request does not exist', clusterName);
        }
        if (collection !== 'addons' && req.method === 'POST' && !id && races.delete(raceKey)) {
          state.associations.create({ ...body, clientRequestToken: undefined });
        }
        const answer =
          collection === 'addons'
            ? addonCall(state, req.method ?? '', id, url.searchParams, body)
            : associationCall(state, req.method ?? '', id, url.searchParams, body);
        send(res, 200, answer);
        log(true)(200);
      } catch (error) {
        const e =
          error instanceof EksError
            ? error
            : new EksError('BadRequestException', String((error as Error)?.message ?? error));
        res.setHeader('x-amzn-errortype', e.type);
        send(res, e.status, { message: e.message, ...e.members });
        log(true)(e.status);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const existing = (cluster: string, region: string) => {
    const s = clusters.get(key(region, cluster));
    if (!s) throw new Error(`no Pod Identity or add-on state for cluster ${cluster} (${region})`);
    return s;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    associations: (cluster, region = DEFAULT_REGION) =>
      clusters.get(key(region, cluster))?.associations.all() ?? [],
    raceNextCreate: (cluster, region = DEFAULT_REGION) => void races.add(key(region, cluster)),
    setRolePropagationDelay: (ms) => {
      propagationMs = ms;
      firstSeen.clear();
    },
    setAddonStatus: (cluster, addon, status, region = DEFAULT_REGION) =>
      existing(cluster, region).addons.setStatus(addon, status),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function associationCall(
  state: ClusterState,
  method: string,
  id: string | undefined,
  query: URLSearchParams,
  body: Record<string, unknown>,
): unknown {
  const a = state.associations;
  if (id === undefined) {
    if (method === 'POST') return { association: a.create(body) };
    if (method === 'GET') return a.list(query);
  } else {
    if (method === 'GET') return { association: a.describe(id) };
    if (method === 'POST') return { association: a.update(id, body) };
    if (method === 'DELETE') return { association: a.delete(id) };
  }
  throw new EksError('BadRequestException', `${method} is not an operation on this resource`);
}

function addonCall(
  state: ClusterState,
  method: string,
  name: string | undefined,
  query: URLSearchParams,
  body: Record<string, unknown>,
): unknown {
  const a = state.addons;
  if (name === undefined) {
    if (method === 'POST') return { addon: a.create(body) };
    if (method === 'GET') return a.list(query);
  } else {
    if (method === 'GET') return { addon: a.describe(name) };
    if (method === 'DELETE') return { addon: a.delete(name) };
  }
  throw new EksError('BadRequestException', `${method} is not an operation on this resource`);
}

/** The cluster as moto knows it (same credentials, so the same region and account). */
async function describeCluster(
  upstream: string,
  req: IncomingMessage,
  name: string,
): Promise<ClusterRef> {
  const res = await fetch(`${upstream}/clusters/${encodeURIComponent(name)}`, {
    headers: req.headers.authorization ? { authorization: req.headers.authorization } : {},
  });
  const text = await res.text();
  const arn = res.ok ? (JSON.parse(text) as { cluster?: { arn?: string } }).cluster?.arn : '';
  if (!arn) {
    throw new EksError('ResourceNotFoundException', `No cluster found for name: ${name}.`, {
      clusterName: name,
    });
  }
  return { name, arn };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new EksError('BadRequestException', 'The request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EksError('BadRequestException', 'The request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}
