/**
 * Are the GStreamer elements the configured cameras need installed? The list is read from the very
 * pipelines the ingest would run (pipelines/ templates rendered by the ingest plan), plus the
 * elements decodebin/parsebin pick at run time for a source kind (pipelineElements +
 * implicitElements: the one place to change when templates change).
 */
import path from 'node:path';
import type { AgentConfig, CameraConfig } from '../../config/schema/index.js';
import { AgentError } from '../../core/errors.js';
import { SNAPSHOT_ELEMENTS } from '../../detection/snapshot/jpeg-pipeline.js';
import { buildPlan } from '../../ingest/pipeline-plan.js';
import { fail, pass, skip, type CheckGroup, type Outcome } from '../check-runner.js';
import { run } from '../exec.js';

/** Splits a gst-launch description into words, keeping "quoted values" whole (quotes removed as gst-launch's shell would). */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && q && i + 1 < s.length) cur += s[++i];
    else if (c === '"') q = !q;
    else if (/\s/.test(c) && !q) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

/** Element factory names in a gst-launch description: skips properties, caps and pad references (`t.`). */
export function pipelineElements(pipeline: string): string[] {
  const names = new Set<string>();
  for (const chunk of pipeline.split('!')) {
    for (const tok of splitArgs(chunk)) {
      if (tok.includes('=') || tok.includes('/') || tok.endsWith('.') || tok.includes(',')) continue;
      if (/^[a-z0-9_][a-z0-9_-]*$/i.test(tok)) names.add(tok);
    }
  }
  return [...names];
}

/** Elements picked at run time by parsebin/decodebin for a source, which the text does not name. */
export function implicitElements(camera: CameraConfig): string[] {
  const src = camera.source;
  if (src.kind === 'file') {
    const ext = path.extname(src.path).toLowerCase();
    const demux: Record<string, string[]> = { '.mp4': ['qtdemux'], '.mov': ['qtdemux'], '.m4v': ['qtdemux'], '.mkv': ['matroskademux'], '.webm': ['matroskademux'], '.ts': ['tsdemux'], '.avi': ['avidemux'] };
    // decodebin takes whichever decoder is installed for the codec: the decode check proves one is.
    return [...(demux[ext] ?? []), 'h264parse'];
  }
  if (src.kind === 'v4l2') return ['v4l2src', 'jpegdec'];
  return [];
}

/** Debian package holding an element, for the remedy. */
export function packageFor(element: string): string {
  if (element.startsWith('avdec_') || element.startsWith('avenc_')) return 'gstreamer1.0-libav';
  if (['x264enc'].includes(element)) return 'gstreamer1.0-plugins-ugly';
  if (element === 'v4l2h264dec') return 'gstreamer1.0-plugins-bad (v4l2h264dec: gstreamer1.0-plugins-good on Raspberry Pi OS)';
  if (['h264parse', 'h265parse', 'mpeg4videoparse', 'mpegvideoparse', 'tsdemux', 'mpegtsmux', 'gdppay', 'gdpdepay'].includes(element)) return 'gstreamer1.0-plugins-bad';
  if (['nvv4l2decoder', 'nvvidconv'].includes(element)) return 'the NVIDIA JetPack GStreamer plugins (nvidia-l4t-gstreamer)';
  if (['rtspsrc', 'rtph264depay', 'qtdemux', 'matroskademux', 'avidemux', 'splitmuxsink', 'v4l2src', 'jpegdec', 'jpegenc', 'mp4mux'].includes(element)) return 'gstreamer1.0-plugins-good';
  if (['fdsrc', 'fdsink', 'filesrc', 'filesink', 'identity', 'fakesink', 'queue', 'tee'].includes(element)) return 'libgstreamer1.0-0 (core elements)';
  return 'gstreamer1.0-plugins-base';
}

/** The remedy when a group of gst-inspect calls runs out of time. */
export const GST_INSPECT_SLOW = 'gst-inspect-1.0 is very slow: the plugin registry may be rebuilding; run `gst-inspect-1.0 >/dev/null` once and retry';

/** The elements gst-inspect-1.0 does not know, checked all at once (registry reads are cheap; the first builds the cache). */
async function missingElements(elements: string[], env?: NodeJS.ProcessEnv): Promise<string[]> {
  const present = await Promise.all(elements.map(async (el) => [el, (await run('gst-inspect-1.0', ['--exists', el], { timeoutMs: 30000, env })).ok] as const));
  return present.filter(([, ok]) => !ok).map(([el]) => el);
}

