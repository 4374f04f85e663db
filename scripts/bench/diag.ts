/**
 * How long `edge-agent diag` takes on this box, and how long a dead broker or camera costs it:
 * a full local run (system, clock, GStreamer, a file camera on the demo clip decoded for real, the
 * detector, storage) and an uplink/camera run against addresses where nothing listens.
 * `npx tsx scripts/bench/diag.ts`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { validateConfig } from '../../agent/config/validate.js';
import { INSTALL_ROOT } from '../../agent/core/version.js';
import { runDiagnostics } from '../../agent/diagnostics/run-diagnostics.js';
import type { DiagReport } from '../../agent/diagnostics/report-schema.js';

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function groupMs(report: DiagReport): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of report.checks) out[c.group] = (out[c.group] ?? 0) + c.durationMs;
  return out;
}

export async function run(): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-diag-'));
  try {
    const dead = await closedPort();
    const v = validateConfig({
      gateway: { id: 'gw-bench', dataDir },
      mqtt: { url: `mqtt://127.0.0.1:${dead}` },
      cameras: [
        { id: 'street', source: { kind: 'file', path: path.join(INSTALL_ROOT, 'scripts/demo/street.mp4'), loop: true } },
        { id: 'dead', source: { kind: 'rtsp', url: `rtsp://127.0.0.1:${dead}/cam` } },
      ],
    });
    if (!v.ok) throw new Error(JSON.stringify(v.problems));
    const local = await runDiagnostics(v.config, { only: ['system', 'clock', 'gstreamer', 'cameras', 'detector', 'storage'] });
    const unreachable = await runDiagnostics(v.config, { only: ['uplink'] });
    // A host that accepts connections and then says nothing (a hung broker, a frozen camera):
    // each costs its own step deadline, concurrently, not the sum.
    const silent = net.createServer(() => undefined).listen(0, '127.0.0.1');
    await new Promise((r) => silent.once('listening', r));
    const hungPort = (silent.address() as net.AddressInfo).port;
    const hung = validateConfig({ ...v.config, mqtt: { url: `mqtt://127.0.0.1:${hungPort}` }, cameras: [{ id: 'frozen', source: { kind: 'rtsp', url: `rtsp://127.0.0.1:${hungPort}/cam` } }] });
    if (!hung.ok) throw new Error(JSON.stringify(hung.problems));
    const hungReport = await runDiagnostics(hung.config, { only: ['uplink', 'cameras'] });
    silent.close();
    const find = (r: DiagReport, id: string): DiagReport['checks'][number] | undefined => r.checks.find((c) => c.id === id);
    const figures = {
      fullLocalRunS: Number((local.durationMs / 1000).toFixed(1)),
      groupMs: groupMs(local),
      decodeFps: find(local, 'camera.street.decode')?.value ?? null,
      detectorInferenceMs: find(local, 'detector.inference')?.value ?? null,
      deadCameraMs: (find(local, 'camera.dead.source')?.durationMs ?? 0) + (find(local, 'camera.dead.onvif')?.durationMs ?? 0),
      deadBrokerRunMs: unreachable.durationMs,
      hungBrokerAndCameraRunMs: hungReport.durationMs,
      hungDetail: hungReport.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.detail ?? ''}`),
      verdicts: { local: local.verdict, deadBroker: unreachable.verdict },
      loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
    };
    console.log(`diag bench (load average ${figures.loadAverage1m})`);
    console.log(`  full local run: ${figures.fullLocalRunS} s; decode ${String(figures.decodeFps)} fps; inference ${String(figures.detectorInferenceMs)} ms`);
    console.log(`  dead camera costs ${figures.deadCameraMs} ms; a run against a dead broker takes ${figures.deadBrokerRunMs} ms`);
    console.log(`  hung broker + hung camera (accept, never answer): ${figures.hungBrokerAndCameraRunMs} ms (${figures.hungDetail.join('; ')})`);
    console.log(JSON.stringify(figures));
    return figures;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run().then(() => process.exit(0), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
