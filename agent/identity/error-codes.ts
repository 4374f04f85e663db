import type { ErrorTable } from '../core/error-table.js';

/** Codes of the gateway identity (agent/identity/). */
export const IdentityErrorCodes = {
  IDENTITY_UNAVAILABLE: {
    summary: 'the gateway key under `dataDir/identity` cannot be read or created',
    remedy: 'check the data folder\'s owner and free space (`gateway.dataDir` must be writable by the agent user)',
  },
} as const satisfies ErrorTable;
