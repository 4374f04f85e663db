import { Type } from '@sinclair/typebox';

/** Shared pieces of the wire schemas. */
export const IsoTime = (description: string) => Type.String({ format: 'date-time', description });
export const MessageId = Type.String({ minLength: 1, description: 'UUID the outbox gave the message: receivers keep the first copy of each id' });
export const ErrorInfo = Type.Object(
  { code: Type.String({ minLength: 1, description: 'stable code (docs/errors.md)' }), message: Type.String() },
  { additionalProperties: false, description: 'what went wrong: code and message' },
);
export const Strict = { additionalProperties: false } as const;

/**
 * `A` and `B` have exactly the same keys: structural assignability alone lets a wire schema miss
 * a field the code sends (the extra key is simply allowed), so conformance checks add this.
 */
export type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : { onlyIn: [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] };
/** Compiles only when `T` is `true` (a compile-time assertion). */
export type Assert<T extends true> = T;
