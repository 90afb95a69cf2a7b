// An HTTP proxy in front of moto_server that records each AWS call (service and operation), so a
// test can count round trips: e.g. that the wizard describes its cluster once.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forward, queryAction, readBody } from './forward.js';
import { queryError } from './query-xml.js';

export interface AwsCall {
  method: string;
  path: string;
  /** Query-protocol services (IAM, STS): the Action; REST services: undefined. */
  action?: string;
}

export interface AwsProxy {
  url: string;
  calls: AwsCall[];
  /** Answers the next call of this query-protocol action with an error instead of passing it on. */
  failNext(action: string, status: number, code: string, message: string): void;
  close(): Promise<void>;
}

export async function startAwsProxy(target: string): Promise<AwsProxy> {
  const calls: AwsCall[] = [];
  const faults: Array<{ action: string; status: number; code: string; message: string }> = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', target);
      const action = queryAction(req, body);
      calls.push({ method: req.method ?? 'GET', path: url.pathname, action });
      const fault = faults.findIndex((f) => f.action === action);
      if (fault >= 0) {
        const [f] = faults.splice(fault, 1);
        res.writeHead(f?.status ?? 500, { 'content-type': 'text/xml' });
        res.end(queryError(f?.code ?? '', f?.message ?? '', 'proxy'));
        return;
      }
      forward(target, req, res, undefined, body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    failNext: (action, status, code, message) => faults.push({ action, status, code, message }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
