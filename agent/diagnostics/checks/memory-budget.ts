/**
 * Whether the box's memory can carry the configured cameras: the agent's measured footprint
 * (`npm run bench -- memory`, docs/diagnostics.md) against MemAvailable plus what a running agent of
 * this data dir already holds (its memory is in use, not lost, when diag runs beside it).
 */
import { readFileSync } from 'node:fs';
import type { AgentConfig } from '../../config/schema/index.js';
import { findCameraProcesses, isAgentProcess } from '../../ingest/stale-camera-processes.js';
import { sourceHoldsCredentials } from '../../ingest/camera-source.js';
import { zygoteInstalled } from '../../ingest/camera-zygote.js';
import { pass, warn, type Outcome } from '../check-runner.js';

const MiB = 1024 ** 2;
/**
 * PSS of one camera forked by the camera zygote, its launcher included (pipeline, decoder pool; the
 * libraries shared with the zygote and the other cameras), 640x360 detect at 5 fps: 11-19 MB measured.
 */
export const FORKED_CAMERA_PSS_MIB = 20;
/** PSS of the camera zygote itself, once per agent: 16 MB measured with four cameras. */
export const ZYGOTE_PSS_MIB = 16;
/** Without a zygote: PSS of one camera's gst-launch-1.0 child, 640x360 detect at 5 fps: 23-32 MB measured. */
export const CAMERA_PSS_MIB = 32;
/** Without a zygote, a camera with a password runs a Node launcher instead (a V8 of its own, ingest/camera-launch.ts): ~40 MB measured, up to 90 before. */
export const PASSWORD_CAMERA_PSS_MIB = 90;
/** PSS of the main process without detection (MQTT, LevelDB, schema, status page). */
export const AGENT_BASE_PSS_MIB = 100;
/** What detection adds to the main process (onnxruntime session, inference and snapshot workers). */
export const DETECTION_PSS_MIB = 150;

export interface MemoryBudget {
  cameras: number;
  /** Of those, cameras whose pipeline holds a password (the heavier child without a zygote). */
  passwordCameras?: number;
  /** Cameras are forked by the camera zygote (agent/ingest/camera-zygote.ts). */
  zygote?: boolean;
  detection: boolean;
  availableBytes: number;
  /** PSS the running agent of this data dir holds now (0 when none runs). */
  runningAgentBytes: number;
}

/** The cameras' share of the need, and how it was counted (the figures a technician can check). */
function camerasNeed(b: MemoryBudget): { mib: number; text: string } {
  if (b.zygote) {
    return { mib: (b.cameras > 0 ? ZYGOTE_PSS_MIB : 0) + b.cameras * FORKED_CAMERA_PSS_MIB, text: `${b.cameras} × ${FORKED_CAMERA_PSS_MIB} MiB per camera + ${ZYGOTE_PSS_MIB} MiB for the camera zygote` };
  }
  const heavy = b.passwordCameras ?? 0;
  return {
    mib: (b.cameras - heavy) * CAMERA_PSS_MIB + heavy * PASSWORD_CAMERA_PSS_MIB,
    text: `${b.cameras - heavy} × ${CAMERA_PSS_MIB} MiB per camera${heavy ? ` + ${heavy} × ${PASSWORD_CAMERA_PSS_MIB} MiB per camera with a password` : ''}, no camera zygote`,
  };
}

export function memoryBudgetOutcome(b: MemoryBudget): Outcome {
  const agentMiB = AGENT_BASE_PSS_MIB + (b.detection ? DETECTION_PSS_MIB : 0);
  const cameras = camerasNeed(b);
  const needMiB = agentMiB + cameras.mib;
  const haveMiB = Math.round((b.availableBytes + b.runningAgentBytes) / MiB);
  const running = b.runningAgentBytes > 0 ? ` (${Math.round(b.availableBytes / MiB)} MiB available + ${Math.round(b.runningAgentBytes / MiB)} MiB held by the running agent)` : ' available';
  const detail = `${b.cameras} camera(s)${b.detection ? ' with detection' : ''} need ~${needMiB} MiB (agent ${agentMiB} MiB + ${cameras.text}); ${haveMiB} MiB${running}`;
  if (haveMiB < needMiB) {
    return warn(haveMiB - needMiB, detail, 'the box cannot carry these cameras: disable a camera, lower detect resolution, stop other services, or use a board with more RAM', 'MiB spare');
  }
  return pass(haveMiB - needMiB, detail, 'MiB spare');
}

function pssBytes(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0; // ended meanwhile, or no smaps_rollup (Linux < 4.14): counted as not running
  }
}

/** PSS of the agent(s) running for dataDir: their camera processes and the agent processes that forked them. */
export function runningAgentBytes(dataDir: string): number {
  const cameras = findCameraProcesses(dataDir);
  const parents = new Set(cameras.map((c) => c.ppid).filter(isAgentProcess));
  return [...cameras.map((c) => c.pid), ...parents].reduce((sum, pid) => sum + pssBytes(pid), 0);
}

export function memoryBudget(config: AgentConfig, availableBytes: number): MemoryBudget {
  const cameras = config.cameras.filter((c) => c.enabled);
  return {
    cameras: cameras.length,
    passwordCameras: cameras.filter((c) => sourceHoldsCredentials(c.source)).length,
    detection: config.detection.enabled && cameras.some((c) => c.detect.enabled),
    zygote: zygoteInstalled(),
    availableBytes,
    runningAgentBytes: runningAgentBytes(config.gateway.dataDir),
  };
}
