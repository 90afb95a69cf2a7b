// An HTTP proxy in front of moto_server for benchmarks: every request waits `latencyMs` (a distant
// AWS region), and a share of IAM requests is answered with IAM's Throttling error, as a busy
// account would, so the SDK's retries are exercised.
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface LatencyProxyOptions {
  latencyMs: number;
  /** Share of IAM requests answered `400 Throttling` (0..1); deterministic sequence. */
  iamThrottle?: number;
  /** IAM actions answered `403 AccessDenied`, as for a caller without the permission. */
  iamDeny?: string[];
}

export interface LatencyProxy {
  url: string;
  /** IAM requests seen and how many of them were throttled. */
  stats: { iam: number; throttled: number; requests: number; denied: number };
  /** IAM actions seen, in order (Action= of the query protocol). */
  iamActions: string[];
  /** Each request's arrival and answer times (performance.now()), from the start. */
  timings: Array<[number, number, string?]>;
  /** Changes the delay of the requests to come. */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

const readAll = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

export async function startLatencyProxy(
  target: string,
  options: LatencyProxyOptions,
): Promise<LatencyProxy> {
  const upstream = new URL(target);
  const stats = { iam: 0, throttled: 0, requests: 0, denied: 0 };
  const iamActions: string[] = [];
  // A fixed pseudo-random sequence: every run throttles the same requests.
  let seed = 0x2545f491;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const timings: Array<[number, number, string?]> = [];
  const server = createServer((req, res) => {
    const arrived = performance.now();
    let label = `${req.method} ${req.url}`;
    res.on('finish', () => timings.push([arrived, performance.now(), label]));
    void (async () => {
      const body = await readAll(req);
      // What the request was (IAM/STS Action=, EKS path, or a JSON protocol target), for traces.
      label =
        /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString())?.[1] ??
        (req.headers['x-amz-target'] as string | undefined) ??
        label;
      await new Promise((r) => setTimeout(r, options.latencyMs));
      stats.requests++;
      const iam = /\/iam\/aws4_request/.test(req.headers.authorization ?? '');
      const action = iam ? (/(?:^|&)Action=([A-Za-z]+)/.exec(body.toString())?.[1] ?? '') : '';
      if (iam) {
        stats.iam++;
        iamActions.push(action);
      }
      if (iam && options.iamDeny?.includes(action)) {
        stats.denied++;
        res.writeHead(403, { 'content-type': 'text/xml' });
        res.end(
          `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/ci is not authorized to perform: iam:${action}</Message></Error><RequestId>latency-proxy</RequestId></ErrorResponse>`,
        );
        return;
      }
      if (iam && options.iamThrottle && next() < options.iamThrottle) {
        stats.throttled++;
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(
          '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>latency-proxy</RequestId></ErrorResponse>',
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
    stats,
    iamActions,
    timings,
    setLatency(ms) {
      options.latencyMs = ms;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
