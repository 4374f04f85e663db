import { pcrOffset, pesTimestampOffsets, shiftPcr, TS_PACKET, writeTimestamp, type TsIndex, type TsVideoTrack } from './mpegts.js';

/** 90 kHz ticks per millisecond. */
const TICKS_PER_MS = 90;
/** A jump up to this far forward between segments is the recording's own timeline, kept as it is. */
const CONTINUOUS_TICKS = 90_000;

/** Wall-clock ms of frame i of a segment that started at startMs (its first frame). */
export function frameWallMs(index: TsIndex, startMs: number, i: number): number {
  return startMs + (index.frames[i].dts - index.frames[0].dts) / TICKS_PER_MS;
}

/**
 * Frames [first, end) of one segment that belong to the clip [fromMs, toMs]: from the last key frame
 * at or before fromMs (the first key frame if the segment starts later; none if it has no key frame)
 * when the clip has not started yet, else from the segment's first frame; up to the last frame at or
 * before toMs.
 */
export function framesToKeep(index: TsIndex, startMs: number, fromMs: number, toMs: number, started: boolean): { first: number; end: number } {
  const n = index.frames.length;
  let first = 0;
  if (!started) {
    first = -1;
    for (let i = 0; i < n; i++) {
      if (!index.frames[i].key) continue;
      if (first < 0 || frameWallMs(index, startMs, i) <= fromMs) first = i;
      if (frameWallMs(index, startMs, i) > fromMs) break;
    }
    if (first < 0) return { first: 0, end: 0 };
  }
  let end = first;
  while (end < n && frameWallMs(index, startMs, end) <= toMs) end++;
  return { first, end };
}

/**
 * Joins frame ranges of several TS segments into one TS stream: only the video and clock packets
 * (renumbered to the first segment's PIDs, continuity counters made continuous), behind the first
 * segment's PAT and PMT. A segment whose timestamps do not continue the previous one's (a gap in the
 * recording, a restarted camera) is shifted (PTS, DTS, PCR) so the clip's timeline has no hole.
 */
export class TsSplicer {
  private readonly cc = new Map<number, number>();
  private shift = 0;
  private lastDts?: number;
  private frameTicks = 3000;

  constructor(readonly track: TsVideoTrack) {}

  /** PAT and PMT, to go first. */
  header(): Buffer {
    return Buffer.concat([this.track.pat, this.track.pmt]);
  }

  splice(data: Buffer, index: TsIndex, first: number, end: number): Buffer {
    const frames = index.frames;
    const to = end < frames.length ? frames[end].offset : index.end;
    if (this.lastDts !== undefined) {
      const step = frames[first].dts + this.shift - this.lastDts;
      if (step <= 0 || step > CONTINUOUS_TICKS) this.shift = this.lastDts + this.frameTicks - frames[first].dts;
    }
    const out = Buffer.allocUnsafe(to - frames[first].offset);
    let n = 0;
    const { pid, pcrPid } = index.track;
    let next = first;
    for (let at = frames[first].offset; at < to; at += TS_PACKET) {
      const inPid = ((data[at + 1] & 0x1f) << 8) | data[at + 2];
      if (inPid !== pid && inPid !== pcrPid) continue;
      const outPid = inPid === pid ? this.track.pid : this.track.pcrPid;
      const pkt = out.subarray(n, n + TS_PACKET);
      data.copy(pkt, 0, at, at + TS_PACKET);
      n += TS_PACKET;
      pkt[1] = (pkt[1] & 0xe0) | (outPid >> 8);
      pkt[2] = outPid & 0xff;
      if (pkt[3] & 0x10) {
        const cc = this.cc.get(outPid) ?? 0;
        pkt[3] = (pkt[3] & 0xf0) | cc;
        this.cc.set(outPid, (cc + 1) & 0x0f);
      }
      const pcr = this.shift ? pcrOffset(pkt, 0) : -1;
      if (pcr >= 0) shiftPcr(pkt, pcr, this.shift);
      if (next >= end || at !== frames[next].offset) continue;
      const frame = frames[next++];
      const ts = this.shift || frame.retimed ? pesTimestampOffsets(pkt, 0) : undefined;
      if (ts) {
        writeTimestamp(pkt, ts.pts, frame.pts + this.shift);
        if (ts.dts >= 0) writeTimestamp(pkt, ts.dts, frame.dts + this.shift);
      }
    }
    if (end - first > 1) this.frameTicks = Math.max(1, (frames[end - 1].dts - frames[first].dts) / (end - 1 - first));
    this.lastDts = frames[end - 1].dts + this.shift;
    return out.subarray(0, n);
  }
}

