import { execFileSync } from 'node:child_process';
import type { AgentConfig } from '../../agent/config/schema/index.js';
import { createLogger } from '../../agent/core/logger.js';

export const quietLogger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'test');

/** The mqtt section as validation would fill it in, with a short back-off for tests. */
export function mqttConfig(url: string, over: Partial<Omit<AgentConfig['mqtt'], 'url'>> = {}): AgentConfig['mqtt'] {
  const defaults: AgentConfig['mqtt'] = { url, topicPrefix: 'edge', protocolVersion: 5, keepaliveSeconds: 30, sessionExpirySeconds: 3600, reconnectMinMs: 200, reconnectMaxMs: 1000 };
  return Object.assign(defaults, over);
}

export function createPasswordFile(file: string, user: string, password: string): void {
  execFileSync('mosquitto_passwd', ['-b', '-c', file, user, password], { stdio: 'ignore' });
}
