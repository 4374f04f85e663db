import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { CameraSource } from '../config/schema/index.js';
import { redactUrlCredentials } from '../config/secrets.js';
import { helperOldSpaceMb } from '../core/heap-limits.js';
import { cameraProcessArgs } from './stale-camera-processes.js';

/** From source (.ts) the child needs tsx; from dist it is plain JavaScript. */
const EXT = path.extname(__filename);
const CHILD_SCRIPT = path.join(__dirname, `camera-process${EXT}`);
const REPO_ROOT = path.resolve(__dirname, EXT === '.ts' ? '../..' : '../../..');
/** Small V8 heaps: the process only shuttles buffers; a young generation of 1 MB keeps RSS low. */
const CHILD_NODE_FLAGS = ['--max-semi-space-size=1', `--max-old-space-size=${helperOldSpaceMb()}`];
/** pollBus + appsink.pull each hold a pool thread for good, the codec probe's bus poll a third; the rest serve file renames. */
const CHILD_THREADPOOL = '6';
/**
 * Forks one camera's process. The arguments only label it (camera id for `ps` and the benchmark,
 * data dir for the reaping of stale processes at start); the plan comes over IPC.
 */
export function forkCameraProcess(cameraId: string, dataDir: string): ChildProcess {
  return fork(CHILD_SCRIPT, cameraProcessArgs(cameraId, dataDir), {
    cwd: REPO_ROOT,
    execArgv: [...(EXT === '.ts' ? ['--import', 'tsx'] : []), ...CHILD_NODE_FLAGS],
    env: { ...process.env, UV_THREADPOOL_SIZE: CHILD_THREADPOOL },
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Where the camera's video comes from, for error messages (never with credentials). */
export function describeSource(source: CameraSource): string {
  switch (source.kind) {
    case 'rtsp':
      return redactUrlCredentials(source.url);
    case 'file':
      return source.path;
    case 'onvif':
      return `onvif ${source.host}:${source.port}`;
    case 'v4l2':
      return source.device;
    default:
      return `test pattern ${source.pattern}`;
  }
}