/** A GStreamer tool's `--version` step: the GStreamer version, or a fail in the caller's words when the tool is missing. */
export async function gstToolVersion(tool: string, env: NodeJS.ProcessEnv | undefined, whenMissing: { detail: string; remedy: string }): Promise<Outcome> {
  const v = await run(tool, ['--version'], { timeoutMs: 20000, env });
  if (!v.ok) return fail(null, v.missing ? whenMissing.detail : v.stderr.trim(), whenMissing.remedy);
  return pass(/GStreamer ([\d.]+)/.exec(v.stdout)?.[1] ?? v.stdout.trim().split('\n')[0]);
}

/**
 * An elements step: `installed/needed`, failing when `failure` words a problem for the missing ones
 * (undefined: nothing is wrong); a pass lists the elements.
 */
export async function elementsStep(need: string[], env: NodeJS.ProcessEnv | undefined, failure: (missing: string[]) => { detail: string; remedy: string } | undefined): Promise<Outcome> {
  const missing = await missingElements(need, env);
  const problem = failure(missing);
  const total = need.length;
  return problem ? fail(`${total - missing.length}/${total}`, problem.detail, problem.remedy) : pass(`${total}/${total}`, need.join(' '));
}

/** "install <package> for <elements>" for each Debian package the missing elements come from. */
export function installRemedy(missing: string[]): string[] {
  const byPkg = new Map<string, string[]>();
  for (const el of missing) byPkg.set(packageFor(el), [...(byPkg.get(packageFor(el)) ?? []), el]);
  return [...byPkg].map(([pkg, els]) => `install ${pkg} for ${els.join(', ')}`);
}

export async function requiredElements(config: AgentConfig): Promise<{ elements: Map<string, string[]>; problems: string[] }> {
  const elements = new Map<string, string[]>();
  const problems: string[] = [];
  const need = (el: string, cam: string): void => {
    elements.set(el, [...(elements.get(el) ?? []), cam]);
  };
  for (const camera of config.cameras.filter((c) => c.enabled)) {
    try {
      // The ONVIF URL only fills a property: any rtsp:// URL gives the same element list.
      const plan = await buildPlan({ camera, dataDir: config.gateway.dataDir, recording: config.recording, onvifUrl: 'rtsp://onvif.invalid/' });
      for (const el of [...pipelineElements(plan.pipeline), ...implicitElements(camera)]) need(el, camera.id);
    } catch (err) {
      problems.push(`${camera.id}: ${err instanceof AgentError || err instanceof Error ? err.message : String(err)}`);
    }
  }
  // Event snapshots, the live view and the snapshot command: jpegenc in the gst-launch JPEG process.
  if (elements.size) for (const el of SNAPSHOT_ELEMENTS) need(el, 'snapshots');
  return { elements, problems };
}

export function gstreamerChecks(config: AgentConfig, opts: { env?: NodeJS.ProcessEnv } = {}): CheckGroup {
  return {
    group: 'gstreamer',
    timeoutMs: 45000,
    timeoutRemedy: GST_INSPECT_SLOW,
    steps: [
      { id: 'gstreamer.version', title: 'GStreamer installed' },
      { id: 'gstreamer.elements', title: 'elements the camera pipelines need' },
    ],
    async run(r) {
      const version = await gstToolVersion('gst-inspect-1.0', opts.env, { detail: 'gst-inspect-1.0 is not installed', remedy: 'run scripts/setup.sh (installs GStreamer with the base, good, bad, ugly and libav plugins)' });
      r.report('gstreamer.version', version);
      if (version.status === 'fail') return r.skipRest('not attempted: no GStreamer');
      const { elements, problems } = await requiredElements(config);
      if (!elements.size && !problems.length) return r.report('gstreamer.elements', skip('no enabled camera'));
      r.report('gstreamer.elements', await elementsStep([...elements.keys()].sort(), opts.env, (missing) => {
        if (!missing.length && !problems.length) return undefined;
        const detail = [
          ...missing.map((el) => `missing ${el} (needed by ${elements.get(el)?.join(', ')})`),
          ...problems,
        ].join('; ');
        const remedy = [
          ...installRemedy(missing),
          ...(problems.length ? ['set the camera decoder to auto or software, or install the platform decoder plugins'] : []),
        ].join('; ') + ' (scripts/setup.sh installs the standard set)';
        return { detail, remedy };
      }));
    },
  };
}
