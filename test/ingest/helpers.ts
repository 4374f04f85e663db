import type { CameraConfig, AgentConfig } from '../../agent/config/schema/index.js';
import { validateConfig } from '../../agent/config/validate.js';
import { TypedBus } from '../../agent/core/bus.js';
import type { AgentEvents } from '../../agent/core/events.js';
import { createLogger, type Logger } from '../../agent/core/logger.js';
import { CameraManager, type CameraManagerOptions } from '../../agent/ingest/camera-manager.js';
import type { CameraState } from '../../agent/ingest/types.js';

/** A camera config with every schema default applied, as the agent would see it. */
export function cameraConfig(cam: Record<string, unknown>, recording: Record<string, unknown> = {}): { camera: CameraConfig; recording: AgentConfig['recording'] } {
  const res = validateConfig({ gateway: { id: 'gw-test' }, mqtt: { url: 'mqtt://127.0.0.1:1883' }, cameras: [cam], recording });
  if (!res.ok) throw new Error(`test camera config invalid: ${JSON.stringify(res.problems)}`);
  return { camera: res.config.cameras[0], recording: res.config.recording };
}

export function cameras(list: Array<Record<string, unknown>>): CameraConfig[] {
  return list.map((c) => cameraConfig(c).camera);
}

export interface Harness {
  manager: CameraManager;
  bus: TypedBus<AgentEvents>;
  frames: Map<string, AgentEvents['camera.frame'][]>;
  states: Array<{ cameraId: string; state: CameraState; code?: string }>;
  segments: AgentEvents['camera.segment'][];
}

/** A CameraManager on a real bus that records what it emits (frames: only the last 50 per camera). */
export function harness(
  list: CameraConfig[],
  dataDir: string,
  recording: Record<string, unknown> = { segmentSeconds: 2 },
  resolveOnvif?: CameraManagerOptions['resolveOnvif'],
  logger: Logger = createLogger(process.env.EDGE_LOG_LEVEL ?? 'silent'),
): Harness {
  const bus = new TypedBus<AgentEvents>();
  const frames = new Map<string, AgentEvents['camera.frame'][]>();
  const states: Harness['states'] = [];
  const segments: Harness['segments'] = [];
  bus.on('camera.frame', (f) => {
    const arr = frames.get(f.cameraId) ?? [];
    arr.push(f);
    if (arr.length > 50) arr.shift();
    frames.set(f.cameraId, arr);
  });
  bus.on('camera.state', (s) => states.push({ cameraId: s.cameraId, state: s.state, code: s.error?.code }));
  bus.on('camera.segment', (s) => segments.push(s));
  const rec = cameraConfig({ id: 'x', source: { kind: 'test' } }, recording).recording;
  const manager = new CameraManager({ cameras: list, dataDir, recording: rec, bus, logger, resolveOnvif });
  return { manager, bus, frames, states, segments };
}

export function frameCount(h: Harness, id: string): number {
  return h.frames.get(id)?.length ?? 0;
}

