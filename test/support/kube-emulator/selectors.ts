// labelSelector and fieldSelector, in the grammar of k8s.io/apimachinery labels.Parse / fields.
import { badRequest } from './status.js';

type Requirement = (labels: Record<string, string>) => boolean;

/** Splits on commas that are not inside a `( ... )` value set. */
function splitTop(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of s) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

const KEY = String.raw`([A-Za-z0-9][-A-Za-z0-9_./]*)?[A-Za-z0-9]`;
const VALUE = String.raw`(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?`;

function requirement(text: string): Requirement {
  let m: RegExpMatchArray | null;
  if ((m = text.match(new RegExp(`^!\\s*(${KEY})$`)))) {
    const key = m[1] as string;
    return (l) => !(key in l);
  }
  if ((m = text.match(new RegExp(`^(${KEY})$`)))) {
    const key = m[1] as string;
    return (l) => key in l;
  }
  if ((m = text.match(new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`)))) {
    const [key, op, value] = [m[1] as string, m[3] as string, m[4] ?? ''];
    return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  if ((m = text.match(new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^()]*)\\)$`)))) {
    const [key, op] = [m[1] as string, m[3] as string];
    const values = (m[4] ?? '').split(',').map((v) => v.trim());
    if (values.some((v) => !new RegExp(`^${VALUE}$`).test(v))) {
      throw badRequest(`unable to parse requirement: invalid value in set: ${text}`);
    }
    return op === 'in'
      ? (l) => key in l && values.includes(l[key] as string)
      : (l) => !(key in l) || !values.includes(l[key] as string);
  }
  if ((m = text.match(new RegExp(`^(${KEY})\\s*(<|>)\\s*(-?\\d+)$`)))) {
    const [key, op, bound] = [m[1] as string, m[3] as string, Number(m[4])];
    return (l) => {
      const v = Number(l[key]);
      return key in l && Number.isInteger(v) && (op === '<' ? v < bound : v > bound);
    };
  }
  throw badRequest(
    `unable to parse requirement: found '${text}', expected: key, !key, key=value, key!=value, key in (..), key notin (..)`,
  );
}

export function parseLabelSelector(selector: string | null): Requirement {
  if (!selector || !selector.trim()) return () => true;
  const reqs = splitTop(selector).map(requirement);
  return (labels) => reqs.every((r) => r(labels));
}

/** fieldSelector: `f=v`, `f==v`, `f!=v`, comma-separated, over the fields a kind supports. */
export function parseFieldSelector(
  selector: string | null,
  supported: Record<string, (o: Record<string, unknown>) => string>,
): (o: Record<string, unknown>) => boolean {
  if (!selector || !selector.trim()) return () => true;
  const reqs = selector.split(',').map((part) => {
    const m = part.trim().match(/^([^=!]+?)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    const [field, op, value] = [m[1] as string, m[2] as string, m[3] as string];
    const get = supported[field];
    if (!get) throw badRequest(`field label not supported: ${field}`);
    return (o: Record<string, unknown>) => (op === '!=' ? get(o) !== value : get(o) === value);
  });
  return (o) => reqs.every((r) => r(o));
}
