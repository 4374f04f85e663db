import type { ErrorCode } from './error-catalog.js';

export type { ErrorCode } from './error-catalog.js';

/**
 * A code toErrorInfo derives from a plain Error that carries a system or library code: the caller's
 * fallback code, `_`, then that code as Node or the library spelled it (`UPLINK_ECONNREFUSED`,
 * `ONVIF_EHOSTUNREACH`). The suffix is whatever the error said, so it is not in a table; the
 * fallback before it is.
 */
export type DerivedErrorCode = `${ErrorCode}_${string}`;

/** A code as it is logged and sent on the wire. */
export type ReportedErrorCode = ErrorCode | DerivedErrorCode;

export interface ErrorInfo {
  code: ReportedErrorCode;
  message: string;
  remedy?: string;
}

/**
 * Every error the agent reports carries a stable code that a technician or the central side can act
 * on (a key of a subsystem's table, agent/<subsystem>/error-codes.ts; docs/errors.md lists them), a
 * message, and where useful a remedy.
 */
export class AgentError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly remedy?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AgentError';
  }

  toJSON(): { code: ErrorCode; message: string; remedy?: string } {
    return this.remedy ? { code: this.code, message: this.message, remedy: this.remedy } : { code: this.code, message: this.message };
  }
}

/** Normalises anything thrown into {code, message}; unknown errors get the fallback code. */
export function toErrorInfo(err: unknown, fallbackCode: ErrorCode = 'INTERNAL'): ErrorInfo {
  if (err instanceof AgentError) return err.toJSON();
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return { code: typeof code === 'string' ? `${fallbackCode}_${code}` : fallbackCode, message: err.message };
  }
  return { code: fallbackCode, message: String(err) };
}
