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
  'CredentialsProviderError',
  'IncompleteSignature',
]);

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
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
  if (AUTH_ERRORS.has(name)) {
    return new AuthError(`AWS refused ${doing}: ${name}: ${message}`, {
      hint: 'check your AWS credentials (--profile, AWS_PROFILE, SSO login) and the IAM permissions listed in the README',
      cause: error,
    });
  }
  if (/Region is missing/i.test(message)) {
    return new ValidationError('no AWS region configured', {
      hint: 'pass --region, or set AWS_REGION or a region in your AWS profile',
      cause: error,
    });
  }
  if (
    name === 'EntityAlreadyExists' ||
    name === 'EntityAlreadyExistsException' ||
    name === 'ResourceInUseException'
  ) {
    // The plan saw nothing there a moment ago: another run (or person) created it meanwhile.
    return new AlreadyExistsError(`AWS refused ${doing}: it was created meanwhile (${message})`, {
      hint: 're-run the same command: it reads the current state and converges',
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
export async function retryWhileNotFound<T>(
  call: () => Promise<T>,
  attempts = 9,
  delayMs = 250,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isAwsNotFound(error) || attempt >= attempts) throw error;
      // Exponential with jitter, capped: about 20 s in all before giving up.
      const wait = Math.min(delayMs * 2 ** (attempt - 1), 4_000) * (0.75 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
