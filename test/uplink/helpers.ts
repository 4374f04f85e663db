import { execFileSync } from 'node:child_process';
import type { AgentConfig } from '../../agent/config/schema/index.js';
import { createLogger } from '../../agent/core/logger.js';

export const quietLogger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'test');

/** The mqtt section as validation would fill it in, with a short back-off for tests. */
export function mqttConfig(url: string, over: Partial<AgentConfig['mqtt']> = {}): AgentConfig['mqtt'] {
  return { url, topicPrefix: 'edge', keepaliveSeconds: 30, sessionExpirySeconds: 3600, reconnectMinMs: 200, reconnectMaxMs: 1000, ...over };
}

export function createPasswordFile(file: string, user: string, password: string): void {
  execFileSync('mosquitto_passwd', ['-b', '-c', file, user, password], { stdio: 'ignore' });
}
