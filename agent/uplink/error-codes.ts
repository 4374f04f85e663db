import type { ErrorTable } from '../core/error-table.js';

/** Codes of the MQTT uplink (agent/uplink/, docs/mqtt.md). */
export const UplinkErrorCodes = {
  UPLINK_OFFLINE: {
    summary: 'publish while not connected',
    remedy: 'the outbox retries after the reconnect',
  },
  UPLINK_PUBLISH_FAILED: {
    summary: 'the connection dropped before the PUBACK',
    remedy: 'the outbox retries',
  },
  UPLINK_TOPIC_INVALID: {
    summary: 'empty level, leading `/`, wildcard in a publish, misplaced wildcard in a filter',
    remedy: 'fix the topic',
  },
  UPLINK_TOPIC_OUTSIDE_ROOT: {
    summary: '`..`/`.` levels trying to leave the gateway root',
    remedy: 'publish only below the root',
  },
  UPLINK_TLS_FILE_UNREADABLE: {
    summary: '`mqtt.tls.ca`/`cert`/`key` cannot be read',
    remedy: 'check the path and permissions',
  },
  UPLINK: {
    summary: '`UPLINK_<errno>` / `UPLINK` in `lastError`: connection errors from the socket/TLS/broker (e.g. `UPLINK_ECONNREFUSED`, a certificate not signed by `tls.ca`, `Not authorized`)',
    remedy: 'check broker URL, CA, credentials',
  },
} as const satisfies ErrorTable;
