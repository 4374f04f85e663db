import type { GstBusMessage } from './gst-binding.js';
import { elementName, type LaunchProblem } from './launch-output.js';
import { CameraErrorCode, type CameraError } from './error-codes.js';

/**
 * Turns a GStreamer error (bus message or parse failure) into a code a technician can act on.
 * GStreamer has no stable error ids across elements, so this matches the element and the text of
 * the error and its debug detail (checked against real failures in test/ingest).
 */
export function classifyGstError(msg: GstBusMessage): CameraError {
  const text = `${msg.message ?? ''} ${typeof msg.debug === 'string' ? msg.debug : ''} ${typeof msg.gerror === 'string' ? msg.gerror : ''}`;
  const element = `${msg.name ?? ''} ${msg._src_element_name ?? ''}`;
  const message = `${msg.message ?? 'GStreamer error'}${msg._src_element_name ? ` (${msg._src_element_name})` : ''}`;
  if (/401|unauthori[sz]ed|authenticat/i.test(text)) return { code: CameraErrorCode.AUTH_FAILED, message };
  if (/no element|missing (plugin|element)|not-negotiated.*missing/i.test(text)) return { code: CameraErrorCode.ELEMENT_MISSING, message };
  if (/not found|No such file|404/i.test(text) && /filesrc|File/i.test(`${element} ${text}`)) return { code: CameraErrorCode.SOURCE_NOT_FOUND, message };
  if (/404|Not Found/i.test(text)) return { code: CameraErrorCode.SOURCE_NOT_FOUND, message };
  if (/rtspsrc|src/i.test(element) && /connect|resolve|timeout|timed out|Could not open resource|Could not read from resource/i.test(text)) {
    return { code: CameraErrorCode.UNREACHABLE, message };
  }
  if (/v4l2src/i.test(element) && /open|busy|device/i.test(text)) return { code: CameraErrorCode.SOURCE_NOT_FOUND, message };
  if (/not-linked|not negotiated|not-negotiated|no suitable|codec/i.test(text)) return { code: CameraErrorCode.CODEC_UNSUPPORTED, message };
  if (/typefind|demux|parse|decode|could not determine type|stream/i.test(`${element} ${text}`)) return { code: CameraErrorCode.STREAM_CORRUPT, message };
  if (/splitmux|filesink|mux/i.test(element)) return { code: CameraErrorCode.RECORDING_FAILED, message };
  return { code: CameraErrorCode.PIPELINE_FAILED, message };
}

/** A pipeline description gst_parse_launch refused. */
export function classifyParseError(err: unknown): CameraError {
  const message = err instanceof Error ? err.message : String(err);
  if (/no element/i.test(message)) return { code: CameraErrorCode.ELEMENT_MISSING, message };
  return { code: CameraErrorCode.PIPELINE_FAILED, message };
}

/** An error block a camera child printed (launch-output.ts): a refused description or a pipeline error. */
export function classifyLaunchProblem(p: LaunchProblem): CameraError {
  if (p.parse) return classifyParseError(new Error(p.message));
  return classifyGstError({ type: p.level, message: p.message, debug: p.debug, name: p.element, _src_element_name: elementName(p.element) });
}
