// eksctl's certManager (DNS-01 challenges). eksctl lets it write every hosted zone; here the zones
// must be named.
import { allow, hostedZoneField } from './statement.js';
import type { WellKnownPolicy } from './types.js';

export const certManager: WellKnownPolicy = {
  key: 'certManager',
  grants: 'write DNS-01 challenge records in the named Route 53 hosted zones',
  defaultScope: 'none: hostedZoneARNs is required',
  fields: [hostedZoneField],
  statements: (s, ctx) => [
    allow(['route53:GetChange'], `arn:${ctx.partition}:route53:::change/*`),
    allow(
      ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets'],
      s.list('hostedZoneARNs'),
    ),
    allow(['route53:ListHostedZonesByName'], '*'),
  ],
};
