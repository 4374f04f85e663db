import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileSigningPayload } from '../identity/file-signature.js';
import { verifySignature } from '../identity/gateway-identity.js';
import { isSafeName, type FileMetaMessage } from '../contract/index.js';
import { extensionFor, parseFileMeta } from './file-meta.js';

export type ClipOutcome =
  | { kind: 'ok'; gateway: string; clipId: string; file: string; bytes: number; meta: FileMetaMessage }
  | { kind: 'rejected'; gateway: string; clipId: string; code: string; reason: string; file: string };

export interface ClipAssemblerOptions {
  outDir: string;
  /** The gateway's Ed25519 public key (PEM) from its retained status, if known yet. */
  publicKey: (gateway: string) => string | undefined;
  /** A clip with no new chunk for this long is rejected as incomplete. */
  incompleteTimeoutMs: number;
  now?: () => number;
}

interface Transfer { gateway: string; clipId: string; dir: string; meta?: FileMetaMessage; chunks: Set<number>; lastActivity: number }

/**
 * Reassembles chunked files (`clips/<clipId>/meta` + `clips/<clipId>/chunk/<n>`), which may arrive in
 * any order, duplicated, or spread over receiver restarts. Every piece is on disk under
 * `<out>/.partial/` before its message is acknowledged, so an acknowledged chunk is never lost.
 * A file is written as good only after its size, SHA-256 and the gateway's signature check out: it
 * is assembled under a temporary name and renamed. Anything else becomes `<clipId>.rejected.json`.
 */
export class ClipAssembler {
  private readonly partials = new Map<string, Transfer>();
  private readonly clipsDir: string;
  private readonly partialDir: string;
  private readonly now: () => number;

  constructor(private readonly opts: ClipAssemblerOptions) {
    this.now = opts.now ?? Date.now;
    this.clipsDir = path.join(opts.outDir, 'clips');
    this.partialDir = path.join(opts.outDir, '.partial');
    mkdirSync(this.clipsDir, { recursive: true });
    this.load();
  }

  get pending(): number {
    return this.partials.size;
  }

  onMeta(gateway: string, clipId: string, payload: Buffer): ClipOutcome[] {
    if (!isSafeName(gateway) || this.finished(clipId)) return [];
    const p = this.partial(gateway, clipId);
    p.lastActivity = this.now();
    const meta = parseFileMeta(payload, clipId);
    if (typeof meta === 'string') return [this.reject(p, 'CLIP_META_INVALID', meta)];
    if (p.meta) return this.complete(p); // a redelivered meta: the first one stands
    writeAtomic(path.join(p.dir, 'meta.json'), Buffer.from(JSON.stringify(meta)));
    p.meta = meta;
    return this.complete(p);
  }

  onChunk(gateway: string, clipId: string, index: number, payload: Buffer): ClipOutcome[] {
    if (!isSafeName(gateway) || this.finished(clipId)) return [];
    const p = this.partial(gateway, clipId);
    p.lastActivity = this.now();
    if (!p.chunks.has(index)) {
      writeAtomic(path.join(p.dir, `${index}.chunk`), payload);
      p.chunks.add(index);
    }
    return this.complete(p);
  }

  /** A gateway's public key became known: finish its clips that were only waiting for it. */
  onKey(gateway: string): ClipOutcome[] {
    return [...this.partials.values()].filter((p) => p.gateway === gateway).flatMap((p) => this.complete(p));
  }

  /** Rejects clips that stopped receiving chunks (truncated transfers) or never got a key. */
  sweep(): ClipOutcome[] {
    const out: ClipOutcome[] = [];
    const deadline = this.now() - this.opts.incompleteTimeoutMs;
    for (const p of [...this.partials.values()]) {
      if (p.lastActivity > deadline) continue;
      if (!p.meta) {
        out.push(this.reject(p, 'CLIP_INCOMPLETE', `no meta received; ${p.chunks.size} chunk(s) arrived`));
      } else if (this.missing(p).length) {
        const missing = this.missing(p);
        out.push(this.reject(p, 'CLIP_INCOMPLETE', `${missing.length} of ${p.meta.chunks} chunk(s) never arrived (first missing: ${missing[0]})`));
      } else {
        out.push(this.reject(p, 'CLIP_NO_PUBLIC_KEY', `no public key for gateway ${p.gateway} (its retained status has none) to verify the signature`));
      }
    }
    return out;
  }

