// A minimal Kubernetes REST client over node:https. The default (EKS) connection needs nothing
// more, which keeps the large @kubernetes/client-node bundle off the critical path; kubeconfig
// mode lets client-node fill in the request options (exec plugins, client certificates, proxies).
import { Agent, request, type RequestOptions } from 'node:https';
import { VERSION } from '../version.js';

export interface RestTarget {
  /** https://host[:port], no trailing slash. */
  server: string;
  /** TLS and auth options for each request (ca, servername, headers.Authorization, agent...). */
  options(): Promise<RequestOptions>;
  /** The --kube-ca-file the server's certificate is checked against, when one was given. */
  caFile?: string;
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
    /** Seconds the server asked us to wait (Retry-After), when it said. */
    readonly retryAfter?: number,
  ) {
    super(`HTTP ${code}`);
  }
}

const TIMEOUT_MS = 30_000;
/** Audit logs name the tool that changed a service account. */
export const USER_AGENT = `iamsa/${VERSION}`;
/** A throttled read is retried this many times, waiting what the server asks (at most MAX_WAIT). */
export const THROTTLE_RETRIES = 3;
const MAX_WAIT_SECONDS = 10;

export function createRestClient(target: RestTarget) {
  // One keep-alive agent per connection: concurrent reads share TLS sessions. Sixteen sockets let
  // a batch (apply -f) read a hundred service accounts without queueing behind a few.
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const once = async (method: string, path: string, body?: unknown, contentType?: string) => {
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
            'user-agent': USER_AGENT,
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
            else reject(new KubeHttpError(status, parsed, retryAfter(res.headers['retry-after'])));
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
  return async function call(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<RestResponse> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await once(method, path, body, contentType);
      } catch (error) {
        // Only reads are retried: a throttled write may be retried by re-running iamsa.
        const throttled = error instanceof KubeHttpError && error.code === 429;
        if (!throttled || method !== 'GET' || attempt >= THROTTLE_RETRIES) throw error;
        const seconds = Math.min(error.retryAfter ?? 2 ** attempt, MAX_WAIT_SECONDS);
        await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      }
    }
  };
}

/** Retry-After in seconds (Kubernetes sends seconds; an HTTP date is accepted too). */
function retryAfter(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}
