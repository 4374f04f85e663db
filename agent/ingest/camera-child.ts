import { fork, type ChildProcess } from 'node:child_process';
import type { CameraSource } from '../config/schema/index.js';
import { redactUrlCredentials } from '../config/secrets.js';
import { HELPER_NODE_FLAGS, helperScript } from '../core/helper-script.js';
import { INSTALL_ROOT } from '../core/version.js';
import { cameraProcessArgs } from './stale-camera-processes.js';

const CHILD = helperScript(__filename, 'camera-process');
/** pollBus + appsink.pull each hold a pool thread for good, the codec probe's bus poll a third; the rest serve file renames. */
const CHILD_THREADPOOL = '6';
/**
 * Forks one camera's process. The arguments only label it (camera id for `ps` and the benchmark,
 * data dir for the reaping of stale processes at start); the plan comes over IPC.
 */
export function forkCameraProcess(cameraId: string, dataDir: string): ChildProcess {
  return fork(CHILD.file, cameraProcessArgs(cameraId, dataDir), {
    cwd: INSTALL_ROOT,
    execArgv: [...CHILD.execArgv, ...HELPER_NODE_FLAGS],
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
