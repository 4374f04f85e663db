import pino, { type Logger } from 'pino';
import { redactUrlsDeep } from './redact-url.js';

export type { Logger };

/**
 * Structured JSON logs (pino: fast, and its redaction keeps secrets out of logs by path).
 * Logs go to stderr so stdout stays free for command output (check-config, diag --json).
 */
const REDACT = [
  'password', '*.password', '*.*.password', '*.*.*.password', 'key', '*.key', 'token', '*.token',
  'secret', '*.secret', 'authorization', '*.authorization', 'privateKey', '*.privateKey',
];

export function createLogger(level: string = process.env.EDGE_LOG_LEVEL ?? 'info', name = 'edge-agent'): Logger {
  return pino({
    name,
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    // Paths cannot reach a password inside a URL (rtsp://u:p@host, mqtts://u:p@host): rewrite every logged string.
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => redactUrlsDeep(a)) as Parameters<typeof method>);
      },
    },
  }, pino.destination({ fd: 2, sync: true }));
}
