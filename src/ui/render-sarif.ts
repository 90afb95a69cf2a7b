// SARIF 2.1.0 for code-scanning dashboards: one rule per kind of finding, one result per finding,
// located at the IAM role (or service account) it concerns.
import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { FindingKind } from '../actions/report/finding-kinds.js';
import type { AuditReport, Severity } from '../actions/report/report.js';

const LEVEL: Record<Severity, Result.level> = {
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};
/** GitHub code scanning ranks security results by this property (0-10). */
const SECURITY_SEVERITY: Record<Severity, string> = {
  high: '8.0',
  medium: '5.0',
  low: '2.0',
  info: '0.0',
};

export function renderSarif(
  report: AuditReport,
  kinds: Record<string, FindingKind>,
  version: string,
): Log {
  const ids = Object.keys(kinds);
  const rules: ReportingDescriptor[] = ids.map((id) => {
    const kind = kinds[id] as FindingKind;
    return {
      id,
      name: kind.title.replace(/(^|\s)(\w)/g, (_, _s: string, c: string) => c.toUpperCase()),
      shortDescription: { text: kind.title },
      fullDescription: { text: kind.description },
      help: { text: `${kind.description} See docs/audit.md (${id}).` },
      defaultConfiguration: { level: LEVEL[kind.severity] },
      properties: {
        tags: ['security', 'iam', 'irsa'],
        'security-severity': SECURITY_SEVERITY[kind.severity],
      },
    };
  });
  const results: Result[] = report.findings.map((f) => {
    const where = f.role ?? `serviceaccount/${f.serviceAccount ?? ''}`;
    return {
      ruleId: f.id,
      ruleIndex: ids.indexOf(f.id),
      level: LEVEL[f.severity],
      message: { text: `${f.message}. Fix: ${f.fix}` },
      locations: [
        {
          logicalLocations: [
            {
              fullyQualifiedName: where,
              kind: f.role ? 'resource' : 'object',
              ...(f.serviceAccount && f.role ? { name: f.serviceAccount } : {}),
            },
          ],
        },
      ],
      partialFingerprints: { iamsaFinding: `${f.id}/${f.role ?? ''}/${f.serviceAccount ?? ''}` },
      properties: { severity: f.severity, cluster: report.cluster, region: report.region },
    };
  });
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: {
          driver: {
            name: 'iamsa',
            version,
            rules,
          },
        },
        automationDetails: { id: `iamsa-audit/${report.region}/${report.cluster}/` },
        results,
      },
    ],
  };
}
