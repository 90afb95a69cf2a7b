// Text rendering of `iamsa well-known-policies`: the keys, one line each, or one key's documents.
import type { ChalkInstance } from 'chalk';
import type {
  WellKnownDocuments,
  WellKnownSummary,
} from '../actions/lifecycle/well-known-policies.js';

/** One line per key: what it grants, then its default scope (and which scope fields it takes). */
export function renderWellKnownList(rows: WellKnownSummary[], style: ChalkInstance): string {
  // The longest key would push every line right; it takes its own room instead.
  const width = 25;
  const lines = rows.map((r) => {
    const fields = r.fields.map((f) => (f.required ? `${f.name}*` : f.name));
    const scope = fields.length ? `; scope: ${fields.join(', ')}` : '';
    return `${style.bold(r.key.padEnd(width))} ${r.grants} ${style.dim(`(default: ${r.defaultScope}${scope})`)}`;
  });
  return `${lines.join('\n')}\n\n* required. Show a key's exact policy: iamsa well-known-policies KEY [--cluster NAME] [--well-known-scope KEY.FIELD=VALUE]\n`;
}

export function renderWellKnownDocuments(d: WellKnownDocuments, style: ChalkInstance): string {
  const out: string[] = [];
  for (const arn of d.managedPolicyArns) out.push(style.dim(`# attaches AWS-managed ${arn}`));
  for (const p of d.policies) {
    out.push(style.dim(`# customer-managed policy ${p.name}:`));
    out.push(JSON.stringify(p.document, null, 2));
  }
  if (!d.cluster) {
    out.push(style.dim('# <account>, <region>, <cluster>: pass --cluster to fill them in'));
  }
  for (const w of d.warnings) out.push(style.yellow(`# warning: ${w}`));
  return `${out.join('\n')}\n`;
}
