import { runChild } from '../core/child-spawn.js';

/**
 * Which GStreamer elements this box really has, asked once per element (gst-inspect-1.0 --exists)
 * and cached for the life of the process: the answer only changes when packages are installed.
 */
const known = new Map<string, Promise<boolean>>();

export function hasElement(name: string): Promise<boolean> {
  let p = known.get(name);
  if (!p) {
    p = runChild('gst-inspect-1.0', ['--exists', name], { timeoutMs: 30000 }).then((r) => r.code === 0 && !r.killed);
    known.set(name, p);
  }
  return p;
}

export type DecoderKind = 'software' | 'v4l2' | 'nvv4l2';

/** The hardware decoder element each decoder kind needs (software needs avdec/decodebin only). */
export const DECODER_ELEMENT: Record<DecoderKind, string> = {
  software: 'avdec_h264',
  v4l2: 'v4l2h264dec',
  nvv4l2: 'nvv4l2decoder',
};

/** `auto`: Jetson decoder if present, else the Pi's V4L2 decoder, else software. */
export async function chooseDecoder(wanted: 'auto' | DecoderKind): Promise<DecoderKind> {
  if (wanted !== 'auto') return wanted;
  if (await hasElement(DECODER_ELEMENT.nvv4l2)) return 'nvv4l2';
  if (await hasElement(DECODER_ELEMENT.v4l2)) return 'v4l2';
  return 'software';
}
