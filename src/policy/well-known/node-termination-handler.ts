// AWS Node Termination Handler in queue mode (IMDS mode needs no AWS permissions at all).
import { actions, allow, arnIn, clusterOwnedTag } from './statement.js';
import type { WellKnownPolicy } from './types.js';

export const nodeTerminationHandler: WellKnownPolicy = {
  key: 'nodeTerminationHandler',
  grants: "read the named SQS queues; complete lifecycle actions of this cluster's groups",
  defaultScope: 'none: queueARNs is required; lifecycle actions only on groups tagged owned',
  fields: [
    {
      kind: 'arns',
      name: 'queueARNs',
      noun: 'SQS queue',
      service: 'sqs',
      resourcePrefix: '',
      example: 'arn:aws:sqs:us-east-1:123456789012:nth-queue',
      required: true,
      everything: (ctx) => arnIn(ctx, 'sqs', '*'),
    },
  ],
  statements: (s, ctx) => [
    allow(
      [
        'autoscaling:DescribeAutoScalingInstances',
        'autoscaling:DescribeTags',
        'ec2:DescribeInstances',
      ],
      '*',
    ),
    allow(['autoscaling:CompleteLifecycleAction'], '*', {
      StringEquals: { [`aws:ResourceTag/${clusterOwnedTag(ctx)}`]: 'owned' },
    }),
    allow(actions('sqs', ['DeleteMessage', 'ReceiveMessage']), s.list('queueARNs')),
  ],
};
