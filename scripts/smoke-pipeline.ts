/**
 * Smoke test of an installed agent, shipped in the release as dist/scripts/smoke-pipeline.js:
 *   node /opt/edge-agent/dist/scripts/smoke-pipeline.js [--seconds 900] [--events 1] [--clip FILE]
 * Starts an embedded MQTT broker, runs the real service (`edge-agent run`) on a config with one file camera
 * looping the shipped street clip, and waits until detection events arrive over MQTT: GStreamer decode,
 * motion, ONNX inference, tracking, the LevelDB outbox and the uplink all had to work. Prints milestones
 * with their elapsed seconds and a JSON line of figures; exit 0 when enough events came in time.
 * Used by scripts/verify-arm64.sh under qemu, where one inference takes 10+ s: tracks are confirmed on
 * the first detection and live for minutes, so slowness does not hide a working pipeline.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { INSTALL_ROOT } from '../agent/core/version.js';
import { startEmbeddedBroker } from '../agent/runtime/demo-broker.js';

interface Options {
  seconds: number;
  events: number;
  clip: string;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { seconds: 900, events: 1, clip: path.join(INSTALL_ROOT, 'scripts/demo/street.mp4') };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--seconds') opts.seconds = Number(value);
    else if (flag === '--events') opts.events = Number(value);
    else if (flag === '--clip') opts.clip = path.resolve(value);
    else throw new Error(`smoke-pipeline: unknown option ${flag}`);
  }
  return opts;
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const elapsed = (): number => Math.round((Date.now() - t0) / 100) / 10;
  const figures: Record<string, unknown> = {};
  const milestone = (name: string, detail = ''): void => {
    if (name in figures) return;
    figures[name] = elapsed();
    process.stdout.write(`smoke: ${String(figures[name]).padStart(6)} s  ${name}${detail ? `: ${detail}` : ''}\n`);
  };

  const broker = await startEmbeddedBroker();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'edge-smoke-'));
  const gatewayId = 'smoke-gw';
  const configFile = path.join(dataDir, 'config.json');
  writeFileSync(configFile, JSON.stringify({
    gateway: { id: gatewayId, dataDir },
    mqtt: { url: broker.url, protocolVersion: 4 },
    health: { intervalSeconds: 10 },
    cameras: [{ id: 'street', source: { kind: 'file', path: opts.clip, loop: true }, detect: { fps: 2 } }],
    detection: { tracking: { minHits: 1, maxDisappearedSeconds: 300 } },
  }));

  let events = 0;
  const view = mqtt.connect(broker.url, { protocolVersion: 4, clientId: `smoke-${process.pid}` });
  view.on('message', (topic, payload) => {
    const kind = topic.split('/').slice(2).join('/');
    let m: Record<string, unknown> = {};
    try { m = JSON.parse(payload.toString()) as Record<string, unknown>; } catch { return; }
    if (kind === 'status' && m.state === 'online') milestone('online', `version ${String(m.version)}`);
    if (kind === 'health') {
      const cam = (m.cameras as Record<string, { state?: string; fpsIn?: number; detectFps?: number }> | undefined)?.street;
      if (cam?.state === 'streaming') milestone('streaming', `${Number(cam.fpsIn ?? 0).toFixed(1)} fps decoded`);
      if ((cam?.detectFps ?? 0) > 0) milestone('frames processed', `${Number(cam?.detectFps).toFixed(2)} fps through detection`);
    }
    if (kind === 'events') {
      events += 1;
      milestone('first event', `${String(m.type)} ${String(m.label)} ${Number(m.score).toFixed(2)} (seq ${String(m.seq)})`);
      process.stdout.write(`smoke: ${String(elapsed()).padStart(6)} s  event ${events}: ${String(m.type)} ${String(m.label)} ${Number(m.score).toFixed(2)}\n`);
    }
  });
  await view.subscribeAsync(`edge/${gatewayId}/#`, { qos: 1 });

  // From a checkout (tsx) the sources, installed the built agent.
  const cli = __filename.endsWith('.ts') ? ['--import', 'tsx', path.join(INSTALL_ROOT, 'agent/cli/main.ts')] : [path.join(INSTALL_ROOT, 'dist/agent/cli/main.js')];
  const agent = spawn(process.execPath, [...cli, 'run', '--config', configFile], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, EDGE_LOG_LEVEL: process.env.EDGE_LOG_LEVEL ?? 'warn' } });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => agent.once('exit', (code, signal) => resolve({ code, signal })));
  milestone('agent started', `pid ${agent.pid}`);

  const deadline = Date.now() + opts.seconds * 1000;
  let stopping = false;
  let early: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((r) => { if (!stopping) early = r; });
  while (events < opts.events && Date.now() < deadline && !early) await new Promise((r) => setTimeout(r, 500));
  figures.events = events;
  figures.seconds = elapsed();

  stopping = true;
  agent.kill('SIGTERM');
  const stopStart = Date.now();
  const timer = setTimeout(() => agent.kill('SIGKILL'), 40_000);
  const exit = await exited;
  clearTimeout(timer);
  figures.stopSeconds = Math.round((Date.now() - stopStart) / 100) / 10;
  figures.exit = exit.signal ?? exit.code;
  await view.endAsync(true);
  await broker.close();
  rmSync(dataDir, { recursive: true, force: true });

  const ok = events >= opts.events;
  if (early) process.stdout.write(`smoke: the agent exited by itself (${String(early.signal ?? early.code)}) after ${figures.seconds} s\n`);
  if (exit.code !== 0) process.stdout.write(`smoke: warning: the agent's stop ended with ${String(exit.signal ?? exit.code)}, not exit 0\n`);
  process.stdout.write(`smoke: ${ok ? 'PASS' : 'FAIL'}: ${events} event(s) in ${figures.seconds} s (wanted ${opts.events} within ${opts.seconds} s)\n`);
  process.stdout.write(JSON.stringify({ smokePipeline: figures, arch: process.arch }) + '\n');
  return ok ? 0 : 1;
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`smoke-pipeline: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(2);
});
