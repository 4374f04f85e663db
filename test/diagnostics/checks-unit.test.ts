import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { parseChronyTracking, parseTimesyncOffset, offsetOutcome, syncOutcome } from '../../agent/diagnostics/checks/clock.js';
import { pipelineElements, packageFor } from '../../agent/diagnostics/checks/gstreamer.js';
import { childSpawnOutcome, cpuLoadOutcome, throttledOutcome, temperatureOutcome } from '../../agent/diagnostics/checks/system.js';
import { certExpiryOutcome, brokerAddress } from '../../agent/diagnostics/checks/uplink.js';
import { backlogOutcome } from '../../agent/diagnostics/checks/storage.js';
import { runGroup, pass } from '../../agent/diagnostics/check-runner.js';
import { authorization } from '../../agent/diagnostics/rtsp-probe.js';
import { capacityOutcome, detectorCapacity, newestCapacity } from '../../agent/diagnostics/checks/detector-capacity.js';
import { busyRegionsPerFrame, camerasCarried } from '../../agent/detection/capacity.js';
import { validateConfig } from '../../agent/config/validate.js';
import { loadManifest } from '../../agent/detection/detector/manifest.js';
import { INSTALL_ROOT } from '../../agent/core/version.js';
import { CAMERA_PSS_MIB, FORKED_CAMERA_PSS_MIB, PASSWORD_CAMERA_PSS_MIB, ZYGOTE_PSS_MIB, memoryBudgetOutcome, runningAgentBytes } from '../../agent/diagnostics/checks/memory-budget.js';
import { findCameraProcesses } from '../../agent/ingest/stale-camera-processes.js';
import { cameraProcessEnv } from '../../agent/ingest/camera-launch.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { validateReport } from './helpers.js';

