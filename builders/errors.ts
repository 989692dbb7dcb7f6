/**
 * The one error type for failures a user can act on. The CLI prints `error: <message>` and exits
 * with `exitCode`; a stack trace is shown only with --debug. Anything that is not a UserError is a
 * bug in the pipeline and is reported as such.
 */
export class UserError extends Error {
  readonly exitCode: number;

  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A short description of any thrown value, for error messages. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch() says only "fetch failed"; the reason (DNS, refused, TLS) is in its cause.
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const detail = cause !== undefined ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : undefined;
  return detail !== undefined && !error.message.includes(detail) ? `${error.message} (${detail})` : error.message;
}
