import type { Command } from 'commander';
import { discoverOnvif, type DiscoveredCamera } from '../../ingest/onvif/discover.js';

interface DiscoverCliOptions {
  timeout: string;
  probe?: string[];
  username?: string;
  password?: string;
  json?: boolean;
}

function formatCamera(c: DiscoveredCamera): string {
  const lines = [`${c.name ?? '(unnamed)'}  ${c.host}:${c.port}${c.hardware ? `  ${c.hardware}` : ''}`, `  device:  ${c.xaddr}`, `  id:      ${c.endpoint}`];
  if (c.streamUri) lines.push(`  stream:  ${c.streamUri}  (profile ${c.profile}; profiles: ${c.profiles?.join(', ')})`);
  else if (c.error) lines.push(`  stream:  ${c.error.code}: ${c.error.message}${c.error.remedy ? `\n           remedy: ${c.error.remedy}` : ''}`);
  else lines.push('  stream:  (give --username/--password to resolve the RTSP URI)');
  return lines.join('\n');
}

/**
 * `edge-agent discover`: WS-Discovery for ONVIF cameras. Multicast on the local segment by default;
 * `--probe HOST[:PORT]` sends a unicast probe instead (across routers, or to one camera).
 * Exit 0 when at least one camera answered, 1 when none did.
 */
export function register(program: Command): void {
  program
    .command('discover')
    .description('find ONVIF cameras (WS-Discovery) and, with credentials, their RTSP stream URIs')
    .option('--timeout <seconds>', 'how long to wait for answers', '3')
    .option('--probe <host[:port]>', 'unicast probe to this host instead of multicast (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--username <user>', 'ONVIF username, to resolve stream URIs')
    .option('--password <password>', 'ONVIF password')
    .option('--json', 'print one JSON document')
    .action(async (opts: DiscoverCliOptions) => {
      const seconds = Number(opts.timeout);
      if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`--timeout must be a positive number of seconds, got "${opts.timeout}"`);
      const cams = await discoverOnvif({
        targets: opts.probe,
        timeoutMs: seconds * 1000,
        username: opts.username,
        password: opts.password ?? (opts.username !== undefined ? '' : undefined),
      });
      if (opts.json) process.stdout.write(JSON.stringify({ cameras: cams }, null, 2) + '\n');
      else if (cams.length === 0) process.stdout.write(`no ONVIF camera answered within ${seconds} s${opts.probe ? ` (probed ${opts.probe.join(', ')})` : ''}\n`);
      else process.stdout.write(`${cams.length} ONVIF camera(s):\n\n${cams.map(formatCamera).join('\n\n')}\n`);
      process.exitCode = cams.length ? 0 : 1;
    });
}
