/**
 * Just enough MPEG-TS to cut recordings on frame boundaries without GStreamer's help: the video
 * stream of the first program (PAT -> PMT), and for each of its frames (one PES each, as mpegtsmux
 * writes them) the byte offset, DTS/PTS and whether it is a key frame (the adaptation field's
 * random-access indicator, which mpegtsmux sets on every key frame). Nothing is decoded.
 */

export const TS_PACKET = 188;
const SYNC = 0x47;
const WRAP = 2 ** 33;

/** PMT stream types of the video codecs clips can carry: caps name and the parser mp4mux needs. */
const VIDEO_STREAM_TYPES: Record<number, { codec: string; parser: string }> = {
  0x01: { codec: 'video/mpeg', parser: 'mpegvideoparse' },
  0x02: { codec: 'video/mpeg', parser: 'mpegvideoparse' },
  0x10: { codec: 'video/mpeg', parser: 'mpeg4videoparse' },
  0x1b: { codec: 'video/x-h264', parser: 'h264parse' },
  0x24: { codec: 'video/x-h265', parser: 'h265parse' },
};

/** Parsers a TS clip cut may hand to mp4mux (for diag). */
export const VIDEO_PARSERS = [...new Set(Object.values(VIDEO_STREAM_TYPES).map((t) => t.parser))];

export interface TsVideoTrack {
  pid: number;
  /** The PID carrying the program clock (mpegtsmux: the video PID). */
  pcrPid: number;
  streamType: number;
  codec: string;
  parser: string;
  /** The first PAT and PMT packets, put in front of a cut so it stands alone. */
  pat: Buffer;
  pmt: Buffer;
}

export interface TsFrame {
  /** Byte offset of the packet that starts the frame's PES. */
  offset: number;
  /** Decode time (PTS when the PES has no DTS), 90 kHz, unwrapped. */
  dts: number;
  /** Presentation time, 90 kHz, unwrapped. */
  pts: number;
  /** The PES carries a DTS of its own. */
  hasDts: boolean;
  key: boolean;
  /** Given a time of its own: its PES repeated the previous one's (see indexTs). */
  retimed?: boolean;
}

export interface TsIndex {
  track: TsVideoTrack;
  /** Video frames in decode order. */
  frames: TsFrame[];
  /** End of the usable bytes: the end of the file, or the start of a frame a short file or a lost sync cut off. */
  end: number;
}

export class TsFormatError extends Error {}

interface Packet { pid: number; pusi: boolean; payload: number; adaptation: number; hasPayload: boolean }

function packetAt(data: Buffer, at: number): Packet {
  const afc = (data[at + 3] >> 4) & 3;
  const adaptation = afc & 2 ? data[at + 4] : -1;
  return {
    pid: ((data[at + 1] & 0x1f) << 8) | data[at + 2],
    pusi: (data[at + 1] & 0x40) !== 0,
    adaptation,
    payload: at + 4 + (adaptation >= 0 ? adaptation + 1 : 0),
    hasPayload: (afc & 1) !== 0,
  };
}

/** A PSI section's start in a packet (after the pointer field), or -1. */
function sectionAt(data: Buffer, p: Packet, packetEnd: number): number {
  if (!p.pusi || !p.hasPayload || p.payload >= packetEnd) return -1;
  const s = p.payload + 1 + data[p.payload];
  return s + 12 < packetEnd ? s : -1;
}

export function readTimestamp(b: Buffer, o: number): number {
  return ((b[o] >> 1) & 7) * 2 ** 30 + b[o + 1] * 2 ** 22 + (b[o + 2] >> 1) * 2 ** 15 + b[o + 3] * 2 ** 7 + (b[o + 4] >> 1);
}

export function writeTimestamp(b: Buffer, o: number, value: number): void {
  const v = ((value % WRAP) + WRAP) % WRAP;
  b[o] = (b[o] & 0xf0) | (Math.floor(v / 2 ** 30) << 1) | 1;
  b[o + 1] = Math.floor(v / 2 ** 22) & 0xff;
  b[o + 2] = ((Math.floor(v / 2 ** 15) & 0x7f) << 1) | 1;
  b[o + 3] = Math.floor(v / 2 ** 7) & 0xff;
  b[o + 4] = ((v & 0x7f) << 1) | 1;
}

/** Offset of the PCR in this packet's adaptation field, or -1. */
export function pcrOffset(data: Buffer, at: number): number {
  const afc = (data[at + 3] >> 4) & 3;
  return afc & 2 && data[at + 4] >= 7 && data[at + 5] & 0x10 ? at + 6 : -1;
}

/** Adds ticks to the 33-bit PCR base at o (the 9-bit extension stays). */
export function shiftPcr(b: Buffer, o: number, ticks: number): void {
  const base = b[o] * 2 ** 25 + b[o + 1] * 2 ** 17 + b[o + 2] * 2 ** 9 + b[o + 3] * 2 + (b[o + 4] >> 7);
  const v = (((base + ticks) % WRAP) + WRAP) % WRAP;
  b[o] = Math.floor(v / 2 ** 25) & 0xff;
  b[o + 1] = Math.floor(v / 2 ** 17) & 0xff;
  b[o + 2] = Math.floor(v / 2 ** 9) & 0xff;
  b[o + 3] = Math.floor(v / 2) & 0xff;
  b[o + 4] = (b[o + 4] & 0x7f) | ((v & 1) << 7);
}

