/**
 * Errors raised while reading a CIB. The policy package cannot import core's `QuorateError`
 * (policy sits below core), so `CibError` carries the same shape: a literal `code` and a message
 * that names the offending element and id.
 */

/** Why a CIB was refused. */
export type CibErrorCode = 'CIB_UNSUPPORTED' | 'CIB_INVALID';

/**
 * Thrown by `fromCib` when the XML is not a CIB it can read: `CIB_INVALID` for malformed input
 * (not XML, duplicate ids, a constraint naming an unknown resource, a missing required attribute)
 * and `CIB_UNSUPPORTED` for valid Pacemaker features outside the policy subset (clones, bundles,
 * utilization, date expressions, tickets, tags, templates...). `element` and `id` name the
 * offending element when known.
 */
export class CibError extends Error {
  readonly code: CibErrorCode;
  readonly element: string | undefined;
  readonly id: string | undefined;

  constructor(code: CibErrorCode, message: string, element?: string, id?: string) {
    super(message);
    this.name = 'CibError';
    this.code = code;
    this.element = element;
    this.id = id;
  }
}
