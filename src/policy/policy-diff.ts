// What an inline policy update changes, field by field, for the plan: the statements the two
// documents share (by Sid, else by position) list the values each field gains and loses; a
// statement only one of them has is shown whole. Pure.
import { isPlainObject } from './policy-document.js';
import { canonicalJson } from './same-json.js';

type Json = Record<string, unknown>;

const statementsOf = (doc: unknown): Json[] => {
  const s = isPlainObject(doc) ? doc.Statement : undefined;
  return (Array.isArray(s) ? s : s === undefined ? [] : [s]).filter(isPlainObject);
};

/** A field as a set of values (Action and Resource lists), else the field's JSON as one value. */
const values = (v: unknown): string[] =>
  v === undefined
    ? []
    : (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'string' ? x : canonicalJson(x)));

const label = (s: Json, i: number) =>
  typeof s.Sid === 'string' && s.Sid !== '' ? `statement ${i} (${s.Sid})` : `statement ${i}`;

/** The plan's change lines from the current document to the wanted one (none when the same). */
export function policyChanges(current: unknown, wanted: unknown): string[] {
  const before = statementsOf(current);
  const after = statementsOf(wanted);
  const lines: string[] = [];
  const paired = new Set<number>();
  after.forEach((s, i) => {
    const bySid =
      typeof s.Sid === 'string' && s.Sid !== '' ? before.findIndex((b) => b.Sid === s.Sid) : -1;
    const j = bySid >= 0 ? bySid : i < before.length && !paired.has(i) && !before[i]?.Sid ? i : -1;
    const old = j >= 0 ? before[j] : undefined;
    if (!old) {
      lines.push(`+ ${label(s, i)} ${canonicalJson(s)}`);
      return;
    }
    paired.add(j);
    for (const key of [...new Set([...Object.keys(old), ...Object.keys(s)])].sort()) {
      if (key === 'Sid') continue;
      const was = values(old[key]);
      const now = values(s[key]);
      const added = now.filter((v) => !was.includes(v));
      const removed = was.filter((v) => !now.includes(v));
      const parts = [...added.map((v) => `+ ${v}`), ...removed.map((v) => `- ${v}`)];
      if (parts.length) lines.push(`${label(s, i)} ${key}: ${parts.join(', ')}`);
    }
  });
  before.forEach((s, j) => {
    if (!paired.has(j)) lines.push(`- ${label(s, j)} ${canonicalJson(s)}`);
  });
  return lines;
}
