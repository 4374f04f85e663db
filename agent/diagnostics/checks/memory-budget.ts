/**
 * Whether the box's memory can carry the configured cameras: the agent's measured footprint
 * (`npm run bench -- memory`, docs/diagnostics.md) against MemAvailable plus what a running agent of
 * this data dir already holds (its memory is in use, not lost, when diag runs beside it).
 */
import { readFileSync } from 'node:fs';
import type { AgentConfig } from '../../config/schema/index.js';
import { findCameraProcesses, isAgentProcess } from '../../ingest/stale-camera-processes.js';
import { sourceHoldsCredentials } from '../../ingest/camera-source.js';
import { pass, warn, type Outcome } from '../check-runner.js';

const MiB = 1024 ** 2;
/** PSS of one camera's gst-launch-1.0 child (pipeline, decoder pool), 640x360 detect at 5 fps: 21-25 MB measured. */
export const CAMERA_PSS_MIB = 30;
/** A camera with a password runs a Node launcher instead (a V8 of its own, ingest/camera-launch.ts): 55-90 MB measured. */
export const PASSWORD_CAMERA_PSS_MIB = 90;
/** PSS of the main process without detection (MQTT, LevelDB, schema, status page). */
export const AGENT_BASE_PSS_MIB = 100;
/** What detection adds to the main process (onnxruntime session, inference and snapshot workers). */
export const DETECTION_PSS_MIB = 150;

export interface MemoryBudget {
  cameras: number;
  /** Of those, cameras whose pipeline holds a password (the heavier child). */
  passwordCameras?: number;
  detection: boolean;
  availableBytes: number;
  /** PSS the running agent of this data dir holds now (0 when none runs). */
  runningAgentBytes: number;
}

export function memoryBudgetOutcome(b: MemoryBudget): Outcome {
  const agentMiB = AGENT_BASE_PSS_MIB + (b.detection ? DETECTION_PSS_MIB : 0);
  const heavy = b.passwordCameras ?? 0;
  const needMiB = agentMiB + (b.cameras - heavy) * CAMERA_PSS_MIB + heavy * PASSWORD_CAMERA_PSS_MIB;
  const haveMiB = Math.round((b.availableBytes + b.runningAgentBytes) / MiB);
  const running = b.runningAgentBytes > 0 ? ` (${Math.round(b.availableBytes / MiB)} MiB available + ${Math.round(b.runningAgentBytes / MiB)} MiB held by the running agent)` : ' available';
  const detail = `${b.cameras} camera(s)${b.detection ? ' with detection' : ''} need ~${needMiB} MiB (agent ${agentMiB} MiB + ${b.cameras - heavy} × ${CAMERA_PSS_MIB} MiB per camera${heavy ? ` + ${heavy} × ${PASSWORD_CAMERA_PSS_MIB} MiB per camera with a password` : ''}); ${haveMiB} MiB${running}`;
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
    availableBytes,
    runningAgentBytes: runningAgentBytes(config.gateway.dataDir),
  };
}
