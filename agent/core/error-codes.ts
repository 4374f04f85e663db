import type { ErrorTable } from './error-table.js';

/** Codes of agent/core itself: the fallback of toErrorInfo when the caller names none. */
export const CoreErrorCodes = {
  INTERNAL: {
    summary: 'something failed that the code reporting it has no more specific code for (a bug or an unforeseen failure); with a Node.js system code appended when it had one',
    remedy: 'the message says what failed; please report it with the log',
  },
} as const satisfies ErrorTable;
