// An HTTP proxy in front of moto_server that records each AWS call (service and operation), so a
// test can count round trips: e.g. that the wizard describes its cluster once.
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

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

const readAll = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

export async function startAwsProxy(target: string): Promise<AwsProxy> {
  const upstream = new URL(target);
  const calls: AwsCall[] = [];
  const faults: Array<{ action: string; status: number; code: string; message: string }> = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const url = new URL(req.url ?? '/', target);
      const action =
        new URLSearchParams(body.toString('utf8')).get('Action') ??
        url.searchParams.get('Action') ??
        undefined;
      calls.push({ method: req.method ?? 'GET', path: url.pathname, action });
      const fault = faults.findIndex((f) => f.action === action);
      if (fault >= 0) {
        const [f] = faults.splice(fault, 1);
        res.writeHead(f?.status ?? 500, { 'content-type': 'text/xml' });
        res.end(
          `<ErrorResponse><Error><Type>Sender</Type><Code>${f?.code}</Code><Message>${f?.message}</Message></Error><RequestId>proxy</RequestId></ErrorResponse>`,
        );
        return;
      }
      const out = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      out.end(body);
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
