// Turns Kubernetes client failures into iamsa errors with one clear line.
import {
  AlreadyExistsError,
  AuthError,
  ConflictError,
  IamsaError,
  PreconditionError,
  ValidationError,
} from '../errors.js';

interface KubeFailure {
  code?: number | string;
  body?: unknown;
  message?: string;
  cause?: { code?: string; message?: string };
}

const TLS_CODES =
  /CERT|UNABLE_TO_VERIFY|SELF_SIGNED|ALTNAME|UNABLE_TO_GET_ISSUER|ERR_TLS|EPROTO|DEPTH_ZERO/;

export function kubeStatusCode(error: unknown): number | undefined {
  const code = (error as KubeFailure | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

function statusMessage(body: unknown): string | undefined {
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

function statusReason(body: unknown): string | undefined {
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  const reason = (parsed as { reason?: unknown } | undefined)?.reason;
  return typeof reason === 'string' ? reason : undefined;
}

export const TERMINATING_HINT =
  'wait until the namespace is gone, then re-run with --create-namespace; or pick another namespace';

interface Status {
  message?: unknown;
  details?: { causes?: Array<{ reason?: unknown; message?: unknown }> };
}

/**
 * The NamespaceLifecycle admission plugin refuses new objects in a namespace being deleted with a
 * 403 whose cause is NamespaceTerminating: the namespace's state, not the caller's permissions.
 */
function terminatingNamespace(body: unknown): string | undefined {
  const status = (typeof body === 'string' ? safeJson(body) : body) as Status | undefined;
  const cause = status?.details?.causes?.find((c) => c.reason === 'NamespaceTerminating');
  if (typeof cause?.message === 'string') return cause.message;
  const message = typeof status?.message === 'string' ? status.message : '';
  const m = /in namespace (\S+) because it is being terminated/.exec(message);
  return m ? `namespace ${m[1]} is being terminated` : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The server's certificate does not chain to a CA we trust (not a name or protocol problem). */
const UNTRUSTED_CHAIN =
  /UNABLE_TO_VERIFY|SELF_SIGNED|UNABLE_TO_GET_ISSUER|DEPTH_ZERO|CERT_SIGNATURE_FAILURE|CERT_UNTRUSTED/;

export function translateKubeError(
  error: unknown,
  doing: string,
  server: string,
  /** The --kube-ca-file given, if any: then a certificate it does not vouch for is its fault. */
  caFile?: string,
): IamsaError {
  if (error instanceof IamsaError) return error;
  const e = (error ?? {}) as KubeFailure;
  const status = kubeStatusCode(error);
  const detail = statusMessage(e.body) ?? e.message?.split('\n')[0] ?? String(error);
  const terminating = status === 403 ? terminatingNamespace(e.body) : undefined;
  if (terminating) {
    return new PreconditionError(`cannot finish ${doing}: ${terminating}`, {
      hint: TERMINATING_HINT,
      cause: error,
    });
  }
  if (status === 401 || status === 403) {
    return new AuthError(`Kubernetes API refused ${doing} (${status}): ${detail}`, {
      hint: 'the AWS identity needs access to the cluster (an EKS access entry or aws-auth mapping) with rights on namespaces and serviceaccounts',
      cause: error,
    });
  }
  if (status === 409 && statusReason(e.body) === 'AlreadyExists') {
    // The plan saw nothing there a moment ago: another run (or person) created it meanwhile.
    return new AlreadyExistsError(
      `Kubernetes refused ${doing}: it was created meanwhile (${detail})`,
      {
        hint: 're-run the same command: it reads the current state and converges',
        cause: error,
      },
    );
  }
  if (status === 409) {
    return new ConflictError(`Kubernetes conflict while ${doing}: ${detail}`, {
      hint: 'the object changed while iamsa was running; re-run the command',
      cause: error,
    });
  }
  if (status === 422 || status === 400) {
    return new ValidationError(`Kubernetes rejected ${doing}: ${detail}`, { cause: error });
  }
  if (status !== undefined) {
    return new IamsaError(`Kubernetes error while ${doing} (${status}): ${detail}`, {
      cause: error,
    });
  }
  const code = String(e.cause?.code ?? e.code ?? '');
  const low = e.cause?.message ?? e.message ?? String(error);
  if (caFile && (UNTRUSTED_CHAIN.test(code) || UNTRUSTED_CHAIN.test(low))) {
    return new IamsaError(
      `--kube-ca-file ${caFile} does not sign the certificate of the Kubernetes API at ${server} (${code || low})`,
      {
        hint: `pass the CA that signed that server's certificate, or leave --kube-ca-file out to check it against the cluster's own CA`,
        cause: error,
      },
    );
  }
  if (TLS_CODES.test(code) || TLS_CODES.test(low)) {
    return new IamsaError(`TLS verification of the Kubernetes API at ${server} failed: ${low}`, {
      hint: 'when talking to another address use --kube-ca-file with the CA that signed its certificate',
      cause: error,
    });
  }
  return new IamsaError(`cannot reach the Kubernetes API at ${server} while ${doing}: ${low}`, {
    hint: 'check the network path to the cluster endpoint (private endpoint? use --kube-server through a tunnel)',
    cause: error,
  });
}
