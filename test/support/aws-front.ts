// A front for every AWS service iamsa calls (IAM, STS, EKS), which names each request's IAM action
// (service:Action, from the SigV4 scope and the query Action or the EKS REST route), records it,
// answers the actions a test denies with AccessDenied as that service's protocol says, and
// forwards the rest: EKS to the EKS endpoint (or plain moto), everything else to moto. Used to
// prove which calls each command makes (docs/permissions.md) and how iamsa takes a denied API;
// with enforce(), it authorizes every request against a principal's policies (aws-authorize.ts)
// and answers what they do not allow with AccessDenied, as AWS would.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PolicyDocument } from '../../src/policy/policy-document.js';
import { type AwsRequest, deniedAuthorization } from './aws-authorize.js';
import { forward, queryAction, readBody } from './forward.js';
import { queryError } from './query-xml.js';

export interface AwsFront {
  url: string;
  /** Every action called, in order (e.g. iam:GetRole, eks:DescribeCluster). */
  calls: string[];
  /** These actions are answered AccessDenied from now on (replacing the previous set). */
  deny(actions: string[]): void;
  /**
   * Authorizes every request against these identity policies (of account 123456789012) from now
   * on; undefined turns it off.
   */
  enforce(policies: PolicyDocument[] | undefined): void;
  /** Every authorization enforce() refused, as `action on resource`. */
  denials: string[];
  close(): Promise<void>;
}

export interface FrontTargets {
  /** Where EKS calls go: the test EKS endpoint, or moto itself for an endpoint without Pod Identity. */
  eks: string;
  /** Where every other call goes (moto). */
  other: string;
}

const ACCOUNT = '123456789012';

/** The region and service of a SigV4-signed request, from its credential scope. */
const scopeOf = (req: IncomingMessage) => {
  const m = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\//.exec(req.headers.authorization ?? '');
  return { region: m?.[1] ?? '', service: m?.[2] ?? '' };
};

/** The request as authorization reads it: its parameters from the query or the JSON body. */
function awsRequest(
  req: IncomingMessage,
  body: Buffer,
  action: string,
  region: string,
): AwsRequest {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const [service = '', operation = ''] = action.split(':');
  const text = body.toString('utf8');
  const params = Object.fromEntries(
    service === 'eks' ? url.searchParams : new URLSearchParams(`${url.search.slice(1)}&${text}`),
  );
  let json: Record<string, unknown> = {};
  if (service === 'eks' && text) json = JSON.parse(text) as Record<string, unknown>;
  return { service, operation, region, account: ACCOUNT, params, path: url.pathname, body: json };
}

const EKS_ROUTES: Array<[string, RegExp, string]> = [
  ['GET', /^\/clusters$/, 'ListClusters'],
  ['POST', /^\/clusters$/, 'CreateCluster'],
  ['GET', /^\/clusters\/[^/]+$/, 'DescribeCluster'],
  ['DELETE', /^\/clusters\/[^/]+$/, 'DeleteCluster'],
  ['GET', /^\/clusters\/[^/]+\/addons$/, 'ListAddons'],
  ['POST', /^\/clusters\/[^/]+\/addons$/, 'CreateAddon'],
  ['GET', /^\/clusters\/[^/]+\/addons\/[^/]+$/, 'DescribeAddon'],
  ['GET', /^\/clusters\/[^/]+\/pod-identity-associations$/, 'ListPodIdentityAssociations'],
  ['POST', /^\/clusters\/[^/]+\/pod-identity-associations$/, 'CreatePodIdentityAssociation'],
  [
    'GET',
    /^\/clusters\/[^/]+\/pod-identity-associations\/[^/]+$/,
    'DescribePodIdentityAssociation',
  ],
  ['POST', /^\/clusters\/[^/]+\/pod-identity-associations\/[^/]+$/, 'UpdatePodIdentityAssociation'],
  [
    'DELETE',
    /^\/clusters\/[^/]+\/pod-identity-associations\/[^/]+$/,
    'DeletePodIdentityAssociation',
  ],
];

/** The IAM action of an EKS REST request (its operation's name). */
export function eksAction(method: string, path: string): string {
  const found = EKS_ROUTES.find(([m, route]) => m === method && route.test(path));
  return `eks:${found?.[2] ?? `Unknown(${method} ${path})`}`;
}

export async function startAwsFront(targets: FrontTargets): Promise<AwsFront> {
  const calls: string[] = [];
  let denied = new Set<string>();
  let policies: PolicyDocument[] | undefined;
  const denials: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const { region, service } = scopeOf(req);
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const action =
        service === 'eks'
          ? eksAction(req.method ?? 'GET', path)
          : `${service}:${queryAction(req, body) ?? 'Unknown'}`;
      calls.push(action);
      const refused =
        policies && deniedAuthorization(policies, awsRequest(req, body, action, region));
      if (refused) denials.push(`${refused.action} on ${refused.resource}`);
      if (denied.has(action) || refused) {
        const message = `User: arn:aws:sts::123456789012:assumed-role/ci/iamsa is not authorized to perform: ${refused?.action ?? action}${refused ? ` on resource: ${refused.resource}` : ''}`;
        if (service === 'eks') {
          const text = JSON.stringify({ message });
          res.writeHead(403, {
            'content-type': 'application/json',
            'x-amzn-errortype': 'AccessDeniedException',
            'x-amzn-requestid': randomUUID(),
            'content-length': Buffer.byteLength(text),
          });
          res.end(text);
        } else {
          res.writeHead(403, { 'content-type': 'text/xml' });
          res.end(queryError('AccessDenied', message, randomUUID()));
        }
        return;
      }
      forward(service === 'eks' ? targets.eks : targets.other, req, res, undefined, body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    deny: (actions) => void (denied = new Set(actions)),
    enforce: (documents) => void (policies = documents),
    denials,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
