// A front for every AWS service iamsa calls (IAM, STS, EKS), which names each request's IAM action
// (service:Action, from the SigV4 scope and the query Action or the EKS REST route), records it,
// answers the actions a test denies with AccessDenied as that service's protocol says, and
// forwards the rest: EKS to the EKS endpoint (or plain moto), everything else to moto. Used to
// prove which calls each command makes (docs/permissions.md) and how iamsa takes a denied API.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forward, queryAction, readBody } from './forward.js';
import { queryError } from './query-xml.js';

export interface AwsFront {
  url: string;
  /** Every action called, in order (e.g. iam:GetRole, eks:DescribeCluster). */
  calls: string[];
  /** These actions are answered AccessDenied from now on (replacing the previous set). */
  deny(actions: string[]): void;
  close(): Promise<void>;
}

export interface FrontTargets {
  /** Where EKS calls go: the test EKS endpoint, or moto itself for an endpoint without Pod Identity. */
  eks: string;
  /** Where every other call goes (moto). */
  other: string;
}

/** The service of a SigV4-signed request, from its credential scope. */
const serviceOf = (req: IncomingMessage) =>
  /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';

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
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const service = serviceOf(req);
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const action =
        service === 'eks'
          ? eksAction(req.method ?? 'GET', path)
          : `${service}:${queryAction(req, body) ?? 'Unknown'}`;
      calls.push(action);
      if (denied.has(action)) {
        const message = `User: arn:aws:sts::123456789012:assumed-role/ci/iamsa is not authorized to perform: ${action}`;
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
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
