// Text rendering of get-serviceaccounts: an aligned table, kubectl style (no borders). The cells
// are read from the cluster and IAM: printable, so an annotation cannot forge a row.
import type { ChalkInstance } from 'chalk';
import type { GetServiceAccountsResult } from '../actions/lifecycle/get-serviceaccounts.js';
import { printable as p } from './printable.js';

const HEAD = ['NAMESPACE', 'NAME', 'MECHANISM', 'ROLE', 'MANAGED-BY', 'STATUS', 'POLICIES'];
const BLANK = Object.fromEntries(
  [
    'top',
    'top-mid',
    'top-left',
    'top-right',
    'bottom',
    'bottom-mid',
    'bottom-left',
    'bottom-right',
    'left',
    'left-mid',
    'mid',
    'mid-mid',
    'right',
    'right-mid',
    'middle',
  ].map((k) => [k, '']),
);

/** The short form of a policy for a table cell: its name, not its ARN. */
const shortPolicy = (p: string) => (p.startsWith('inline:') ? p : p.slice(p.lastIndexOf('/') + 1));

export async function renderBindings(
  result: GetServiceAccountsResult,
  style: ChalkInstance,
): Promise<string> {
  if (!result.serviceAccounts.length) {
    return `No bindings in cluster ${p(result.cluster)} (${p(result.region)}) for what was asked.`;
  }
  const { default: Table } = await import('cli-table3');
  const table = new Table({
    head: HEAD,
    chars: BLANK,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 2 },
  });
  for (const row of result.serviceAccounts) {
    const status =
      row.status === 'ok'
        ? style.green(row.status)
        : row.status === 'role-only'
          ? style.dim(row.status)
          : style.yellow(p(row.status));
    table.push([
      p(row.namespace),
      p(row.name),
      // Both set up: Pod Identity gives new pods their credentials; the note below says so.
      row.irsaRoleArn !== undefined ? `${row.mechanism}+irsa` : row.mechanism,
      p(row.roleArn ?? '-'),
      p(
        row.clusters?.length ? `${row.managedBy} (${row.clusters.length} clusters)` : row.managedBy,
      ),
      status,
      p(row.policies.map(shortPolicy).join(',') || '-'),
    ]);
  }
  const problems = result.serviceAccounts
    .filter((r) => r.problems.length)
    .map((r) => `  ${p(`${r.namespace}/${r.name}: ${r.problems.join('; ')}`)}`);
  const notes = result.serviceAccounts
    .filter((r) => r.irsaRoleArn !== undefined)
    .map(
      (r) =>
        `  ${p(`${r.namespace}/${r.name}`)}: also annotated with IRSA role ${p(r.irsaRoleArn ?? '')}; new pods get Pod Identity credentials (remove the annotation once nothing needs IRSA)`,
    );
  const lines = table
    .toString()
    .split('\n')
    .map((l) => l.trimEnd());
  return [
    ...lines,
    ...(problems.length ? ['', 'Problems:', ...problems] : []),
    ...(notes.length ? ['', 'Both mechanisms:', ...notes] : []),
  ].join('\n');
}
