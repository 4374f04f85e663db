/**
 * One camera, link by link: ONVIF answers (onvif cameras), RTSP answers OPTIONS/DESCRIBE (rtsp and
 * onvif) or the file/device exists, frames really decode with the agent's pipeline, at what fps
 * against the configured one, with which decoder.
 */
import { accessSync, constants, statSync } from 'node:fs';
import type { AgentConfig, CameraConfig } from '../../config/schema/index.js';
import { redactUrlCredentials, resolveSecret } from '../../config/secrets.js';
import { toErrorInfo } from '../../core/errors.js';
import { resolveOnvifStream } from '../../ingest/onvif/resolve.js';
import { splitUrlCredentials } from '../../ingest/pipeline-plan.js';
import { fail, pass, skip, warn, type CheckGroup, type Outcome } from '../check-runner.js';
import { probePipeline, runDecodeProbe, type DecodeProbe } from '../gst-decode-probe.js';
import { probeRtsp } from '../rtsp-probe.js';

export interface CameraCheckOptions {
  stepTimeoutMs?: number;
  /** How long frames are measured once the first arrives. */
  measureMs?: number;
  env?: NodeJS.ProcessEnv;
}


export function fpsOutcome(measured: number | null, frames: number, configured: number, decoder: string): Outcome {
  const detail = `${frames} frame(s) decoded with ${decoder}; configured ${configured} fps`;
  if (!frames) return fail(0, `no frame decoded with ${decoder}`, 'see the decode error; check the stream codec (H.264 expected) and the decoder setting', 'fps');
  if (measured === null) return warn(null, `${detail}; too few frames to measure a rate`, 'the stream delivers frames slowly: check the camera\'s frame rate and the network', 'fps');
  const v = Number(measured.toFixed(2));
  if (measured < configured * 0.8) {
    return warn(v, detail, 'the camera delivers fewer frames than detect.fps: raise the camera\'s frame rate, lower detect.fps, or check CPU load (decode may not keep up)', 'fps');
  }
  return pass(v, detail, 'fps');
}

function decodeFailure(error: string | undefined, timedOut: boolean, budgetMs: number): Outcome {
  if (timedOut) return fail(0, `no frame within ${budgetMs / 1000} s`, 'the stream opens but sends no decodable video: check the camera stream (codec, profile) and the network for packet loss');
  const e = error ?? 'pipeline ended without frames';
  if (/no element "([^"]+)"/.test(e)) {
    const el = /no element "([^"]+)"/.exec(e)?.[1];
    return fail(0, e, `GStreamer element ${el} is missing: run scripts/setup.sh or install the plugin package named by the gstreamer.elements check`);
  }
  if (/missing a plug-in|No decoder available|not-negotiated/i.test(e)) return fail(0, e, 'no decoder for this stream\'s codec: install gstreamer1.0-libav, or set the camera to H.264');
  if (/busy/i.test(e)) return warn(0, e, 'the device is in use (by the running agent): its frames can only be measured here with the agent stopped; see the status page for its live fps');
  if (/Unauthorized|401|authenticat/i.test(e)) return fail(0, e, 'the camera refused the credentials: check the camera username/password');
  if (/Could not open resource|Failed to connect|not found/i.test(e)) return fail(0, e, 'the source cannot be opened: check the camera URL/path and that it is reachable');
  return fail(0, e, 'run the pipeline by hand with GST_DEBUG=3 to see more (docs/diagnostics.md)');
}

