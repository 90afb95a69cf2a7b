// A minimal Kubernetes REST client over node:https. The default (EKS) connection needs nothing
// more, which keeps the large @kubernetes/client-node bundle off the critical path; kubeconfig
// mode lets client-node fill in the request options (exec plugins, client certificates, proxies).
import { Agent, request, type RequestOptions } from 'node:https';

export interface RestTarget {
  /** https://host[:port], no trailing slash. */
  server: string;
  /** TLS and auth options for each request (ca, servername, headers.Authorization, agent...). */
  options(): Promise<RequestOptions>;
}

export interface RestResponse {
  status: number;
  body: unknown;
}

/** A failed call: `code` is the HTTP status, `body` the Status object the server sent. */
export class KubeHttpError extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${code}`);
  }
}

const TIMEOUT_MS = 30_000;

export function createRestClient(target: RestTarget) {
  // One keep-alive agent per connection: concurrent reads share TLS sessions.
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  return async function call(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ) {
    const options = await target.options();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<RestResponse>((resolve, reject) => {
      const req = request(
        `${target.server}${path}`,
        {
          agent,
          ...options,
          method,
          timeout: TIMEOUT_MS,
          headers: {
            accept: 'application/json',
            ...(payload
              ? { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }
              : {}),
            ...options.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON: keep the text for the error message
            }
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve({ status, body: parsed });
            else reject(new KubeHttpError(status, parsed));
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(
          Object.assign(new Error(`no answer within ${TIMEOUT_MS / 1000} s`), {
            code: 'ETIMEDOUT',
          }),
        ),
      );
      req.on('error', reject);
      req.end(payload);
    });
  };
}
