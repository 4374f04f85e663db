import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateTestPki, type TestPki } from '../../support/tls.js';

/** The shared test PKI plus one client certificate per name (CN = name: the broker's user name). */
export function generatePkiWithClients(dir: string, names: string[]): TestPki & { clients: Record<string, { cert: string; key: string }> } {
  const pki = generateTestPki(dir);
  const clients: Record<string, { cert: string; key: string }> = {};
  const run = (args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  for (const name of names) {
    run(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `c-${name}.key`]);
    run(['req', '-new', '-key', `c-${name}.key`, '-subj', `/CN=${name}`, '-out', `c-${name}.csr`]);
    writeFileSync(path.join(dir, `c-${name}.ext`), 'extendedKeyUsage=clientAuth\n');
    run(['x509', '-req', '-in', `c-${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-sha256', '-extfile', `c-${name}.ext`, '-out', `c-${name}.pem`]);
    clients[name] = { cert: path.join(dir, `c-${name}.pem`), key: path.join(dir, `c-${name}.key`) };
  }
  return { ...pki, clients };
}