export function cameraChecks(camera: CameraConfig, config: AgentConfig, opts: CameraCheckOptions = {}): CheckGroup {
  const stepMs = opts.stepTimeoutMs ?? 8000;
  const measureMs = opts.measureMs ?? 3000;
  const decodeBudgetMs = stepMs + measureMs + 4000;
  const p = `camera.${camera.id}`;
  const src = camera.source;
  return {
    group: p,
    timeoutMs: stepMs * 2 + decodeBudgetMs + 2000,
    timeoutRemedy: `camera ${camera.id} is too slow to answer: check its network link`,
    steps: [
      { id: `${p}.onvif`, title: 'ONVIF answers (stream URI)' },
      { id: `${p}.source`, title: src.kind === 'file' ? 'video file readable' : src.kind === 'v4l2' ? 'video device present' : 'RTSP answers (OPTIONS/DESCRIBE)' },
      { id: `${p}.decode`, title: 'frames decode (fps vs configured, decoder)' },
    ],
    async run(r, signal) {
      if (!camera.enabled) return r.skipRest('camera disabled in the config');
      let rtspUrl: string | undefined;
      let username: string | undefined;
      let password: string | undefined;
      if (src.kind === 'onvif') {
        try {
          const res = await resolveOnvifStream(src, { timeoutMs: stepMs });
          rtspUrl = res.uri;
          r.report(`${p}.onvif`, pass(redactUrlCredentials(res.uri), `profile ${res.profile.token}${res.profile.encoding ? ` (${res.profile.encoding} ${res.profile.width}x${res.profile.height})` : ''}`));
        } catch (err) {
          const e = toErrorInfo(err, 'ONVIF');
          r.report(`${p}.onvif`, fail(e.code, e.message, e.remedy ?? 'check the camera\'s ONVIF settings'));
          return r.skipRest('not attempted: the ONVIF stream URI is unknown');
        }
        username = src.username;
        password = resolveSecret(src.password);
      } else {
        r.report(`${p}.onvif`, skip(`${src.kind} camera: no ONVIF`));
      }
      if (src.kind === 'rtsp') {
        // Credentials written into the URL are probed as credentials, never shown (same split as ingest).
        const split = splitUrlCredentials(src.url);
        rtspUrl = split.url;
        username = src.username ?? split.username;
        password = resolveSecret(src.password) ?? split.password;
      }

      if (rtspUrl) {
        try {
          const res = await probeRtsp(rtspUrl, { username, password }, stepMs);
          const d = res.describe;
          if (d.status === 200) {
            r.report(`${p}.source`, pass(Math.round(res.connectMs), `${redactUrlCredentials(rtspUrl)}: DESCRIBE 200, ${res.codecs.join(', ') || 'no rtpmap'}`, 'ms'));
          } else if (d.status === 401) {
            r.report(`${p}.source`, fail(401, `${redactUrlCredentials(rtspUrl)}: DESCRIBE 401 ${d.reason}`, 'the camera refused the credentials: set source.username/password to the camera\'s RTSP user'));
            return r.skipRest('not attempted: RTSP authentication failed');
          } else {
            r.report(`${p}.source`, fail(d.status, `${redactUrlCredentials(rtspUrl)}: DESCRIBE ${d.status} ${d.reason}`, 'the camera answers but not for this path: check the stream path in the URL (camera web UI or `edge-agent discover`)'));
            return r.skipRest(`not attempted: RTSP DESCRIBE ${d.status}`);
          }
        } catch (err) {
          const e = err as NodeJS.ErrnoException;
          r.report(`${p}.source`, fail(null, `${redactUrlCredentials(rtspUrl)}: ${e.message}${e.code && !e.message.includes(e.code) ? ` (${e.code})` : ''}`, 'the camera does not answer RTSP: check power/PoE, cabling, its IP address and port (554 by default)'));
          return r.skipRest('not attempted: RTSP does not answer');
        }
      } else if (src.kind === 'file') {
        try {
          accessSync(src.path, constants.R_OK);
          r.report(`${p}.source`, pass(statSync(src.path).size, src.path, 'B'));
        } catch (err) {
          r.report(`${p}.source`, fail(null, `${src.path}: ${(err as Error).message}`, 'check source.path (relative paths resolve from the config file) and that the agent user may read it'));
          return r.skipRest('not attempted: file unreadable');
        }
      } else if (src.kind === 'v4l2') {
        try {
          accessSync(src.device, constants.R_OK | constants.W_OK);
          r.report(`${p}.source`, pass(src.device));
        } catch (err) {
          r.report(`${p}.source`, fail(null, `${src.device}: ${(err as Error).message}`, 'check the camera is plugged in (`v4l2-ctl --list-devices`) and the agent user is in the video group'));
          return r.skipRest('not attempted: no device');
        }
      } else {
        r.report(`${p}.source`, skip('test pattern: nothing to reach'));
      }

      if (signal.aborted) return;
      let probe: DecodeProbe;
      try {
        probe = await probePipeline(camera, config, rtspUrl);
      } catch (err) {
        const e = toErrorInfo(err, 'GST');
        return r.report(`${p}.decode`, fail(null, e.message, e.remedy ?? 'check the camera decoder setting and the gstreamer.elements check'));
      }
      const res = await runDecodeProbe(probe, { measureMs, timeoutMs: decodeBudgetMs, signal, env: opts.env });
      const decoder = res.decoder === res.planDecoder ? res.decoder : `${res.decoder} (${res.planDecoder})`;
      r.report(`${p}.decode`, res.frames > 0 ? fpsOutcome(res.fps, res.frames, camera.detect.fps, decoder) : decodeFailure(res.error, res.timedOut, decodeBudgetMs));
    },
  };
}
