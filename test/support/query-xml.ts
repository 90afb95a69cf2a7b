// The AWS query protocol's XML answers (IAM, STS), built from plain values: an object is an
// element per key, an array is a list of <member> elements, undefined leaves the element out.
const NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** Strings, numbers and booleans as text, arrays as <member> lists, objects as elements. */
export type XmlValue = unknown;

export const escapeXml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );

function render(value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => `<member>${render(v)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${render(v)}</${k}>`)
      .join('');
  }
  return escapeXml(String(value));
}

/** `<{Action}Response><{Action}Result>…</…><ResponseMetadata>…` as IAM answers. */
export const queryResponse = (
  action: string,
  result: Record<string, XmlValue>,
  requestId: string,
) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NAMESPACE}"><${action}Result>${render(result)}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;

/** An error answer; the SDK finds its exception class by Code. */
export const queryError = (code: string, message: string, requestId: string, type = 'Sender') =>
  `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
