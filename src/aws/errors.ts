// Turns AWS SDK failures into iamsa errors, so the CLI can map them to exit codes and one line.
import { AlreadyExistsError, AuthError, IamsaError, ValidationError } from '../errors.js';

const AUTH_ERRORS = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
]);

/** Created between our read and our write: IAM's v3 name, its v2 name, EKS's. */
const CREATED_MEANWHILE = new Set([
  'EntityAlreadyExistsException',
  'EntityAlreadyExists',
  'ResourceInUseException',
]);

/** IAM's refusal of a policy's grammar: its v3 name and its v2 name. */
const MALFORMED_POLICY = new Set(['MalformedPolicyDocumentException', 'MalformedPolicyDocument']);

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  /** The raw answer, which the SDK keeps (not enumerable) on errors it could not parse. */
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
  /** The request URL, recorded by clients.ts. */
  $endpoint?: string;
}

export function awsErrorName(error: unknown): string | undefined {
  return (error as SdkError | undefined)?.name;
}

export function isAwsNotFound(error: unknown): boolean {
  const name = awsErrorName(error);
  return (
    name === 'NoSuchEntity' ||
    name === 'NoSuchEntityException' ||
    name === 'ResourceNotFoundException'
  );
}

/** Wraps an SDK failure with what we were doing; leaves iamsa errors as they are. */
export function translateAwsError(error: unknown, doing: string): IamsaError {
  if (error instanceof IamsaError) return error;
  const e = (error ?? {}) as SdkError;
  const name = e.name ?? 'Error';
  const message = (e.message ?? String(error)).split('\n')[0] ?? '';
  if (name === 'CredentialsProviderError') return credentialsError(message, error);
  // An answer whose error code the SDK parsed is AWS's, whatever its Content-Type says.
  if (AUTH_ERRORS.has(name)) {
    return new AuthError(`AWS refused ${doing}: ${name}: ${message}`, {
      hint: 'check your AWS credentials (--profile, AWS_PROFILE, SSO login) and the IAM permissions listed in the README',
      cause: error,
    });
  }
  if (MALFORMED_POLICY.has(name)) {
    return new ValidationError(`AWS refused ${doing}: the policy document is invalid: ${message}`, {
      hint: 'fix the policy document: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html',
      cause: error,
    });
  }
  if (CREATED_MEANWHILE.has(name)) {
    // The plan saw nothing there a moment ago: another run (or person) created it meanwhile.
    return new AlreadyExistsError(`AWS refused ${doing}: it was created meanwhile (${message})`, {
      hint: 're-run the same command: it reads the current state and converges',
      cause: error,
    });
  }
  const foreign = notAnAwsAnswer(e, doing);
  if (foreign) return foreign;
  if (/Region is missing/i.test(message)) {
    return new ValidationError('no AWS region configured', {
      hint: 'pass --region, or set AWS_REGION or a region in your AWS profile (AWS_DEFAULT_REGION, which the AWS CLI reads, is not read by the AWS SDK)',
      cause: error,
    });
  }
  const network = (e.code ?? name).match(
    /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN|TimeoutError/,
  );
  if (network) {
    return new IamsaError(`cannot reach AWS while ${doing}: ${message}`, {
      hint: 'check the network, the region and AWS_ENDPOINT_URL if set',
      cause: error,
    });
  }
  return new IamsaError(`AWS error while ${doing}: ${name}: ${message}`, { cause: error });
}

/**
 * The credential chain failed. With a profile chosen (--profile or AWS_PROFILE) the chain used
 * that profile, so the words are about it.
 */
export function credentialsError(
  message: string,
  cause: unknown,
  profile?: { name: string; from: string },
): AuthError {
  // The end of the SDK's default chain: not one source had credentials.
  const none = /from any providers/i.test(message);
  if (profile) {
    return new AuthError(
      none
        ? `no AWS credentials found for profile ${profile.name} (${profile.from})`
        : `cannot load AWS credentials of profile ${profile.name} (${profile.from}): ${message}`,
      {
        hint: `check profile ${profile.name} in your AWS config, or pass another with --profile; for SSO profiles run aws sso login --profile ${profile.name}`,
        cause,
      },
    );
  }
  if (none) {
    return new AuthError(
      'no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run aws sso login',
      { hint: 'with --profile NAME, NAME must be a profile of your AWS config', cause },
    );
  }
  return new AuthError(`cannot load AWS credentials: ${message}`, {
    hint: 'check --profile or AWS_PROFILE and your AWS config; for SSO profiles run aws sso login',
    cause,
  });
}

