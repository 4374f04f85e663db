import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TypedBus } from '../core/bus.js';
import { AgentError, toErrorInfo } from '../core/errors.js';
import type { AgentEvents } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { ObjectEvent } from '../core/object-event.js';
import type { ClipMeta } from '../outbox/types.js';
import { cutClip } from './cut-clip.js';
import type { Recordings } from './recordings.js';

export interface ClipSettings {
  preSeconds: number;
  postSeconds: number;
  maxSeconds: number;
  /** false: no clips for events, only requested ones (default true). */
  onEvents?: boolean;
}

export interface EventClipsOptions {
  bus: TypedBus<AgentEvents>;
  recordings: Recordings;
  /** The outbox: a path is streamed into it, so the temp file can go once this resolves. */
  enqueueFile: (kind: 'clip', file: string, meta: ClipMeta) => Promise<{ id: string }>;
  /** Where clips are cut before the outbox takes them (emptied on start). */
  tmpDir: string;
  settings: ClipSettings;
  /** recording.segmentSeconds: how long a segment takes to close, so how long to wait for coverage. */
  segmentSeconds: number;
  logger?: Logger;
  /** The event id a clip is filed under (default: the event's objectId). */
  eventIdOf?: (event: ObjectEvent) => string;
  /** Whether an ended event gets a clip (default: all). */
  wantsClip?: (event: ObjectEvent) => boolean;
  /** Extra wait past the expected close of the covering segment before cutting what is there. */
  graceMs?: number;
  now?: () => number;
}

export interface ClipResult {
  clipId: string;
  cameraId: string;
  eventId?: string;
  ok: boolean;
  /** Recorded range actually cut (a key frame at or before the asked start). */
  startMs?: number;
  endMs?: number;
  bytes?: number;
  error?: { code: string; message: string };
}

export interface EventClipsStats {
  waiting: number;
  queued: number;
  delivered: number;
  failed: number;
  lastError?: { code: string; message: string };
}

interface Job {
  clipId: string;
  cameraId: string;
  fromMs: number;
  toMs: number;
  eventId?: string;
  /** Cut with whatever is recorded once this passes, even if the range is not fully covered. */
  deadline: number;
  timer?: NodeJS.Timeout;
}

/** A clip id that is a valid topic level and file name, sortable by time. */
export function newClipId(now = Date.now()): string {
  return `${now.toString(36)}-${randomBytes(4).toString('hex')}`;
}

/**
 * Clips for ended events and for investigators' `clip` requests: keeps the recordings index up to
 * date from `camera.segment`, waits until recording covers the end of the range (a segment past it),
 * cuts [start - pre, end + post] into an MP4 and hands it to the outbox. One cut at a time: cutting
 * is I/O-heavy and the box has few cores.
 */
export class EventClips {
  private readonly waiting = new Map<string, Job>();
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private delivered = 0;
  private failed = 0;
  private lastError?: { code: string; message: string };
  private readonly unsubscribe: (() => void)[] = [];
  private readonly listeners: ((r: ClipResult) => void)[] = [];
  private readonly now: () => number;
  private stopped = false;

