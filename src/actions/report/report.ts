// The documents of the read-only commands (doctor, audit): what was found, with the exact command
// that fixes each thing, and the exit code the report asks for. src/ui renders them.
import type { Warning, WarningDetail } from '../engine/warning-kinds.js';
import { ExitCode } from '../../errors.js';

export type CheckStatus = 'ok' | 'fail' | 'warn' | 'skipped';

export interface Check {
  /** Stable id (IRSA001...): scripts and docs refer to it. */
  id: string;
  title: string;
  status: CheckStatus;
  /** What was found, or why the check was skipped. */
  message: string;
  /** The command (or edit) that fixes it; absent when ok or skipped. */
  fix?: string;
  /** Further lines: the statements, pods or causes behind the message. */
  details?: string[];
  /** The severity of what a warn or fail found (check-kinds.ts; the audit finding's, if any). */
  severity?: Severity;
  /** The id of the audit finding it is (PODID103...). */
  finding?: string;
}

export interface DoctorReport {
  schemaVersion: number;
  command: 'doctor';
  cluster: string;
  region: string;
  serviceAccount: { namespace: string; name: string };
  /** pod-identity when the service account has an association (its checks ran), else irsa. */
  mechanism: 'irsa' | 'pod-identity';
  roleArn?: string;
  checks: Check[];
  /** What could not be checked (an optional API missing or denied), as coded warnings. */
  warnings?: Warning[];
  /** The same, each with its code apart. */
  warningDetails?: WarningDetail[];
  summary: Record<CheckStatus, number>;
  exitCode: number;
}

export type Severity = 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low', 'info'];

export interface Finding {
  /** Stable id of the kind of finding (IRSA101...). */
  id: string;
  severity: Severity;
  title: string;
  /** The role ARN concerned, when there is one. */
  role?: string;
  /** namespace/name of the service account concerned, when there is one. */
  serviceAccount?: string;
  /** What the trust (or annotation) admits or breaks, in one sentence. */
  message: string;
  fix: string;
}

export interface AuditedRole {
  arn: string;
  /** Existing service accounts whose tokens the trust admits (namespace/name). */
  admits: string[];
  /** Service accounts annotated with this role. */
  annotatedBy: string[];
  /** The CloudTrail lookup that shows who assumed the role. */
  cloudTrail: string;
}

export interface AuditReport {
  schemaVersion: number;
  command: 'audit';
  cluster: string;
  region: string;
  providerArn: string;
  serviceAccounts: number;
  /** Pod Identity associations of the cluster (their findings are PODID1xx). */
  associations: number;
  pods: number;
  roles: AuditedRole[];
  findings: Finding[];
  /** What could not be checked (an optional API missing or denied), as coded warnings. */
  warnings?: Warning[];
  /** The same, each with its code apart. */
  warningDetails?: WarningDetail[];
  summary: Record<Severity, number>;
  failOn?: Exclude<Severity, 'info'>;
  exitCode: number;
}

export const REPORT_SCHEMA_VERSION = 1;

export function countBy<K extends string>(keys: readonly K[], values: K[]): Record<K, number> {
  const counts = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const v of values) counts[v] += 1;
  return counts;
}

/** Exit 6 when a finding is at least as severe as the threshold (none without one). */
export function auditExitCode(findings: Finding[], failOn: Severity | undefined): number {
  if (!failOn) return ExitCode.ok;
  const limit = SEVERITIES.indexOf(failOn);
  return findings.some((f) => SEVERITIES.indexOf(f.severity) <= limit)
    ? ExitCode.findings
    : ExitCode.ok;
}