describe('diag check logic', () => {
  it('decodes vcgencmd get_throttled: now → fail, since boot → warn, none → pass', () => {
    assert.equal(throttledOutcome('0x50005').status, 'fail');
    assert.match(throttledOutcome('0x50005').detail ?? '', /now: under-voltage, throttled; since boot: under-voltage, throttled/);
    assert.equal(throttledOutcome('0x50000').status, 'warn');
    assert.equal(throttledOutcome('0x0').status, 'pass');
  });

  it('grades temperature and load', () => {
    assert.equal(temperatureOutcome(52, 'x').status, 'pass');
    assert.equal(temperatureOutcome(80, 'x').status, 'warn');
    assert.equal(temperatureOutcome(90, 'x').status, 'fail');
    assert.equal(cpuLoadOutcome(1, 4).status, 'pass');
    assert.equal(cpuLoadOutcome(9, 4).status, 'warn');
    assert.deepEqual([childSpawnOutcome('posix_spawn').status, childSpawnOutcome('posix_spawn').value], ['pass', 'posix_spawn']);
    const forked = childSpawnOutcome('fork');
    assert.equal(forked.status, 'warn');
    assert.match(forked.remedy ?? '', /scripts\/build-native\.sh/);
  });

  it('reads chrony and timesyncd answers', () => {
    const chrony = parseChronyTracking('Reference ID    : C0A80001\nSystem time     : 0.250000000 seconds slow of NTP time\nLeap status     : Normal\n');
    assert.deepEqual(chrony, { synchronised: true, source: 'chrony', offsetS: -0.25 });
    assert.equal(parseChronyTracking('Leap status     : Not synchronised\n')?.synchronised, false);
    assert.equal(parseTimesyncOffset('       Server: 10.0.0.1\n       Offset: +1.234ms\n'), 0.001234);
    assert.equal(offsetOutcome(-0.25, 'chrony').status, 'warn');
    assert.equal(offsetOutcome(2, 'chrony').status, 'fail');
    assert.equal(syncOutcome({ synchronised: true, source: 'x' }, new Date('1970-01-01T00:01:00Z')).status, 'fail', 'a never-set clock fails even if a daemon claims sync');
  });

  it('lists the elements of a gst-launch description, not properties, caps or pad references', () => {
    const els = pipelineElements('rtspsrc name=src location="rtsp://h/a b" ! rtph264depay ! h264parse ! tee name=t t. ! queue ! avdec_h264 ! video/x-raw,format=I420 ! appsink name=frames t. ! queue ! splitmuxsink location="/x/%d.ts"');
    assert.deepEqual(els.sort(), ['appsink', 'avdec_h264', 'h264parse', 'queue', 'rtph264depay', 'rtspsrc', 'splitmuxsink', 'tee']);
    assert.equal(packageFor('avdec_h264'), 'gstreamer1.0-libav');
    assert.equal(packageFor('rtspsrc'), 'gstreamer1.0-plugins-good');
  });

  it('grades certificate expiry and broker addresses', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(certExpiryOutcome(new Date('2025-12-01T00:00:00Z'), 'broker', now)?.status, 'fail');
    assert.equal(certExpiryOutcome(new Date('2026-01-10T00:00:00Z'), 'broker', now)?.status, 'warn');
    assert.equal(certExpiryOutcome(new Date('2027-01-01T00:00:00Z'), 'broker', now), undefined);
    assert.deepEqual(brokerAddress('mqtts://broker.example'), { host: 'broker.example', port: 8883, tls: true });
    assert.deepEqual(brokerAddress('mqtt://10.0.0.1:1884'), { host: '10.0.0.1', port: 1884, tls: false });
  });

  it('grades the outbox backlog by quota share and age', () => {
    const now = Date.now();
    assert.equal(backlogOutcome({ pending: 0, bytes: 0 }, 1e9, now).status, 'pass');
    assert.equal(backlogOutcome({ pending: 5, bytes: 9.6e8, oldestTs: now - 1000 }, 1e9, now).status, 'fail');
    assert.equal(backlogOutcome({ pending: 5, bytes: 1000, oldestTs: now - 7200_000 }, 1e9, now).status, 'warn');
  });

  it('answers an RTSP Digest challenge (RFC 2617 without qop)', () => {
    const h = authorization('Digest realm="cam", nonce="abc"', 'DESCRIBE', 'rtsp://h/s', 'u', 'p');
    const md5 = (x: string): string => createHash('md5').update(x).digest('hex');
    const response = md5(`${md5('u:cam:p')}:abc:${md5('DESCRIBE:rtsp://h/s')}`);
    assert.equal(h, `Digest username="u", realm="cam", nonce="abc", uri="rtsp://h/s", response="${response}"`);
    assert.equal(authorization('Basic realm="cam"', 'DESCRIBE', 'x', 'u', 'p'), `Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('a group that overruns its deadline reports the running step as failed and the rest as not attempted', async () => {
    const t0 = Date.now();
    const results = await runGroup({
      group: 'uplink',
      timeoutMs: 300,
      timeoutRemedy: 'check the link',
      steps: [{ id: 'uplink.a', title: 'a' }, { id: 'uplink.b', title: 'b' }, { id: 'uplink.c', title: 'c' }],
      async run(r) {
        r.report('uplink.a', pass(1));
        await new Promise((res) => setTimeout(res, 5000));
      },
    });
    assert.ok(Date.now() - t0 < 2000);
    assert.deepEqual(results.map((x) => [x.id, x.status]), [['uplink.a', 'pass'], ['uplink.b', 'fail'], ['uplink.c', 'skip']]);
    assert.equal(results[1].remedy, 'check the link');
  });

  it('estimates cameras carried in busy scenes from the inference time, the region planner and detect fps', () => {
    assert.equal(camerasCarried(27.8, 1, 5), 3, 'floor(500 / 27.8 / 5)');
    assert.equal(camerasCarried(10, 2, 5), 5);
    assert.equal(camerasCarried(600, 1, 5), 0, 'a box too slow for even one camera says 0');
    // The stage's planner merges objects spread over a whole 640x360 frame into one region; a 1080p
    // frame is several model sides wide, so it takes many.
    const square = (side: number): { width: number; height: number } => ({ width: side, height: side });
    assert.equal(busyRegionsPerFrame(640, 360, square(512)), 1);
    assert.ok(busyRegionsPerFrame(1920, 1080, square(416)) > 4, 'a 1080p detect frame needs many 416 regions');
    assert.equal(busyRegionsPerFrame(1920, 1080, { width: 512, height: 288 }), 1, 'a frame-shaped model sees the whole frame once');
    const manifest = loadManifest(`${INSTALL_ROOT}/models/centernet.manifest.json`);
    const v = validateConfig({
      mqtt: { url: 'mqtt://127.0.0.1:1883' },
      cameras: [
        { id: 'a', source: { kind: 'test' }, detect: { fps: 5 } },
        { id: 'b', source: { kind: 'test' }, detect: { fps: 10 } },
        { id: 'off', enabled: false, source: { kind: 'test' } },
      ],
    });
    assert.ok(v.ok);
    const cap = detectorCapacity(v.config, manifest, 40);
    assert.deepEqual(cap.cameras.map((c) => [c.id, c.camerasCarried]), [['a', 2], ['b', 1]]);
    assert.equal(cap.camerasCarried, 1, 'the most demanding camera sets the estimate');
    assert.match(cap.basis, /at 10 fps.*camera b/);
    assert.equal(cap.busyLoadPercent, 60, '(40*5 + 40*10) ms per second of 1000');
    const outcome = capacityOutcome(cap);
    assert.equal(outcome.status, 'warn', 'two cameras need 60% > 50% of the detector');
    assert.match(outcome.remedy ?? '', /detect\.fps/);
    assert.equal(capacityOutcome(detectorCapacity(v.config, manifest, 20)).status, 'pass');
    const none = validateConfig({ mqtt: { url: 'mqtt://127.0.0.1:1883' }, cameras: [] });
    assert.ok(none.ok);
    const def = detectorCapacity(none.config, manifest, 25);
    assert.deepEqual([def.cameras, def.camerasCarried, def.busyLoadPercent], [[], 4, 0]);
    assert.match(def.basis, /640x360 at 5 fps.*defaults/);
  });

  it('the capacity shown is the newest measurement, not the run that finished last (diag runs overlap)', () => {
    const manifest = loadManifest(`${INSTALL_ROOT}/models/centernet.manifest.json`);
    const none = validateConfig({ mqtt: { url: 'mqtt://127.0.0.1:1883' }, cameras: [] });
    assert.ok(none.ok);
    const older = { startedAt: '2026-12-05T23:44:44.724Z', capacity: detectorCapacity(none.config, manifest, 40) };
    const newer = { startedAt: '2026-12-05T23:44:46.806Z', capacity: detectorCapacity(none.config, manifest, 25) };
    const afterNewer = newestCapacity(undefined, newer);
    assert.deepEqual([afterNewer?.measuredAt, afterNewer?.inferenceMs], [newer.startedAt, 25]);
    // The older run finishes second: what is shown stays the newer one.
    assert.equal(newestCapacity(afterNewer, older), afterNewer);
    // In order, each run replaces the last; a run without a capacity (detection off) keeps it.
    assert.equal(newestCapacity(newestCapacity(undefined, older), newer)?.measuredAt, newer.startedAt);
    assert.equal(newestCapacity(afterNewer, { startedAt: '2026-12-05T23:50:00.000Z' }), afterNewer);
  });

  it('the report schema demands a remedy on every warn and fail', () => {
    const base = { schemaVersion: 1, agentVersion: '0.1.0', gatewayId: 'gw', hostname: 'h', startedAt: new Date().toISOString(), durationMs: 1, verdict: 'warn', summary: 's', counts: { pass: 0, warn: 1, fail: 0, skip: 0 } };
    const c = { id: 'system.memory', group: 'system', title: 't', status: 'warn', value: 3, durationMs: 0 };
    assert.equal(validateReport({ ...base, checks: [c] }), false);
    assert.equal(validateReport({ ...base, checks: [{ ...c, remedy: 'add memory' }] }), true);
  });

  it('warns when the available memory cannot carry the configured cameras, naming the per-camera figure', () => {
    const MiB = 1024 ** 2;
    const short = memoryBudgetOutcome({ cameras: 4, detection: true, availableBytes: 300 * MiB, runningAgentBytes: 0 });
    assert.equal(short.status, 'warn');
    assert.match(short.detail ?? '', new RegExp(`4 × ${CAMERA_PSS_MIB} MiB per camera`));
    assert.ok(short.remedy);
    assert.equal(memoryBudgetOutcome({ cameras: 4, detection: true, availableBytes: 2048 * MiB, runningAgentBytes: 0 }).status, 'pass');
    // One camera more than fits, then the same box without detection carries it.
    const oneCamera = memoryBudgetOutcome({ cameras: 1, detection: true, availableBytes: 0, runningAgentBytes: 0 });
    const need = -Number(oneCamera.value);
    assert.equal(memoryBudgetOutcome({ cameras: 1, detection: true, availableBytes: (need - 1) * MiB, runningAgentBytes: 0 }).status, 'warn');
    assert.equal(memoryBudgetOutcome({ cameras: 1, detection: true, availableBytes: need * MiB, runningAgentBytes: 0 }).status, 'pass');
    // What the running agent already holds is memory it has, not memory missing.
    const beside = memoryBudgetOutcome({ cameras: 1, detection: true, availableBytes: (need - 50) * MiB, runningAgentBytes: 50 * MiB });
    assert.equal(beside.status, 'pass');
    assert.match(beside.detail ?? '', /50 MiB held by the running agent/);
    // A camera with credentials runs the heavier Node launcher: counted at its own figure.
    const withPassword = memoryBudgetOutcome({ cameras: 1, passwordCameras: 1, detection: true, availableBytes: need * MiB, runningAgentBytes: 0 });
    assert.equal(withPassword.status, 'warn', 'what carries one plain camera does not carry one with a password');
    assert.match(withPassword.detail ?? '', new RegExp(`0 × ${CAMERA_PSS_MIB} MiB per camera \\+ 1 × ${PASSWORD_CAMERA_PSS_MIB} MiB per camera with a password`));
    // Forked by the camera zygote, every camera (password or not) costs the forked figure, plus the zygote once.
    const forked = memoryBudgetOutcome({ cameras: 4, passwordCameras: 2, zygote: true, detection: true, availableBytes: 0, runningAgentBytes: 0 });
    const plain = memoryBudgetOutcome({ cameras: 4, passwordCameras: 2, detection: true, availableBytes: 0, runningAgentBytes: 0 });
    assert.equal(Number(forked.value) - Number(plain.value), 2 * CAMERA_PSS_MIB + 2 * PASSWORD_CAMERA_PSS_MIB - 4 * FORKED_CAMERA_PSS_MIB - ZYGOTE_PSS_MIB);
    assert.match(forked.detail ?? '', new RegExp(`4 × ${FORKED_CAMERA_PSS_MIB} MiB per camera \\+ ${ZYGOTE_PSS_MIB} MiB for the camera zygote`));
  });

  it('counts the memory of a running agent of the data dir: its camera processes, not a parent that is no agent', async () => {
    const tmp = tempDir('diag-mem-');
    const other = tempDir('diag-mem-other-');
    // A stand-in camera process of this data dir: only its environment markers matter to the lookup.
    const camera = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', env: { ...process.env, ...cameraProcessEnv('cam1', tmp.dir) } });
    const pss = (pid: number): number => Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1]) * 1024;
    try {
      await waitFor(() => runningAgentBytes(tmp.dir) > 0, { what: 'the stand-in camera process listed' });
      const counted = runningAgentBytes(tmp.dir);
      // Its parent (this mocha process) runs no agent/cli/main: not counted, so the sum stays near the child's own PSS.
      assert.ok(counted < pss(camera.pid as number) + pss(process.pid) / 2, `${counted} counts the test process`);
      assert.equal(runningAgentBytes(other.dir), 0);
    } finally {
      camera.kill('SIGKILL');
      tmp.cleanup();
      other.cleanup();
    }
  });

  it('counts a running agent process that forked camera processes of the data dir, with them', async () => {
    const tmp = tempDir('diag-mem-agent-');
    // Stand-ins: an "agent" (agent/cli/main.js by argv) spawning one "camera process" of tmp.dir (by its environment markers).
    const env = JSON.stringify(cameraProcessEnv('cam1', tmp.dir));
    const agent = spawn(process.execPath, ['-e', `require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', env: { ...process.env, ...${env} } }); setInterval(() => {}, 1000)`, '/opt/x/agent/cli/main.js'], { stdio: 'ignore' });
    const pss = (pid: number): number => Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1]) * 1024;
    try {
      const [cam] = await waitFor(() => { const c = findCameraProcesses(tmp.dir); return c.length === 1 && c; }, { what: 'the stand-in camera process listed' });
      assert.equal(cam.ppid, agent.pid);
      const counted = runningAgentBytes(tmp.dir);
      assert.ok(counted > pss(cam.pid) + pss(agent.pid as number) / 2, `${counted} leaves out the agent process`);
    } finally {
      for (const c of findCameraProcesses(tmp.dir)) process.kill(c.pid, 'SIGKILL');
      agent.kill('SIGKILL');
      tmp.cleanup();
    }
  });
});