  private complete(p: Transfer): ClipOutcome[] {
    const meta = p.meta;
    if (!meta || this.missing(p).length) return [];
    const extra = [...p.chunks].filter((n) => n >= meta.chunks);
    if (extra.length) return [this.reject(p, 'CLIP_EXTRA_CHUNKS', `chunk ${extra[0]} is beyond the ${meta.chunks} chunk(s) meta announced`)];
    const key = this.opts.publicKey(p.gateway);
    if (!key) return []; // the retained status normally comes with the subscription; sweep() gives up later
    if (!verifySignature(key, fileSigningPayload(meta), meta.signature)) {
      return [this.reject(p, 'CLIP_SIGNATURE_INVALID', `signature does not verify with gateway ${p.gateway}'s public key`)];
    }
    const file = path.join(this.clipsDir, `${p.clipId}.${extensionFor(meta.contentType)}`);
    const tmp = `${file}.part`;
    const hash = createHash('sha256');
    let bytes = 0;
    const fd = openSync(tmp, 'w');
    try {
      for (let n = 0; n < meta.chunks; n++) {
        const data = readFileSync(path.join(p.dir, `${n}.chunk`));
        hash.update(data);
        writeSync(fd, data);
        bytes += data.length;
      }
    } finally {
      closeSync(fd);
    }
    const sha = hash.digest('hex');
    let problem: [string, string] | null = null;
    if (bytes !== meta.bytes) problem = ['CLIP_SIZE_MISMATCH', `assembled ${bytes} bytes, meta says ${meta.bytes} (truncated or padded transfer)`];
    else if (sha !== meta.sha256) problem = ['CLIP_HASH_MISMATCH', `SHA-256 of the assembled file is ${sha}, meta says ${meta.sha256} (a chunk is corrupt)`];
    if (problem) {
      unlinkSync(tmp);
      return [this.reject(p, problem[0], problem[1])];
    }
    // The file first, then its meta.json (which marks the clip finished), then the partial goes: a
    // crash in between leaves the partial, and the next run assembles the same file again.
    renameSync(tmp, file);
    writeAtomic(path.join(this.clipsDir, `${p.clipId}.meta.json`), Buffer.from(JSON.stringify({ gateway: p.gateway, verified: true, ...meta }, null, 2) + '\n'));
    this.drop(p);
    return [{ kind: 'ok', gateway: p.gateway, clipId: p.clipId, file, bytes, meta }];
  }

  private reject(p: Transfer, code: string, reason: string): ClipOutcome {
    const file = path.join(this.clipsDir, `${p.clipId}.rejected.json`);
    const report = { gateway: p.gateway, clipId: p.clipId, code, reason, rejectedAt: new Date(this.now()).toISOString(), chunksReceived: p.chunks.size, meta: p.meta ?? null };
    writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
    this.drop(p);
    return { kind: 'rejected', gateway: p.gateway, clipId: p.clipId, code, reason, file };
  }

  private missing(p: Transfer): number[] {
    const out: number[] = [];
    for (let n = 0; p.meta && n < p.meta.chunks; n++) if (!p.chunks.has(n)) out.push(n);
    return out;
  }

  /** Done either way: later duplicates of its meta or chunks are ignored. */
  private finished(clipId: string): boolean {
    return existsSync(path.join(this.clipsDir, `${clipId}.meta.json`)) || existsSync(path.join(this.clipsDir, `${clipId}.rejected.json`));
  }

  private partial(gateway: string, clipId: string): Transfer {
    const k = `${gateway}/${clipId}`;
    let p = this.partials.get(k);
    if (!p) {
      const dir = path.join(this.partialDir, gateway, clipId);
      mkdirSync(dir, { recursive: true });
      p = { gateway, clipId, dir, chunks: new Set(), lastActivity: this.now() };
      this.partials.set(k, p);
    }
    return p;
  }

  private drop(p: Transfer): void {
    this.partials.delete(`${p.gateway}/${p.clipId}`);
    rmSync(p.dir, { recursive: true, force: true });
  }

  /** Picks up transfers a previous run had started. */
  private load(): void {
    for (const gateway of safeList(this.partialDir)) {
      for (const clipId of safeList(path.join(this.partialDir, gateway))) {
        const p = this.partial(gateway, clipId);
        if (this.finished(clipId)) {
          this.drop(p); // finished just before a crash, only its partial was left
          continue;
        }
        for (const name of safeList(p.dir)) {
          const m = /^(\d+)\.chunk$/.exec(name);
          if (m) p.chunks.add(Number(m[1]));
          if (name === 'meta.json') {
            const meta = parseFileMeta(readFileSync(path.join(p.dir, name)), clipId);
            if (typeof meta !== 'string') p.meta = meta;
          }
        }
      }
    }
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).filter(isSafeName);
  } catch {
    return [];
  }
}

function writeAtomic(file: string, data: Buffer): void {
  writeFileSync(`${file}.tmp`, data);
  renameSync(`${file}.tmp`, file);
}
