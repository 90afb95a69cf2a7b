// The kinds of doctor check, like audit's FINDING_KINDS: a stable id (scripts and docs refer to
// it), the title doctor prints, how serious a failure is, and where docs/doctor.md explains it.
import type { Severity } from './report.js';

export interface CheckKind {
  title: string;
  /** How serious a failure of this check is (ok and skipped checks have none). */
  severity: Exclude<Severity, 'info'>;
  /** The section of docs/doctor.md that says what it checks and how to fix it. */
  anchor: string;
}

const irsa = (id: string, title: string, severity: CheckKind['severity']): CheckKind => ({
  title,
  severity,
  anchor: `docs/doctor.md#${`${id} ${title}`.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
});
const podIdentity = (title: string, severity: CheckKind['severity']): CheckKind => ({
  title,
  severity,
  anchor: 'docs/doctor.md#eks-pod-identity-bindings',
});

export const CHECK_KINDS = {
  IRSA001: irsa('IRSA001', 'OIDC provider', 'high'),
  IRSA002: irsa('IRSA002', 'service account', 'high'),
  IRSA003: irsa('IRSA003', 'role', 'high'),
  IRSA004: irsa('IRSA004', 'trust admits', 'high'),
  IRSA005: irsa('IRSA005', 'trust is narrow', 'high'),
  IRSA006: irsa('IRSA006', 'pods restarted', 'medium'),
  IRSA007: irsa('IRSA007', 'webhook injected', 'medium'),
  IRSA008: irsa('IRSA008', 'no static keys', 'medium'),
  IRSA009: irsa('IRSA009', 'token lifetime', 'low'),
  IRSA010: irsa('IRSA010', 'role permissions', 'medium'),
  IRSA011: irsa('IRSA011', 'simulated actions', 'medium'),
  PODID001: podIdentity('agent add-on', 'high'),
  PODID002: podIdentity('association', 'high'),
  PODID003: podIdentity('role', 'high'),
  PODID004: podIdentity('trust admits', 'high'),
  PODID005: podIdentity('trust is narrow', 'high'),
  PODID006: podIdentity('one mechanism', 'low'),
  PODID007: podIdentity('pods get it', 'medium'),
} as const satisfies Record<string, CheckKind>;

export type CheckId = keyof typeof CHECK_KINDS;
