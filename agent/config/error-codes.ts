import type { ErrorTable } from '../core/error-table.js';

/** Codes of the config file, THE schema and secrets (agent/config/); see docs/config.md. */
export const ConfigErrorCodes = {
  CONFIG_INVALID: {
    summary: 'the config file, or the `config` of a pushed desired config or `provision push`, does not pass THE schema; the message lists every problem by JSON path',
    remedy: 'fix the listed keys; `edge-agent check-config FILE` checks without running',
  },
  CONFIG_UNREADABLE: {
    summary: 'the config file cannot be read or is not JSON',
    remedy: 'check the `--config` path and the file\'s JSON',
  },
  SECRET_ENV_MISSING: {
    summary: 'a secret `{"env": "NAME"}` names an environment variable that is not set',
    remedy: 'set the variable in the service environment',
  },
  SECRET_FILE_UNREADABLE: {
    summary: 'a secret `{"file": "/path"}` cannot be read',
    remedy: 'check the path and that the agent user may read it',
  },
} as const satisfies ErrorTable;
