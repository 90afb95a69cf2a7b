// One error hierarchy for the whole tool. Each kind carries its exit code; only src/cli turns an
// error into a process exit, so actions and clients just throw these.

export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  precondition: 3,
  auth: 4,
  conflict: 5,
  /** doctor found a failing check; audit found findings at or above --fail-on. */
  findings: 6,
  cancelled: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface IamsaErrorOptions {
  hint?: string;
  detail?: string;
  cause?: unknown;
}

export class IamsaError extends Error {
  readonly exitCode: ExitCode = ExitCode.internal;
  /** A next step for the user, printed after the message (e.g. the command that fixes it). */
  readonly hint: string | undefined;
  /** What the message refers to, too long for its line (a policy statement): printed after it. */
  readonly detail: string | undefined;
  constructor(message: string, options: IamsaErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.detail = options.detail;
  }
}

/** Bad flag, bad name, bad file: exit 2. */
export class ValidationError extends IamsaError {
  override readonly exitCode = ExitCode.usage;
}

/** A cluster, namespace or OIDC provider that must exist does not: exit 3. */
export class PreconditionError extends IamsaError {
  override readonly exitCode = ExitCode.precondition;
}

/** AWS or Kubernetes refused who we are or what we may do: exit 4. */
export class AuthError extends IamsaError {
  override readonly exitCode = ExitCode.auth;
}

/** Something exists that iamsa does not own or that differs, and no override flag was given: exit 5. */
export class ConflictError extends IamsaError {
  override readonly exitCode = ExitCode.conflict;
}

/** The user declined or pressed Ctrl-C: exit 130. */
export class CancelledError extends IamsaError {
  override readonly exitCode = ExitCode.cancelled;
}

/** What a create call found already there (a concurrent run, or a lost answer to our own create). */
export class AlreadyExistsError extends ConflictError {}
