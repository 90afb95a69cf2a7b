// Text rendering of `iamsa well-known-policies`: the keys, one line each, or one key's documents.
import type { ChalkInstance } from 'chalk';
import type {
  WellKnownDocuments,
  WellKnownSummary,
} from '../actions/lifecycle/well-known-policies.js';
import { PLACEHOLDER_CONTEXT } from '../policy/well-known/resolve.js';

/** One line per key: what it grants, then its default scope (and which scope fields it takes). */
export function renderWellKnownList(rows: WellKnownSummary[], style: ChalkInstance): string {
  // The longest key would push every line right: a key longer than the column is on a line of
  // its own, and its text starts on the next one, in the column like the others.
  const width = 25;
  const lines = rows.map((r) => {
    const fields = r.fields.map((f) => (f.required ? `${f.name}*` : f.name));
    const scope = fields.length ? `; scope: ${fields.join(', ')}` : '';
    const text = `${r.grants} ${style.dim(`(default: ${r.defaultScope}${scope})`)}`;
    return r.key.length > width
      ? `${style.bold(r.key)}\n${' '.repeat(width)} ${text}`
      : `${style.bold(r.key.padEnd(width))} ${text}`;
  });
  return `${lines.join('\n')}\n\n* required: give it with --well-known-scope KEY.FIELD=VALUE (the other fields are optional). Show a key's exact policy: iamsa well-known-policies KEY [--cluster NAME] [--well-known-scope KEY.FIELD=VALUE ...]\n`;
}

export function renderWellKnownDocuments(d: WellKnownDocuments, style: ChalkInstance): string {
  const out: string[] = [];
  for (const arn of d.managedPolicyArns) out.push(style.dim(`# attaches AWS-managed ${arn}`));
  for (const p of d.policies) {
    out.push(style.dim(`# customer-managed policy ${p.name}:`));
    out.push(JSON.stringify(p.document, null, 2));
  }
  // Only the placeholders the documents hold (a key may hold none, or only some).
  const text = JSON.stringify(d.policies.map((p) => p.document));
  const used = Object.values(PLACEHOLDER_CONTEXT).filter(
    (v) => /^<.*>$/.test(v) && text.includes(v),
  );
  if (!d.cluster && used.length) {
    const them = used.length === 1 ? 'it' : 'them';
    out.push(style.dim(`# ${used.join(', ')}: pass --cluster to fill ${them} in`));
  }
  for (const w of d.warnings) out.push(style.yellow(`# warning: ${w}`));
  return `${out.join('\n')}\n`;
}
