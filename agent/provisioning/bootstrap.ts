import { createPublicKey } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { ConfigInvalidError } from '../config/load.js';
import type { AgentConfig } from '../config/schema/index.js';
import { validateConfig } from '../config/validate.js';
import { AgentError } from '../core/errors.js';
import { deriveGatewayId } from '../identity/gateway-id.js';
import { writeFileAtomic } from '../core/atomic-file.js';
import { BootstrapSchema, type Bootstrap } from './bootstrap-schema.js';
import { keyId } from './jws.js';
import { loadTrustStore } from './trust-store.js';

export interface BootstrapResult {
  gatewayId: string;
  /** The config to start on until the first desired config is applied (last-good wins once it exists). */
  config: AgentConfig;
  /** Files written under dataDir (trust keys, TLS material given inline). */
  written: string[];
  /** Things a technician should fix but that do not stop the start (e.g. a world-readable bootstrap holding a secret). */
  warnings: string[];
}

const validateBootstrap = new Ajv({ allErrors: true, strict: false }).compile<Bootstrap>(BootstrapSchema);
const isPem = (v: string): boolean => v.trimStart().startsWith('-----BEGIN ');

/**
 * Reads a bootstrap file and materialises it under dataDir: inline fleet keys go to
 * provisioning/trust/<kid>.pub, inline TLS material to bootstrap/ (private key 0600), and returns the
 * minimal config (broker + trust store) validated against THE schema. The trust store refuses inline keys
 * (TRUST_KEY_WRITABLE) unless the agent runs as root: the data dir is the agent user's to write.
 */
export function loadBootstrap(file: string): BootstrapResult {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AgentError('BOOTSTRAP_UNREADABLE', `cannot read bootstrap file ${file}: ${(err as Error).message}`, 'check the path given with --bootstrap', { cause: err });
  }
  if (!validateBootstrap(raw)) {
    const problems = (validateBootstrap.errors ?? []).map((e) => ({ path: e.instancePath.replace(/^\//, '').replace(/\//g, '.') || '$', reason: e.keyword === 'additionalProperties' ? `unknown key ${String(e.params.additionalProperty)}` : e.message ?? e.keyword }));
    throw new ConfigInvalidError(file, problems);
  }
  const b = raw;
  const baseDir = path.dirname(path.resolve(file));
  const dataDir = path.resolve(baseDir, b.dataDir ?? '/var/lib/edge-agent');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  const warnings: string[] = [];

  const trustFiles = b.trustedKeys.map((entry, i) => {
    if (!isPem(entry)) return path.resolve(baseDir, entry);
    let key;
    try {
      key = createPublicKey(entry);
    } catch (err) {
      throw new AgentError('BOOTSTRAP_INVALID', `trustedKeys[${i}] is not a PEM public key`, 'paste the content of fleet.pub', { cause: err });
    }
    const out = path.join(dataDir, 'provisioning', 'trust', `${keyId(key)}.pub`);
    writeFileAtomic(out, key.export({ type: 'spki', format: 'pem' }).toString(), 0o644);
    written.push(out);
    return out;
  });
  loadTrustStore(trustFiles); // fail now, not at the first push

  const tls = b.mqtt.tls ? { ...b.mqtt.tls } : undefined;
  if (tls) {
    for (const [field, name, mode] of [['ca', 'ca.pem', 0o644], ['cert', 'client.pem', 0o644], ['key', 'client.key', 0o600]] as const) {
      const v = tls[field];
      if (v === undefined) continue;
      if (isPem(v)) {
        const out = path.join(dataDir, 'bootstrap', name);
        writeFileAtomic(out, v.endsWith('\n') ? v : `${v}\n`, mode);
        written.push(out);
        tls[field] = out;
      } else tls[field] = path.resolve(baseDir, v);
    }
  }
  const holdsSecret = typeof (b.mqtt as { password?: unknown }).password === 'string' || (b.mqtt.tls?.key !== undefined && isPem(b.mqtt.tls.key));
  try {
    // Group read is fine for the agent's own group (install.sh: root:edge-agent 0640), not for another group.
    const st = statSync(file);
    const othersRead = (st.mode & 0o007) !== 0 || ((st.mode & 0o070) !== 0 && st.gid !== process.getgid?.());
    if (holdsSecret && othersRead) warnings.push(`${file} holds a secret and is readable by other users: chmod 600 it (or 640 with the agent's own group)`);
  } catch { /* read above, so it exists */ }

  const gatewayId = b.gatewayId ?? deriveGatewayId();
  const result = validateConfig({
    gateway: { id: gatewayId, dataDir, ...(b.name !== undefined ? { name: b.name } : {}) },
    mqtt: { ...b.mqtt, ...(tls ? { tls } : {}) },
    provisioning: { trustedKeys: trustFiles },
  });
  if (!result.ok) throw new ConfigInvalidError(file, result.problems);
  return { gatewayId, config: result.config, written, warnings };
}