/**
 * An answer no AWS API gives (an HTML page, a 404 without an error code): the endpoint is not AWS,
 * usually a wrong AWS_ENDPOINT_URL. Says the status and the URL instead of a JSON parse error.
 */
function notAnAwsAnswer(e: SdkError, doing: string): IamsaError | undefined {
  const status = e.$response?.statusCode ?? e.$metadata?.httpStatusCode;
  if (status === undefined) return undefined;
  const type = e.$response?.headers?.['content-type'] ?? '';
  const unparsable = e.name === 'SyntaxError' || /Deserialization error/.test(e.message ?? '');
  const unnamed = e.name === 'Unknown' || e.name === 'UnknownError';
  if (!/html/i.test(type) && !unparsable && !unnamed) return undefined;
  const what = type ? ` (${type.split(';')[0]})` : '';
  return new IamsaError(
    `the endpoint ${e.$endpoint ?? 'of AWS'} answered HTTP ${status}${what}, which is not an AWS API answer, while ${doing}`,
    {
      hint: 'check AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>: unset them to talk to AWS, or point them at an AWS-compatible endpoint',
      cause: e,
    },
  );
}

/** Why an API could not be used: the endpoint lacks it, or the credentials may not call it. */
export type Unavailability = 'not found' | 'access denied' | 'not implemented';

const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
]);
const NOT_IMPLEMENTED = new Set([
  'NotImplemented',
  'NotImplementedException',
  'UnknownOperationException',
  'InvalidAction',
]);

/**
 * Whether a failure (an SDK error, or the iamsa error wrapping one) says the API itself is not
 * there for us: denied to these credentials, or missing from an AWS-compatible endpoint (moto
 * answers an HTML 404 for an unknown route and an HTML 500 for an operation it does not
 * implement). Anything else (throttling, a missing cluster, a network fault) is undefined.
 */
export function unavailability(error: unknown): Unavailability | undefined {
  const e = (error instanceof IamsaError ? error.cause : error) as SdkError | undefined;
  if (!e || typeof e !== 'object') return undefined;
  if (e.name && DENIED.has(e.name)) return 'access denied';
  if (e.name && NOT_IMPLEMENTED.has(e.name)) return 'not implemented';
  const status = e.$response?.statusCode ?? e.$metadata?.httpStatusCode;
  if (status === 501) return 'not implemented';
  if (!notAnAwsAnswer(e, '')) return undefined;
  if (status === 404) return 'not found';
  return status !== undefined && status >= 500 ? 'not implemented' : undefined;
}

/** Runs one SDK call and translates its failure. */
export async function aws<T>(doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateAwsError(error, doing);
  }
}

/** Like aws(), but a not-found answer becomes undefined. */
export async function awsOptional<T>(
  doing: string,
  call: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (isAwsNotFound(error)) return undefined;
    throw translateAwsError(error, doing);
  }
}

/**
 * IAM is eventually consistent: writes right after CreateRole can answer NoSuchEntity for a few
 * seconds. Retries those a bounded number of times.
 */
export function retryWhileNotFound<T>(
  call: () => Promise<T>,
  attempts = 9,
  delayMs = 250,
): Promise<T> {
  return retryWhile(isAwsNotFound, call, attempts, delayMs);
}

/**
 * EKS sees a new role only once IAM's change reaches it: until then Create/Update
 * PodIdentityAssociation answer InvalidParameterException "Role provided in the request does not
 * exist" (terraform-provider-aws retries exactly this).
 */
export function isRoleNotYetVisible(error: unknown): boolean {
  return (
    awsErrorName(error) === 'InvalidParameterException' &&
    /role provided in the request does not exist/i.test((error as SdkError).message ?? '')
  );
}

/** Retries while `retryable` says so: exponential backoff with jitter, about 20 s in all. */
export async function retryWhile<T>(
  retryable: (error: unknown) => boolean,
  call: () => Promise<T>,
  attempts = 9,
  delayMs = 250,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!retryable(error) || attempt >= attempts) throw error;
      const wait = Math.min(delayMs * 2 ** (attempt - 1), 4_000) * (0.75 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
