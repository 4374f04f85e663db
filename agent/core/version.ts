import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Install root (holds package.json, models/, pipelines/) whether run from source (tsx) or dist/. */
export const INSTALL_ROOT = ((): string => {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'edge-camera-agent') return dir;
    } catch { /* keep climbing */ }
    dir = path.dirname(dir);
  }
  return process.cwd();
})();

export const AGENT_VERSION: string = (JSON.parse(readFileSync(path.join(INSTALL_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
