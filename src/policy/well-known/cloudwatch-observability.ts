// The Amazon CloudWatch Observability add-on (CloudWatch agent and X-Ray): AWS-managed policies.
import type { WellKnownPolicy } from './types.js';

export const cloudWatchObservability: WellKnownPolicy = {
  key: 'cloudWatchObservability',
  grants: 'publish metrics, logs and traces (CloudWatch agent, X-Ray)',
  defaultScope: 'AWS-managed CloudWatchAgentServerPolicy and AWSXrayWriteOnlyAccess',
  managed: () => ['CloudWatchAgentServerPolicy', 'AWSXrayWriteOnlyAccess'],
};
