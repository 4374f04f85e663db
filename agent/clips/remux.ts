import { spawnPiped, type PipedChild } from '../core/child-spawn.js';
import { GST_LAUNCH, gstReason } from '../core/gst-launch.js';
import { VIDEO_PARSERS } from './mpegts.js';

/**
 * The GStreamer side of a clip cut: `gst-launch-1.0` as a child process (no shell, argv array) that
 * reads the spliced TS on stdin and writes the MP4 (demux, parse, mux: nothing is decoded). A child
 * process, not gstreamer-superficial: the binding's pull/pollBus hold libuv pool threads and it must
 * never load in the agent's own process; a stuck or crashing GStreamer can only fail this clip.
 */
/** Elements a clip cut runs (diag proves they exist): the TS remux, and the MP4/MKV-to-TS step. */
export const REMUX_ELEMENTS = ['fdsrc', 'tsdemux', ...VIDEO_PARSERS, 'mp4mux', 'filesink', 'filesrc', 'parsebin', 'mpegtsmux', 'fdsink'];

/** TS on stdin -> MP4 file. */
export function tsToMp4Args(parser: string, outFile: string): string[] {
  return ['-q', 'fdsrc', 'fd=0', '!', 'tsdemux', '!', parser, '!', 'mp4mux', 'faststart=true', '!', 'filesink', `location=${outFile}`];
}

/** A recording in another container (MP4, MKV; H.264 only) -> TS on stdout, to be cut like the rest. */
export function toTsArgs(file: string): string[] {
  return ['-q', 'filesrc', `location=${file}`, '!', 'parsebin', '!', 'h264parse', '!', 'mpegtsmux', '!', 'fdsink', 'fd=1'];
}

/** A running gst-launch child: feed stdin, then finish() resolves on a clean exit or rejects with GStreamer's reason. */
export class GstLaunch {
  private readonly child: PipedChild;
  private readonly exited: Promise<void>;
  private readonly chunks: Buffer[] = [];
  private stderr = '';
  private timedOut = false;

  constructor(args: string[], timeoutMs: number) {
    this.child = spawnPiped(GST_LAUNCH, args);
    const timer = setTimeout(() => {
      this.timedOut = true;
      this.child.kill('SIGKILL');
    }, timeoutMs);
    this.child.stdout.on('data', (b: Buffer) => this.chunks.push(b));
    this.child.stderr.on('data', (b: Buffer) => (this.stderr = (this.stderr + b.toString()).slice(-4096)));
    this.child.stdin.on('error', () => undefined); // a child that died mid-write reports through its exit
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`${GST_LAUNCH} cannot run: ${err.message}`));
      });
      this.child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) return resolve();
        if (this.timedOut) return reject(new Error(`no result within ${timeoutMs} ms (killed)`));
        reject(new Error(gstReason(this.stderr, `${GST_LAUNCH} exited with ${String(code ?? signal)}`)));
      });
    });
    this.exited.catch(() => undefined); // observed in finish()
  }

  /** Writes to the child's stdin, waiting while its pipe is full. */
  async write(data: Buffer): Promise<void> {
    if (this.child.stdin.destroyed || this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (!this.child.stdin.write(data)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.child.stdin.off('drain', done).off('error', done);
          this.child.off('close', done);
          resolve();
        };
        this.child.stdin.on('drain', done).on('error', done);
        this.child.on('close', done);
      });
    }
  }

  /** Ends stdin (EOS) and waits for the child; returns what it wrote to stdout. */
  async finish(): Promise<Buffer> {
    this.child.stdin.end();
    await this.exited;
    return Buffer.concat(this.chunks);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
