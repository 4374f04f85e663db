/**
 * Every error the agent reports carries a stable code that a technician or the central side can act
 * on (docs/errors.md lists them by subsystem), a message, and where useful a remedy.
 */
export class AgentError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly remedy?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AgentError';
  }

  toJSON(): { code: string; message: string; remedy?: string } {
    return this.remedy ? { code: this.code, message: this.message, remedy: this.remedy } : { code: this.code, message: this.message };
  }
}

/** Normalises anything thrown into {code, message}; unknown errors get the fallback code. */
export function toErrorInfo(err: unknown, fallbackCode = 'INTERNAL'): { code: string; message: string; remedy?: string } {
  if (err instanceof AgentError) return err.toJSON();
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return { code: typeof code === 'string' ? `${fallbackCode}_${code}` : fallbackCode, message: err.message };
  }
  return { code: fallbackCode, message: String(err) };
}
