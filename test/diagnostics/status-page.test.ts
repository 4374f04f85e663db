import assert from 'node:assert/strict';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { chromium, type Browser } from 'playwright-core';
import { startCli, stopProcess } from '../support/agent-cli.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { fileCamera, writeAgentConfig } from '../e2e/support.js';
import type { DiagReport } from '../../agent/diagnostics/report-schema.js';
import type { AgentStatus } from '../../agent/diagnostics/status-page/types.js';
import { check, validateReport } from './helpers.js';

const PASSWORD = 'cabinet-7-technician';
/** The bits of an <img> element the test reads (the project compiles without DOM types). */
interface ImageLike { complete: boolean; naturalWidth: number }

describe('the technician status page (real agent, real browser)', function () {
  this.timeout(240000);
  const tmp = tempDir('status-page-');
  const broker = new MosquittoBroker();
  let agent: ReturnType<typeof startCli>;
  let browser: Browser;
  let base = '';

  before(async () => {
    await broker.start();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const config = writeAgentConfig(tmp.dir, 'gw-page', broker.url, {
      statusPage: { enabled: true, host: '127.0.0.1', port, password: { env: 'EDGE_TEST_PAGE_PASSWORD' } },
      analytics: { countIntervalSeconds: 60 },
      cameras: [
        fileCamera('street', 'ozlu_vehicle_survaillance.mp4', {
          record: { enabled: false },
          lines: [{ name: 'across', from: [0, 0.6], to: [1, 0.6] }],
          zones: [{ name: 'kerb', polygon: [[0, 0.7], [0.5, 0.7], [0.5, 1], [0, 1]] }],
        }),
      ],
    });
    agent = startCli(['run', '--config', config], { EDGE_TEST_PAGE_PASSWORD: PASSWORD });
    const auth = { Authorization: `Bearer ${PASSWORD}` };
    await waitFor(async () => (await fetch(`${base}/api/cameras/street/snapshot.jpg`, { headers: auth })).status === 200, { timeoutMs: 120000, what: `a snapshot from the status page (${agent.log.slice(-500)})` });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  after(async () => {
    await browser?.close();
    if (agent) await stopProcess(agent);
    await broker.dispose();
    tmp.cleanup();
  });

  it('refuses a wrong password and no password, in the browser and for tools', async () => {
    const ctx = await browser.newContext({ httpCredentials: { username: 'tech', password: 'guess' } });
    const page = await ctx.newPage();
    const res = await page.goto(base);
    assert.equal(res?.status(), 401);
    assert.match(await page.content(), /password required/);
    await ctx.close();
    for (const url of ['/', '/api/status', '/api/diag', '/metrics', '/api/cameras/street/snapshot.jpg']) {
      assert.equal((await fetch(base + url)).status, 401, `${url} without a password`);
      assert.equal((await fetch(base + url, { headers: { Authorization: 'Bearer wrong' } })).status, 401, `${url} with a wrong one`);
    }
  });

  it('shows each camera with a live snapshot that renders, its state and fps, diagnostics and the outbox', async () => {
    const ctx = await browser.newContext({ httpCredentials: { username: 'tech', password: PASSWORD }, viewport: { width: 412, height: 1400 } });
    const page = await ctx.newPage();
    const res = await page.goto(base);
    assert.equal(res?.status(), 200);
    const img = page.locator('#cam-street img');
    await img.waitFor({ timeout: 30000 });
    await waitFor(() => img.evaluate((el) => (el as unknown as ImageLike).complete && (el as unknown as ImageLike).naturalWidth > 0), { timeoutMs: 30000, what: 'the snapshot image decoded in the browser' });
    assert.equal(await img.evaluate((el) => (el as unknown as ImageLike).naturalWidth), 640);
    await waitFor(async () => /streaming/.test(await page.locator('#cam-street .info').innerText()), { timeoutMs: 30000, what: 'camera state on the page' });
    assert.match(await page.locator('#cam-street .info').innerText(), /in [\d.]+ fps/);
    await waitFor(async () => /\bpending\b/.test(await page.locator('#outbox').innerText()), { timeoutMs: 30000, what: 'outbox figures' });
    await waitFor(async () => (await page.locator('#diag tr').count()) > 5, { timeoutMs: 120000, what: 'diagnostics table' });
    // The diag run measured the model: the page shows the variant, its time here and the camera estimate.
    await waitFor(async () => /carries about \d+ camera/.test(await page.locator('#capacity').innerText()), { timeoutMs: 30000, what: 'detector capacity on the page' });
    assert.match(await page.locator('#capacity').innerText(), /centernet-512x288-road\.onnx \(512x288[^)]*\)\s+[\d.]+ ms per inference on this box/);

    // The screenshot really shows the street: the image area is not a flat colour.
    const shot = await img.screenshot({ path: path.join(tmp.dir, 'snapshot.png'), type: 'jpeg' });
    const decoded = jpeg.decode(shot, { useTArray: true });
    let min = 255;
    let max = 0;
    for (let i = 0; i < decoded.data.length; i += 4) {
      const y = decoded.data[i];
      if (y < min) min = y;
      if (y > max) max = y;
    }
    assert.ok(max - min > 80, `snapshot has real picture content (luma range ${min}..${max})`);
    await ctx.close();
  });

  it('draws the camera\'s lines and zones over the snapshot with the running counts and the occupancy', async () => {
    const ctx = await browser.newContext({ httpCredentials: { username: 'tech', password: PASSWORD } });
    const page = await ctx.newPage();
    await page.goto(base);
    const line = page.locator('#cam-street svg line');
    await line.waitFor({ state: 'attached', timeout: 30000 });
    assert.deepEqual(await line.evaluate((el) => ['x1', 'y1', 'x2', 'y2'].map((k) => (el as unknown as { getAttribute(n: string): string }).getAttribute(k))), ['0', '0.6', '1', '0.6']);
    assert.equal(await page.locator('#cam-street svg polygon').getAttribute('points'), '0,0.7 0.5,0.7 0.5,1 0,1');
    await waitFor(async () => /^across ab \d+ · ba \d+$/.test(await page.locator('#cam-street .line-tag').innerText()), { timeoutMs: 30000, what: 'the line\'s counts on the picture' });
    assert.match(await page.locator('#cam-street .zone-tag').innerText(), /^kerb: /);
    assert.match(await page.locator('#cam-street .info').innerText(), /counts since \d\d:\d\d:00: across/);
    const status = (await (await fetch(`${base}/api/status`, { headers: { Authorization: `Bearer ${PASSWORD}` } })).json()) as {
      cameras: Array<{ countsFrom?: string; lines?: Array<{ name: string; counts: Record<string, { ab: number; ba: number }> }>; zones?: Array<{ name: string; occupancy: Record<string, number> }> }>;
    };
    const cam = status.cameras[0];
    assert.equal(Date.parse(cam.countsFrom ?? '') % 60000, 0, 'the running interval starts on a multiple of the interval');
    assert.deepEqual(cam.lines?.map((l) => l.name), ['across']);
    assert.ok(Object.values(cam.lines?.[0].counts ?? {}).every((c) => Number.isInteger(c.ab) && Number.isInteger(c.ba)));
    assert.ok(cam.lines?.[0].counts.car, 'tracked labels listed with zeros at least');
    assert.deepEqual(cam.zones?.map((z) => z.name), ['kerb']);
    await ctx.close();
  });

  it('serves /api/status, /api/diag and Prometheus /metrics for tools', async () => {
    const auth = { Authorization: `Bearer ${PASSWORD}` };
    const status = (await (await fetch(`${base}/api/status`, { headers: auth })).json()) as { gatewayId: string; cameras: Array<{ id: string; state: string }> };
    assert.equal(status.gatewayId, 'gw-page');
    assert.equal(status.cameras[0].id, 'street');
    const diag = (await (await fetch(`${base}/api/diag`, { headers: auth })).json()) as DiagReport;
    assert.ok(validateReport(diag), JSON.stringify(validateReport.errors));
    assert.ok(diag.capacity, 'the diag report carries the capacity');
    assert.equal(diag.capacity.model.file, 'centernet-512x288-road.onnx');
    assert.equal(check(diag, 'detector.capacity').value, diag.capacity.camerasCarried);
    // /api/status carries the last run's estimate: this diag's own measurement, not a second one.
    const withCapacity = (await (await fetch(`${base}/api/status`, { headers: auth })).json()) as AgentStatus;
    assert.ok(withCapacity.capacity, 'status carries the capacity once a diag ran');
    assert.equal(withCapacity.capacity.measuredAt, diag.startedAt);
    assert.equal(withCapacity.capacity.inferenceMs, diag.capacity.inferenceMs);
    assert.deepEqual(withCapacity.capacity.cameras.map((c) => c.id), ['street']);
    const metrics = await (await fetch(`${base}/metrics`, { headers: auth })).text();
    assert.match(metrics, /^edge_detector_capacity_cameras\{model="centernet-512x288-road\.onnx"\} \d+$/m);
    assert.match(metrics, /^# TYPE edge_camera_fps_in gauge$/m);
    assert.match(metrics, /^edge_camera_fps_in\{camera="street"\} [\d.]+$/m);
    assert.match(metrics, /^edge_outbox_pending \d+$/m);
    assert.match(metrics, /^edge_camera_reconnects_total\{camera="street"\} \d+$/m);
    const snap = await fetch(`${base}/api/cameras/street/snapshot.jpg`, { headers: auth });
    assert.equal(snap.headers.get('content-type'), 'image/jpeg');
    assert.equal((await fetch(`${base}/api/cameras/nope/snapshot.jpg`, { headers: auth })).status, 404);
  });
});
