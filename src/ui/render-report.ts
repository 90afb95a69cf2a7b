// Text rendering of the read-only reports: one line per doctor check (ok / FAIL / warn / skipped)
// and one block per audit finding, each with its fix. What they quote from the cluster and IAM goes
// through printable before styling.
import type { ChalkInstance } from 'chalk';
import type { AuditReport, CheckStatus, DoctorReport, Severity } from '../actions/report/report.js';
import { printable as p } from './printable.js';

const LABEL: Record<CheckStatus, string> = {
  ok: 'ok',
  fail: 'FAIL',
  warn: 'warn',
  skipped: 'skipped',
};

export function renderDoctor(report: DoctorReport, style: ChalkInstance): string {
  const paint: Record<CheckStatus, (s: string) => string> = {
    ok: style.green,
    fail: style.red.bold,
    warn: style.yellow,
    skipped: style.dim,
  };
  const { namespace, name } = report.serviceAccount;
  const lines = [
    style.bold(p(`Doctor: ${namespace}/${name} on cluster ${report.cluster} (${report.region})`)),
  ];
  // Pod Identity reports mix PODID and IRSA ids: one column width for both.
  const width = Math.max(0, ...report.checks.map((c) => c.id.length));
  for (const c of report.checks) {
    lines.push(
      `  ${c.id.padEnd(width)} ${paint[c.status](LABEL[c.status].padEnd(7))} ${c.title.padEnd(18)} ${p(c.message)}${c.finding ? style.dim(` (${c.severity}, as audit ${c.finding})`) : ''}`,
    );
    for (const d of c.details ?? []) lines.push(`          ${style.dim(`- ${p(d)}`)}`);
    if (c.fix) lines.push(`          ${style.cyan('fix:')} ${p(c.fix)}`);
  }
  const s = report.summary;
  const verdict = s.fail > 0 ? `${s.fail} check${s.fail > 1 ? 's' : ''} failed` : 'no check failed';
  lines.push(`${verdict} (${s.ok} ok, ${s.fail} FAIL, ${s.warn} warn, ${s.skipped} skipped)`);
  return lines.join('\n');
}

export function renderAudit(report: AuditReport, style: ChalkInstance): string {
  const paint: Record<Severity, (s: string) => string> = {
    high: style.red.bold,
    medium: style.yellow,
    low: style.cyan,
    info: style.dim,
  };
  const lines = [
    style.bold(p(`Audit: cluster ${report.cluster} (${report.region})`)),
    `  provider ${p(report.providerArn)}`,
    `  ${report.roles.length} role(s) trust it; ${report.serviceAccounts} service account(s), ${report.pods} pod(s), ${report.associations} Pod Identity association(s) read`,
  ];
  if (report.findings.length) lines.push('', 'Findings:');
  for (const f of report.findings) {
    const about = [f.role, f.serviceAccount && `service account ${f.serviceAccount}`]
      .filter(Boolean)
      .join(', ');
    lines.push(
      `  ${paint[f.severity](f.severity.padEnd(6))} ${f.id} ${p(f.title)}${about ? `: ${p(about)}` : ''}`,
    );
    lines.push(`         ${p(f.message)}`);
    lines.push(`         ${style.cyan('fix:')} ${p(f.fix)}`);
  }
  if (report.roles.length)
    lines.push(
      '',
      'Roles (who assumed each: run its aws cloudtrail command; iamsa does not read CloudTrail):',
    );
  for (const r of report.roles) {
    lines.push(`  ${p(r.arn)}`);
    lines.push(
      `      admits: ${r.admits.length ? p(r.admits.join(', ')) : '(no existing service account)'}`,
    );
    if (r.annotatedBy.length) lines.push(`      annotated on: ${p(r.annotatedBy.join(', '))}`);
    lines.push(`      ${style.dim(p(r.cloudTrail))}`);
  }
  const s = report.summary;
  lines.push(
    '',
    `${s.high} high, ${s.medium} medium, ${s.low} low, ${s.info} info${report.failOn ? ` (--fail-on ${report.failOn}: exit ${report.exitCode})` : ''}`,
  );
  return lines.join('\n');
}
