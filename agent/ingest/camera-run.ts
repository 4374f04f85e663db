import type { CameraConfig } from '../config/schema/index.js';
import type { Logger } from '../core/logger.js';
import { describeSource } from './camera-source.js';
import { launchCamera, type LaunchedCamera } from './camera-launch.js';
import type { CameraZygote } from './camera-zygote.js';
import { CameraErrorCode, type CameraError } from './error-codes.js';
import { classifyLaunchProblem } from './gst-errors.js';
import type { CameraPlan } from './pipeline-plan.js';
import { SegmentNamer } from './segment-namer.js';
import type { RecordingSegment } from './types.js';

/** What one child run ended with, as far as the supervisor cares. */
export interface RunOutcome {
  /** The first error it reported (gst-launch repeats it in its own summaries after). */
  error?: CameraError;
  /** The stream ended (EOS) without a stop asked for. */
  eos: boolean;
}

export interface CameraRunOptions {
  camera: CameraConfig;
  dataDir: string;
  plan: CameraPlan;
  /** The plan's pipeline, parser filled in. */
  description: string;
  log: Logger;
  /** Forks the camera's process when set (camera-zygote.ts); gst-launch-1.0 otherwise. */
  zygote?: CameraZygote;
  /** A whole I420 frame of the plan's size. */
  onFrame(data: Buffer): void;
  onSegment(segment: RecordingSegment): void;
  onRenameFailed(): void;
}

export interface CameraRun {
  launched: LaunchedCamera;
  outcome: RunOutcome;
  /** The child has exited, its output is read and its segments are named. */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** One run of a camera's child: launches it and turns what it says into frames, segments and an outcome. */
export function startCameraRun(o: CameraRunOptions): CameraRun {
  const outcome: RunOutcome = { eos: false };
  const namer = new SegmentNamer(o.camera.id, o.onSegment, (file, message) => {
    o.onRenameFailed();
    o.log.warn({ code: CameraErrorCode.SEGMENT_RENAME_FAILED, file, error: message }, 'recording segment not closed under its final name: clips and retention do not see it');
  });
  const failWith = (error: CameraError): void => {
    outcome.error ??= error;
    launched.child.kill('SIGKILL');
  };
  const frameBytes = (o.plan.width * o.plan.height * 3) / 2;
  const launched = launchCamera(o.camera.id, o.dataDir, o.description, o.plan.secretProps, {
    frame: (data) => {
      if (data.length === frameBytes) o.onFrame(data);
      // Not an I420 frame of the detect size (a template that changed the format): nothing could use it.
      else failWith({ code: CameraErrorCode.PIPELINE_FAILED, message: `frames of ${data.length} bytes, expected ${frameBytes} (I420 ${o.plan.width}x${o.plan.height})` });
    },
    message: (msg) => {
      if (msg.kind === 'fragment-opened') namer.opened(msg.location, msg.runningNs);
      else if (msg.kind === 'fragment-closed') namer.closed(msg.location, msg.runningNs);
      else outcome.eos = true;
    },
    problem: (p) => {
      if (p.level === 'warning') {
        o.log.warn(`${p.message} (${p.element})`);
      } else if (!outcome.error) {
        const e = classifyLaunchProblem(p);
        outcome.error = { code: e.code, message: `${describeSource(o.camera.source)}: ${e.message}` };
      }
    },
    broken: (reason) => failWith({ code: CameraErrorCode.PIPELINE_FAILED, message: `frame stream unreadable: ${reason}` }),
  }, o.zygote);
  launched.child.once('error', (err) => {
    outcome.error ??= { code: CameraErrorCode.ELEMENT_MISSING, message: `cannot start the camera process: ${err.message}` };
  });
  const ended = launched.closed.then(async (result) => {
    await namer.finish();
    return result;
  });
  return { launched, outcome, ended };
}
