/** Messages between the diag decode probe (gst-decode-probe.ts) and its process (decode-probe-process.ts). */

/** The pipeline, and the credentials set as element properties after parsing (never on argv). */
export interface ToDecodeProbe {
  pipeline: string;
  secretProps: Array<{ element: string; props: Record<string, string> }>;
}

export type FromDecodeProbe =
  | { type: 'progress'; frames: number; decoder?: string }
  | { type: 'error'; message: string }
  | { type: 'eos' };

/** Decoder elements by name (avdec_h264-0, v4l2h264dec0, ...). */
export const DECODER_RE = /\b(avdec_[a-z0-9]+(?:_[a-z0-9]+)*?|v4l2[a-z0-9]*dec|nvv4l2decoder|openh264dec|vaapi[a-z0-9]+dec|va[a-z0-9]+dec|libde265dec|jpegdec|vp8dec|vp9dec)(?:-?\d+)?\b/;
