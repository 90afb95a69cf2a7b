// eksctl's externalDNS. eksctl lets it write every hosted zone; here the zones must be named.
import { allow, hostedZoneField } from './statement.js';
import type { WellKnownPolicy } from './types.js';

export const externalDNS: WellKnownPolicy = {
  key: 'externalDNS',
  grants: 'change records in the named Route 53 hosted zones; list zones and records',
  defaultScope: 'none: hostedZoneARNs is required',
  fields: [hostedZoneField],
  statements: (s) => [
    allow(['route53:ChangeResourceRecordSets'], s.list('hostedZoneARNs')),
    allow(
      [
        'route53:ListHostedZones',
        'route53:ListResourceRecordSets',
        'route53:ListTagsForResource',
        'route53:ListTagsForResources',
      ],
      '*',
    ),
  ],
};
