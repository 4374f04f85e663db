/**
 * The shape of a subsystem's error table (`agent/<subsystem>/error-codes.ts`): every code it raises,
 * with what happened and what a technician or the central side does about it. docs/errors.md is
 * generated from the tables (scripts/gen-errors-docs.ts); markdown is allowed in both fields.
 */
export interface ErrorExplanation {
  /** What happened, in the words a technician reads in the log or the `error.code` of an answer. */
  readonly summary: string;
  /** What to do about it ('—' when nobody needs to act, e.g. a shutdown). */
  readonly remedy: string;
}

export type ErrorTable = Readonly<Record<string, ErrorExplanation>>;
