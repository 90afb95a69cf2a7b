// An IAM endpoint for tests: moto 5 has no iam:SimulatePrincipalPolicy, so this loopback server
// answers it (query protocol, the XML the SDK's IAMClient parses) by evaluating the role's
// policies that moto holds with iamsa's identity-policy evaluator, and forwards every other
// request to moto unchanged. iamsa reaches it through the standard AWS_ENDPOINT_URL_IAM, set only
// by the tests that simulate (Ground.iamEndpointEnv).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IAMClient, NoSuchEntityException } from '@aws-sdk/client-iam';
import { forward, queryAction, readBody } from '../forward.js';
import { readRolePolicies } from './role-policies.js';
import { simulate } from './simulate.js';
import { queryError, queryResponse } from '../query-xml.js';

export interface IamRequest {
  action?: string;
  /** Answered here (true) or forwarded to moto. */
  served: boolean;
  status: number;
}

export interface IamEndpoint {
  url: string;
  /** Every request, in order. */
  requests: IamRequest[];
  close(): Promise<void>;
}

/** IAM's page size when MaxItems is not given. */
const DEFAULT_MAX_ITEMS = 100;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:.*\/)?([\w+=,.@-]+)$/;

class QueryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** `Name.member.1`, `Name.member.2`, … of a query-protocol request, in order. */
const members = (form: URLSearchParams, name: string) =>
  [...form.entries()]
    .map(([k, v]) => ({ n: Number(new RegExp(`^${name}\\.member\\.(\\d+)$`).exec(k)?.[1]), v }))
    .filter((m) => Number.isInteger(m.n))
    .sort((a, b) => a.n - b.n)
    .map((m) => m.v);

export async function startIamEndpoint(upstream: string): Promise<IamEndpoint> {
  const requests: IamRequest[] = [];
  // moto checks no signatures: one client for every read of the role's policies.
  const iam = new IAMClient({
    region: 'us-east-1',
    endpoint: upstream,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' },
  });

  async function simulatePrincipalPolicy(form: URLSearchParams): Promise<string> {
    const source = form.get('PolicySourceArn') ?? '';
    const actions = members(form, 'ActionNames');
    if (!source || !actions.length) {
      throw new QueryError(400, 'ValidationError', 'PolicySourceArn and ActionNames are required');
    }
    const roleName = ROLE_ARN.exec(source)?.[1];
    if (!roleName) {
      throw new QueryError(
        400,
        'InvalidInput',
        `the test IAM endpoint simulates roles only, not ${source}`,
      );
    }
    const role = await readRolePolicies(iam, roleName).catch((error: unknown) => {
      if (error instanceof NoSuchEntityException) {
        throw new QueryError(
          404,
          'NoSuchEntity',
          `The role with name ${roleName} cannot be found.`,
        );
      }
      throw error;
    });
    const results = simulate(role.policies, role.boundary, actions, members(form, 'ResourceArns'));
    const start = Number(form.get('Marker') ?? 0);
    const max = Number(form.get('MaxItems') ?? DEFAULT_MAX_ITEMS);
    const page = results.slice(start, start + max);
    const more = start + max < results.length;
    return queryResponse(
      'SimulatePrincipalPolicy',
      {
        EvaluationResults: page,
        IsTruncated: more,
        Marker: more ? String(start + max) : undefined,
      },
      randomUUID(),
    );
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const body = await readBody(req);
      const action = queryAction(req, body);
      if (action !== 'SimulatePrincipalPolicy') {
        forward(
          upstream,
          req,
          res,
          (status) => requests.push({ action, served: false, status }),
          body,
        );
        return;
      }
      let status = 200;
      let xml: string;
      try {
        xml = await simulatePrincipalPolicy(new URLSearchParams(body.toString('utf8')));
      } catch (error) {
        const e =
          error instanceof QueryError
            ? error
            : new QueryError(500, 'ServiceFailure', String((error as Error)?.message ?? error));
        status = e.status;
        xml = queryError(e.code, e.message, randomUUID(), status >= 500 ? 'Receiver' : 'Sender');
      }
      res.writeHead(status, {
        'content-type': 'text/xml',
        'content-length': Buffer.byteLength(xml),
      });
      res.end(xml);
      requests.push({ action, served: true, status });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        iam.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
