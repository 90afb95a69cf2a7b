// Verifies the SigV4 query signature of a presigned STS URL, as STS itself would, for the cases
// where the test knows the signer's secret: it binds the token to the cluster name, which is in
// the signed x-k8s-aws-id header but nowhere in the URL, and which moto_server does not check.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

const hmac = (key: Buffer | string, data: string) =>
  createHmac('sha256', key).update(data).digest();

/**
 * True when the URL's X-Amz-Signature is the signature of a GET with the given header values,
 * under either payload hash signers use for presigned URLs (empty body, or UNSIGNED-PAYLOAD).
 */
export function verifyPresignedUrl(
  url: URL,
  headers: Record<string, string>,
  secretFor: (accessKeyId: string) => string | undefined,
): boolean {
  const q = url.searchParams;
  const credential = q.get('X-Amz-Credential') ?? '';
  const [accessKeyId = '', date = '', region = '', service = '', terminator = ''] =
    credential.split('/');
  const secret = secretFor(accessKeyId);
  if (!secret || terminator !== 'aws4_request' || q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') {
    return false;
  }
  const signedHeaders = (q.get('X-Amz-SignedHeaders') ?? '').split(';');
  const values: Record<string, string> = { host: url.host, ...headers };
  if (signedHeaders.some((h) => values[h] === undefined)) return false;
  const query = [...q.entries()]
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${String(values[h]).trim()}\n`).join('');
  const key = [date, region, service, 'aws4_request'].reduce<Buffer | string>(
    (k, part) => hmac(k, part),
    `AWS4${secret}`,
  );
  const given = Buffer.from(q.get('X-Amz-Signature') ?? '', 'hex');
  return [EMPTY_SHA256, 'UNSIGNED-PAYLOAD'].some((payloadHash) => {
    const canonical = [
      'GET',
      url.pathname,
      query,
      canonicalHeaders,
      signedHeaders.join(';'),
      payloadHash,
    ].join('\n');
    const toSign = [
      'AWS4-HMAC-SHA256',
      q.get('X-Amz-Date') ?? '',
      `${date}/${region}/${service}/aws4_request`,
      createHash('sha256').update(canonical).digest('hex'),
    ].join('\n');
    const expected = hmac(key, toSign);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