/** Where the PTS and DTS of a PES starting in this packet sit (DTS -1 when absent), or undefined. */
export function pesTimestampOffsets(data: Buffer, at: number): { pts: number; dts: number } | undefined {
  const p = packetAt(data, at);
  const o = p.payload;
  if (!p.pusi || !p.hasPayload || o + 19 > at + TS_PACKET) return undefined;
  if (data[o] !== 0 || data[o + 1] !== 0 || data[o + 2] !== 1) return undefined;
  const flags = data[o + 7] >> 6;
  if (flags < 2) return undefined;
  return { pts: o + 9, dts: flags === 3 ? o + 14 : -1 };
}

/** Indexes the video frames of an MPEG-TS file held in memory; throws TsFormatError if it has none. */
export function indexTs(data: Buffer): TsIndex {
  if (data.length < TS_PACKET || data[0] !== SYNC) throw new TsFormatError('not an MPEG-TS stream (no sync byte at the start)');
  let pmtPid = -1;
  let pat: Buffer | undefined;
  let track: TsVideoTrack | undefined;
  const frames: TsFrame[] = [];
  let prevDts: number | undefined;
  let unwrap = 0;
  let at = 0;
  for (; at + TS_PACKET <= data.length; at += TS_PACKET) {
    if (data[at] !== SYNC) break; // corrupt from here on: cut what came before
    const p = packetAt(data, at);
    const end = at + TS_PACKET;
    if (p.pid === 0 && !pat) {
      const s = sectionAt(data, p, end);
      if (s >= 0 && data[s] === 0x00) {
        pmtPid = ((data[s + 10] & 0x1f) << 8) | data[s + 11];
        pat = data.subarray(at, end);
      }
    } else if (p.pid === pmtPid && pat && !track) {
      track = parsePmt(data, sectionAt(data, p, end), end, pat, data.subarray(at, end));
    } else if (track && p.pid === track.pid && p.pusi) {
      const ts = pesTimestampOffsets(data, at);
      if (!ts) continue;
      let dts = readTimestamp(data, ts.dts >= 0 ? ts.dts : ts.pts) + unwrap;
      if (prevDts !== undefined && prevDts - dts > WRAP / 2) {
        unwrap += WRAP;
        dts += WRAP;
      }
      prevDts = dts;
      let pts = readTimestamp(data, ts.pts) + unwrap;
      if (dts - pts > WRAP / 2) pts += WRAP;
      const rai = p.adaptation > 0 && (data[at + 5] & 0x40) !== 0;
      frames.push({ offset: at, dts, pts, hasDts: ts.dts >= 0, key: rai });
    }
  }
  if (!track) throw new TsFormatError(pat ? 'no supported video stream in the program table' : 'no program table (PAT/PMT)');
  // A file cut short (power loss) or a lost sync may end inside the last frame: leave that frame out.
  const end = at !== data.length ? (frames.pop()?.offset ?? at) : at;
  if (!frames.length) throw new TsFormatError('no video frames');
  retimeRepeats(frames);
  return { track, frames, end };
}

/**
 * A PES with only a PTS that repeats the previous frame's (MPEG-4 Part 2 packed B-frames, as an AVI
 * source leaves them) would leave the parser a frame without a PTS, which mp4mux refuses: it gets the
 * middle between its neighbours instead.
 */
function retimeRepeats(frames: TsFrame[]): void {
  for (let i = 1; i < frames.length; i++) {
    const f = frames[i];
    const prev = frames[i - 1].dts;
    if (f.hasDts || f.dts > prev) continue;
    const next = frames.slice(i + 1, i + 16).find((x) => x.dts > prev)?.dts ?? prev + 2;
    f.dts = f.pts = Math.round(prev + (next - prev) / 2);
    f.retimed = true;
  }
}

function parsePmt(data: Buffer, s: number, end: number, pat: Buffer, pmt: Buffer): TsVideoTrack | undefined {
  if (s < 0 || data[s] !== 0x02) return undefined;
  const sectionEnd = Math.min(end, s + 3 + (((data[s + 1] & 0x0f) << 8) | data[s + 2]) - 4);
  const pcrPid = ((data[s + 8] & 0x1f) << 8) | data[s + 9];
  let i = s + 12 + (((data[s + 10] & 0x0f) << 8) | data[s + 11]);
  while (i + 5 <= sectionEnd) {
    const streamType = data[i];
    const known = VIDEO_STREAM_TYPES[streamType];
    if (known) return { pid: ((data[i + 1] & 0x1f) << 8) | data[i + 2], pcrPid, streamType, ...known, pat, pmt };
    i += 5 + (((data[i + 3] & 0x0f) << 8) | data[i + 4]);
  }
  return undefined;
}
