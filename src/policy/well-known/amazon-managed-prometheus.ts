// Amazon Managed Service for Prometheus: remote write and query.
import { actions, allow, arnIn } from './statement.js';
import type { WellKnownPolicy } from './types.js';

export const amazonManagedPrometheus: WellKnownPolicy = {
  key: 'amazonManagedPrometheus',
  grants: 'remote-write to and query Amazon Managed Prometheus workspaces',
  defaultScope: "the workspaces of the cluster's region and account",
  fields: [
    {
      kind: 'arns',
      name: 'workspaceARNs',
      noun: 'Prometheus workspace',
      service: 'aps',
      resourcePrefix: 'workspace/',
      example: 'arn:aws:aps:us-east-1:123456789012:workspace/ws-12345678-abcd',
      everything: () => '*',
      defaultText: "workspace/* of the cluster's region and account",
    },
  ],
  statements: (s, ctx) => {
    const given = s.list('workspaceARNs');
    return [
      allow(
        actions('aps', [
          'RemoteWrite',
          'QueryMetrics',
          'GetSeries',
          'GetLabels',
          'GetMetricMetadata',
        ]),
        given.length ? given : arnIn(ctx, 'aps', 'workspace/*'),
      ),
    ];
  },
};
