// Forwarding for the test fronts before moto: what they do not answer themselves goes on as it is
// (the query-protocol ones read the body first, to see the Action).
import { type IncomingMessage, request, type ServerResponse } from 'node:http';

export const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** The query-protocol Action of a request (IAM, STS): in the form body or the query string. */
export const queryAction = (req: IncomingMessage, body: Buffer): string | undefined =>
  new URLSearchParams(body.toString('utf8')).get('Action') ??
  new URL(req.url ?? '/', 'http://localhost').searchParams.get('Action') ??
  undefined;

/**
 * Passes the request to the upstream as it is (its body streamed, or the one already read) and
 * the answer back as it is.
 */
export function forward(
  upstream: string,
  req: IncomingMessage,
  res: ServerResponse,
  done: (status: number) => void = () => undefined,
  body?: Buffer,
): void {
  const target = new URL(upstream);
  const out = request(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: target.host },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('end', () => done(answer.statusCode ?? 502));
    },
  );
  out.on('error', (error) => {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`forwarding failed: ${error.message}`);
    done(502);
  });
  if (body) out.end(body);
  else req.pipe(out);
}
