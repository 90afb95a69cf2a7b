// The one place that builds AWS SDK clients. Region and credentials follow the SDK's own chains
// (flags first); endpoints follow AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>, which the SDK reads.
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { HttpRequest } from '@smithy/protocol-http';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { createEksGateway, type EksGateway } from './eks.js';
import { aws, credentialsError } from './errors.js';
import { createIamGateway, type IamGateway } from './iam.js';
import { chosenProfile, missingProfile } from './profile.js';
import { IamsaError } from '../errors.js';
import { registerSecret } from '../secrets.js';
import { checkRegion, checkRegionEnv } from './regions.js';

export interface AwsSettings {
  region?: string;
  profile?: string;
  /** Attempts per call (default 5); a batch of hundreds of calls rides out throttling with more. */
  maxAttempts?: number;
  /**
   * Default `adaptive` (the client slows itself down after throttling). A batch uses `standard`:
   * adaptive's shared rate limiter drops to half a request a second under steady throttling and
   * a hundred bindings would take minutes, while backoff per call keeps the others going.
   */
  retryMode?: 'adaptive' | 'standard';
}

export interface AwsClients {
  region: string;
  /** The --profile in use, so hints can repeat it in the commands they suggest. */
  profile?: string;
  credentials: AwsCredentialIdentityProvider;
  iam: IamGateway;
  eks: EksGateway;
  /** EKS of another region (audit looks up the clusters behind other regions' issuers). */
  eksIn(region: string): EksGateway;
  /**
   * Calls `listener` with the operation's name (CreateRole) each time IAM throttles an attempt,
   * retried or not: what an adaptive limit on requests in flight follows.
   */
  onIamThrottle(listener: (operation: string) => void): void;
}

export async function createAwsClients(settings: AwsSettings): Promise<AwsClients> {
  if (settings.region) checkRegion(settings.region, '--region');
  else checkRegionEnv();
  const profile = chosenProfile(settings.profile);
  // One memoised provider shared by every client, so credentials resolve once. With a profile
  // the SDK uses it and not AWS_ACCESS_KEY_ID (and warns on the console about having both):
  // iamsa does the same, quietly.
  const chain = fromNodeProviderChain({
    ...(settings.profile ? { profile: settings.profile } : {}),
    logger: QUIET,
  });
  const credentials: AwsCredentialIdentityProvider = async (props) => {
    try {
      const identity = await chain(props);
      // Wherever they came from (env, profile file, SSO, credential_process): never printed.
      registerSecret(identity.secretAccessKey);
      registerSecret(identity.sessionToken);
      return identity;
    } catch (error) {
      if (error instanceof IamsaError) throw error;
      const missing = profile && (await missingProfile(profile));
      const message = ((error as Error | undefined)?.message ?? String(error)).split('\n')[0];
      throw missing ?? credentialsError(message ?? '', error, profile);
    }
  };
  const common = {
    credentials,
    // IAM throttles bursts: more attempts than the SDK's 3, unless the user chose a number.
    ...(process.env.AWS_MAX_ATTEMPTS
      ? {}
      : { maxAttempts: settings.maxAttempts ?? 5, retryMode: settings.retryMode ?? 'adaptive' }),
    // Without these a black-holed endpoint (VPN down, wrong AWS_ENDPOINT_URL) hangs forever.
    requestHandler: {
      connectionTimeout: 3_000,
      requestTimeout: 15_000,
      throwOnRequestTimeout: true,
    },
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.profile ? { profile: settings.profile } : {}),
  };
  const eksClient = recordEndpoint(new EKSClient(common));
  const region = await aws('resolving the AWS region', () => eksClient.config.region()).catch(
    async (error: unknown) => {
      // No region because the profile that would give it does not exist: say that.
      throw (profile && (await missingProfile(profile))) ?? error;
    },
  );
  // A region from AWS_REGION or the profile gets the same check as --region's.
  if (!settings.region) {
    checkRegion(
      region,
      process.env.AWS_REGION === region ? 'AWS_REGION' : 'region of the AWS profile',
    );
  }
  // IAM is global; its client is pinned to the resolved region so signing and endpoints agree.
  const iamClient = recordEndpoint(new IAMClient({ ...common, region }));
  const throttleListeners: Array<(operation: string) => void> = [];
  observeThrottling(iamClient, (operation) => throttleListeners.forEach((l) => l(operation)));
  return {
    region,
    profile: settings.profile,
    credentials,
    iam: createIamGateway(iamClient),
    eks: createEksGateway(eksClient, region),
    eksIn: (other) =>
      other === region
        ? createEksGateway(eksClient, region)
        : createEksGateway(new EKSClient({ ...common, region: other }), other),
    onIamThrottle: (listener) => throttleListeners.push(listener),
  };
}

/** The SDK's providers warn on the console (console.warn unless given a logger): not to users. */
const QUIET = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Notes on a failure which URL it came from, so an endpoint that is not AWS can be named. */
function recordEndpoint<C extends EKSClient | IAMClient>(client: C): C {
  (client.middlewareStack as EKSClient['middlewareStack']).add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const request = args.request;
        if (error instanceof Error && HttpRequest.isInstance(request)) {
          const port = request.port ? `:${request.port}` : '';
          Object.defineProperty(error, '$endpoint', {
            value: `${request.protocol}//${request.hostname}${port}${request.path}`,
            enumerable: false,
          });
        }
        throw error;
      }
    },
    // After serialisation (the request has its URL), outside retries, signing and parsing.
    { step: 'build', name: 'iamsaRecordEndpoint' },
  );
  return client;
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

/** Tells `observer` of every throttled attempt, inside the SDK's retries (which hide them). */
function observeThrottling(client: IAMClient, observer: (operation: string) => void): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const e = error as { name?: string; $retryable?: { throttling?: boolean } };
        if (THROTTLING.has(e?.name ?? '') || e?.$retryable?.throttling) {
          observer((context.commandName ?? '').replace(/Command$/, ''));
        }
        throw error;
      }
    },
    // Inside the retry middleware (finalizeRequest, high priority), outside deserialisation.
    { step: 'finalizeRequest', priority: 'low', name: 'iamsaObserveThrottling' },
  );
}

/** The region the SDK chain would pick (env, profile), or undefined when none is configured. */
export async function configuredRegion(profile?: string): Promise<string | undefined> {
  try {
    return await new EKSClient(profile ? { profile } : {}).config.region();
  } catch {
    return undefined;
  }
}
