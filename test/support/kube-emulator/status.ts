// Errors as the API server writes them: a metav1.Status body with the matching HTTP code.
export type Obj = Record<string, unknown>;

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    /** metav1.StatusReason; empty for the server's "unknown" internal errors. */
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
    /** Extra response headers (Retry-After of a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toStatus(): Obj {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      ...(this.reason ? { reason: this.reason } : {}),
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

export const notFound = (resource: string, name: string) =>
  new StatusError(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource });

export const pathNotFound = () =>
  new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});

export const alreadyExists = (resource: string, name: string) =>
  new StatusError(409, 'AlreadyExists', `${resource} "${name}" already exists`, {
    name,
    kind: resource,
  });

export const conflict = (resource: string, name: string, why: string) =>
  new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${resource} "${name}": ${why}`,
    {
      name,
      kind: resource,
    },
  );

export const STALE =
  'the object has been modified; please apply your changes to the latest version and try again';

/** 422 Invalid, with the message built from the causes the way field.ErrorList does it. */
export function invalid(kind: string, name: string, causes: StatusCause[], group = '') {
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const joined = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  const qualified = group ? `${kind}.${group}` : kind;
  return new StatusError(422, 'Invalid', `${qualified} "${name}" is invalid: ${joined}`, {
    ...(name ? { name } : {}),
    ...(group ? { group } : {}),
    kind,
    causes,
  });
}

export const badRequest = (message: string) => new StatusError(400, 'BadRequest', message);

export const forbidden = (resource: string, name: string, why: string) =>
  new StatusError(403, 'Forbidden', `${resource} "${name}" is forbidden: ${why}`, {
    name,
    kind: resource,
  });

/** What the NamespaceLifecycle admission plugin answers for a create in a terminating namespace. */
export const namespaceTerminating = (resource: string, name: string, namespace: string) =>
  new StatusError(
    403,
    'Forbidden',
    `${resource} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
    {
      name,
      kind: resource,
      causes: [
        {
          reason: 'NamespaceTerminating',
          message: `namespace ${namespace} is being terminated`,
          field: 'metadata.namespace',
        },
      ],
    },
  );

/** API Priority and Fairness turning a request away. */
export const tooManyRequests = (retryAfterSeconds: number) =>
  new StatusError(
    429,
    'TooManyRequests',
    'Too many requests, please try again later.',
    { retryAfterSeconds } as StatusDetails,
    { 'retry-after': String(retryAfterSeconds) },
  );

export const unauthorized = () => new StatusError(401, 'Unauthorized', 'Unauthorized');

export const methodNotAllowed = () =>
  new StatusError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
    {},
  );

export const unsupportedMediaType = (contentType: string, accepted: string[]) =>
  new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format${contentType ? ` (${contentType})` : ''} - accepted media types include: ${accepted.join(', ')}`,
    {},
  );

export const notAcceptable = () =>
  new StatusError(
    406,
    'NotAcceptable',
    'only the following media types are accepted: application/json, application/yaml',
    {},
  );

export const tooLarge = () =>
  new StatusError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');

export const internal = (message: string) => new StatusError(500, '', message);