  constructor(private readonly opts: EventClipsOptions) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    rmSync(this.opts.tmpDir, { recursive: true, force: true }); // clips cut before a crash: never queued
    mkdirSync(this.opts.tmpDir, { recursive: true });
    this.unsubscribe.push(
      this.opts.bus.on('detection.event', (e) => this.onEvent(e)),
      this.opts.bus.on('camera.segment', (s) => {
        this.opts.recordings.add(s);
        this.checkWaiting(s.cameraId);
      }),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const off of this.unsubscribe.splice(0)) off();
    for (const job of this.waiting.values()) clearTimeout(job.timer);
    this.waiting.clear();
    await this.chain;
  }

  /** New settings from a config update (jobs already waiting keep their range). */
  update(settings: ClipSettings, segmentSeconds: number): void {
    this.opts.settings = settings;
    this.opts.segmentSeconds = segmentSeconds;
  }

  /** Called with the outcome of every clip (delivered to the outbox, or failed). */
  onResult(listener: (r: ClipResult) => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  stats(): EventClipsStats {
    return { waiting: this.waiting.size, queued: this.queued, delivered: this.delivered, failed: this.failed, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  /**
   * An investigator's clip (the `clip` command): validated now, delivered through the outbox like an
   * event clip. Returns the clipId the central side will receive it under.
   */
  requestClip(cameraId: string, fromMs: number, toMs: number): string {
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs <= fromMs) {
      throw new AgentError('CLIP_RANGE_INVALID', `clip range ${fromMs}..${toMs} is empty or not a number`, 'give from < to as epoch milliseconds');
    }
    const max = this.opts.settings.maxSeconds;
    if (toMs - fromMs > max * 1000) {
      throw new AgentError('CLIP_TOO_LONG', `clip of ${((toMs - fromMs) / 1000).toFixed(1)} s asked, clips.maxSeconds is ${max}`, 'ask for a shorter range or several clips');
    }
    if (toMs <= this.now() && this.opts.recordings.overlapping(cameraId, fromMs, toMs).length === 0) {
      throw new AgentError('CLIP_NO_RECORDING', `camera ${cameraId} has no recording between ${new Date(fromMs).toISOString()} and ${new Date(toMs).toISOString()}`, 'check that the camera records and that retention keeps that far back');
    }
    return this.schedule(cameraId, fromMs, toMs);
  }

  private onEvent(e: ObjectEvent): void {
    if (e.type !== 'end' || this.stopped || this.opts.settings.onEvents === false) return;
    if (this.opts.wantsClip && !this.opts.wantsClip(e)) return;
    const { preSeconds, postSeconds, maxSeconds } = this.opts.settings;
    const fromMs = e.startTs - preSeconds * 1000;
    let toMs = (e.endTs ?? e.ts) + postSeconds * 1000;
    if (toMs - fromMs > maxSeconds * 1000) {
      this.opts.logger?.info({ camera: e.camera, objectId: e.objectId, seconds: (toMs - fromMs) / 1000, maxSeconds }, 'event longer than clips.maxSeconds: clip keeps its beginning');
      toMs = fromMs + maxSeconds * 1000;
    }
    this.schedule(e.camera, fromMs, toMs, this.opts.eventIdOf ? this.opts.eventIdOf(e) : e.objectId);
  }

  private schedule(cameraId: string, fromMs: number, toMs: number, eventId?: string): string {
    const clipId = newClipId(this.now());
    const waitMs = Math.max(0, toMs - this.now()) + this.opts.segmentSeconds * 2000 + (this.opts.graceMs ?? 10_000);
    const job: Job = { clipId, cameraId, fromMs, toMs, eventId, deadline: this.now() + waitMs };
    this.waiting.set(clipId, job);
    job.timer = setTimeout(() => this.release(job), waitMs);
    job.timer.unref();
    this.checkWaiting(cameraId);
    return clipId;
  }

  private checkWaiting(cameraId: string): void {
    if (![...this.waiting.values()].some((j) => j.cameraId === cameraId)) return;
    const until = this.opts.recordings.recordedUntil(cameraId);
    for (const job of this.waiting.values()) {
      if (job.cameraId === cameraId && until !== null && until >= job.toMs) this.release(job);
    }
  }

  /** Range covered (or waited long enough): queue the cut. */
  private release(job: Job): void {
    if (!this.waiting.delete(job.clipId) || this.stopped) return;
    clearTimeout(job.timer);
    this.queued++;
    this.chain = this.chain.then(() => this.cutAndQueue(job));
  }

  private async cutAndQueue(job: Job): Promise<void> {
    this.queued--;
    const outFile = path.join(this.opts.tmpDir, `${job.clipId}.mp4`);
    const base = { clipId: job.clipId, cameraId: job.cameraId, ...(job.eventId ? { eventId: job.eventId } : {}) };
    let result: ClipResult;
    this.opts.logger?.debug({ clipId: job.clipId, camera: job.cameraId, fromMs: job.fromMs, toMs: job.toMs, recordedUntil: this.opts.recordings.recordedUntil(job.cameraId) }, 'cutting clip');
    try {
      const cut = await cutClip({ recordings: this.opts.recordings, cameraId: job.cameraId, fromMs: job.fromMs, toMs: job.toMs, outFile, maxSeconds: this.opts.settings.maxSeconds });
      if (cut.skipped.length) this.opts.logger?.warn({ clipId: job.clipId, skipped: cut.skipped }, 'clip: unreadable segments left out');
      await this.opts.enqueueFile('clip', outFile, {
        clipId: job.clipId, camera: job.cameraId, ...(job.eventId ? { eventId: job.eventId } : {}),
        startTs: new Date(cut.startMs).toISOString(), endTs: new Date(cut.endMs).toISOString(), contentType: 'video/mp4',
      });
      this.delivered++;
      result = { ...base, ok: true, startMs: cut.startMs, endMs: cut.endMs, bytes: cut.bytes };
      this.opts.logger?.info({ clipId: job.clipId, camera: job.cameraId, eventId: job.eventId, bytes: cut.bytes, seconds: (cut.endMs - cut.startMs) / 1000 }, 'clip queued');
    } catch (err) {
      this.failed++;
      const info = toErrorInfo(err, 'CLIP_CUT_FAILED');
      this.lastError = { code: info.code, message: info.message };
      result = { ...base, ok: false, error: this.lastError };
      this.opts.logger?.warn({ clipId: job.clipId, camera: job.cameraId, err: info }, 'clip failed');
    } finally {
      rmSync(outFile, { force: true });
    }
    for (const l of [...this.listeners]) {
      try {
        l(result);
      } catch { /* a listener's problem is not the clip's */ }
    }
  }
}

