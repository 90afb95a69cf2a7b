// Content negotiation: what the client accepts (JSON, YAML, Table, PartialObjectMetadata) and
// what it sent.
import { notAcceptable } from './status.js';

export type Output =
  | { kind: 'json' }
  | { kind: 'yaml' }
  | { kind: 'table'; apiVersion: string }
  | { kind: 'metadata'; apiVersion: string };

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseMediaRanges(header: string): MediaRange[] {
  return header
    .split(',')
    .map((part) => {
      const [type = '', ...rest] = part.split(';').map((s) => s.trim());
      const params: Record<string, string> = {};
      for (const p of rest) {
        const [k, v = ''] = p.split('=');
        if (k) params[k.trim().toLowerCase()] = v.trim().replace(/^"|"$/g, '');
      }
      return { type: type.toLowerCase(), params };
    })
    .filter((r) => r.type);
}

/** The first acceptable representation in the client's order, as the apiserver picks it. */
export function negotiateOutput(accept: string | undefined, allowTransform: boolean): Output {
  if (!accept || !accept.trim()) return { kind: 'json' };
  for (const { type, params } of parseMediaRanges(accept)) {
    const json = type === 'application/json' || type === '*/*' || type === 'application/*';
    const yaml = type === 'application/yaml';
    if (!json && !yaml) continue;
    if (!params.as) return yaml ? { kind: 'yaml' } : { kind: 'json' };
    if (!allowTransform || yaml || params.g !== 'meta.k8s.io') continue;
    if (params.v !== 'v1' && params.v !== 'v1beta1') continue;
    const apiVersion = `meta.k8s.io/${params.v}`;
    if (params.as === 'Table') return { kind: 'table', apiVersion };
    if (params.as === 'PartialObjectMetadata' || params.as === 'PartialObjectMetadataList') {
      return { kind: 'metadata', apiVersion };
    }
  }
  throw notAcceptable();
}

/** The media type of a request body, without parameters. */
export const mediaType = (contentType: string | undefined) =>
  (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
