/**
 * Error classes of Quorate. Machines never throw; these are for the edges: bad input
 * (`ConfigError`) and API misuse (`UsageError`). Messages are sentences with quoted ids and never
 * carry secrets or stack traces.
 */

/** Base of every error Quorate throws. `code` is stable for programs; `message` is for people. */
export class QuorateError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QuorateError';
    this.code = code;
  }
}

/** One problem in an input document: where (`path`, as zod reports it) and what. */
export interface ConfigIssue {
  path: Array<string | number>;
  message: string;
}

/**
 * Invalid input: a cluster document, scenario file or import. `message` lists every issue with its
 * path (one `✖` line each, as `z.prettifyError` prints); `issues` is for programs.
 * Whatever raised it changed nothing.
 */
export class ConfigError extends QuorateError {
  readonly issues: ConfigIssue[];
  constructor(message: string, issues: ConfigIssue[] = [], options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** API misuse by the host, e.g. `send` after `stop`. */
export class UsageError extends QuorateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('USAGE', message, options);
    this.name = 'UsageError';
  }
}
