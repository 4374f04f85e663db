import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileSigningPayload } from '../identity/file-signature.js';
import { keyFingerprint } from '../identity/gateway-key-pins.js';
import { verifySignature } from '../identity/gateway-identity.js';
import { writeFileAtomic } from '../core/atomic-file.js';
import { isSafeName, type FileMetaMessage } from '../contract/index.js';
import { ChunkSet } from './chunk-set.js';
import { extensionFor, parseFileMeta } from './file-meta.js';
import { DEFAULT_TRANSFER_LIMITS, emptyTransferCounts, type TransferCounts, type TransferLimits } from './transfer-limits.js';

export type ClipOutcome =
  | { kind: 'ok'; gateway: string; clipId: string; file: string; bytes: number; meta: FileMetaMessage }
  | { kind: 'rejected'; gateway: string; clipId: string; code: string; reason: string; file: string };

export interface ClipAssemblerOptions {
  outDir: string;
  /** The gateway's pinned Ed25519 public key (PEM), if known yet. */
  publicKey: (gateway: string) => string | undefined;
  /** A key the gateway's status offered and the receiver refused (not the pin): a file signed with it is GATEWAY_KEY_MISMATCH. */
  refusedKey?: (gateway: string) => string | undefined;
  /** A clip with no new chunk for this long is rejected as incomplete. */
  incompleteTimeoutMs: number;
  limits?: Partial<TransferLimits>;
  now?: () => number;
}

interface Transfer { gateway: string; clipId: string; dir: string; meta?: FileMetaMessage; chunks: ChunkSet; bytes: number; openedAt: number; lastActivity: number }

interface GatewayTransfers { open: Map<string, Transfer>; pendingBytes: number; counts: TransferCounts }

/**
 * Reassembles chunked files (`clips/<clipId>/meta` + `clips/<clipId>/chunk/<n>`), which may arrive in
 * any order, duplicated, or spread over receiver restarts. Every piece is on disk (fsynced) under
 * `<out>/.partial/<gateway>/` before its message is acknowledged, so an acknowledged chunk is never lost.
 * A file is written as good only after its size, SHA-256 and the gateway's signature check out: it
 * is assembled under a temporary name and renamed into `clips/<gateway>/`. Anything else becomes
 * `clips/<gateway>/<clipId>.rejected.json`. Each gateway has its own clip ids and its own bounds
 * (transfer-limits.ts): one gateway's traffic cannot use up another's.
 */
export class ClipAssembler {
  private readonly gateways = new Map<string, GatewayTransfers>();
  private readonly clipsDir: string;
  private readonly partialDir: string;
  private readonly now: () => number;
  readonly limits: TransferLimits;

  constructor(private readonly opts: ClipAssemblerOptions) {
    this.now = opts.now ?? Date.now;
    this.limits = { ...DEFAULT_TRANSFER_LIMITS, ...opts.limits };
    this.clipsDir = path.join(opts.outDir, 'clips');
    this.partialDir = path.join(opts.outDir, '.partial');
    mkdirSync(this.clipsDir, { recursive: true });
    this.load();
  }

  get pending(): number {
    let n = 0;
    for (const g of this.gateways.values()) n += g.open.size;
    return n;
  }

  /** Per gateway: open transfers, bytes they hold, and what each bound refused or dropped. */
  counts(): Record<string, TransferCounts> {
    const out: Record<string, TransferCounts> = {};
    for (const [gw, g] of this.gateways) out[gw] = { ...g.counts, openTransfers: g.open.size, pendingBytes: g.pendingBytes };
    return out;
  }

  onMeta(gateway: string, clipId: string, payload: Buffer): ClipOutcome[] {
    const p = this.transfer(gateway, clipId);
    if (!p) return [];
    const meta = parseFileMeta(payload, clipId);
    if (typeof meta === 'string') return [this.reject(p, 'CLIP_META_INVALID', meta)];
    if (meta.bytes > this.limits.maxFileBytes || meta.chunks > this.limits.maxChunks) {
      return [this.tooLarge(p, `meta announces ${meta.bytes} bytes in ${meta.chunks} chunk(s); this receiver takes at most ${this.limits.maxFileBytes} bytes and ${this.limits.maxChunks} chunks per file`)];
    }
    if (p.meta) return this.complete(p); // a redelivered meta: the first one stands
    writeFileAtomic(path.join(p.dir, 'meta.json'), JSON.stringify(meta), 0o644);
    p.meta = meta;
    return this.complete(p);
  }

  onChunk(gateway: string, clipId: string, index: number, payload: Buffer): ClipOutcome[] {
    const p = this.transfer(gateway, clipId);
    if (!p) return [];
    if (index >= this.limits.maxChunks) return [this.tooLarge(p, `chunk ${index}: this receiver takes at most ${this.limits.maxChunks} chunks per file`)];
    if (payload.length > this.limits.maxChunkBytes) return [this.tooLarge(p, `chunk ${index} has ${payload.length} bytes; this receiver takes at most ${this.limits.maxChunkBytes}`)];
    if (!p.chunks.has(index)) {
      if (p.bytes + payload.length > this.limits.maxFileBytes) return [this.tooLarge(p, `chunks add up to more than ${this.limits.maxFileBytes} bytes`)];
      const g = this.gateway(gateway);
      if (g.pendingBytes + payload.length > this.limits.maxPendingBytes) {
        g.counts.overQuota++;
        return [this.reject(p, 'CLIP_GATEWAY_QUOTA', `gateway ${gateway}'s unfinished transfers would hold more than ${this.limits.maxPendingBytes} bytes`)];
      }
      writeFileAtomic(path.join(p.dir, `${index}.chunk`), payload, 0o644);
      p.chunks.add(index);
      p.bytes += payload.length;
      g.pendingBytes += payload.length;
    }
    return this.complete(p);
  }

  /** A gateway's public key became known: finish its clips that were only waiting for it. */
  onKey(gateway: string): ClipOutcome[] {
    return [...(this.gateways.get(gateway)?.open.values() ?? [])].flatMap((p) => this.complete(p));
  }

  /** Rejects clips that stopped receiving chunks (truncated transfers), stayed open too long, or never got a key. */
  sweep(): ClipOutcome[] {
    const out: ClipOutcome[] = [];
    const now = this.now();
    const idleSince = now - this.opts.incompleteTimeoutMs;
    for (const g of [...this.gateways.values()]) {
      for (const p of [...g.open.values()]) {
        const tooOld = now - p.openedAt > this.limits.maxTransferAgeMs;
        if (p.lastActivity > idleSince && !tooOld) continue;
        g.counts.stale++;
        const why = tooOld ? `open for more than ${this.limits.maxTransferAgeMs / 1000} s` : `no new piece for ${this.opts.incompleteTimeoutMs / 1000} s`;
        if (!p.meta) {
          out.push(this.reject(p, 'CLIP_INCOMPLETE', `no meta received; ${p.chunks.size} chunk(s) arrived (${why})`));
        } else if (!p.chunks.isComplete(p.meta.chunks)) {
          out.push(this.reject(p, 'CLIP_INCOMPLETE', `${p.chunks.missingBelow(p.meta.chunks)} of ${p.meta.chunks} chunk(s) never arrived (first missing: ${p.chunks.firstMissing(p.meta.chunks)}; ${why})`));
        } else {
          out.push(this.reject(p, 'CLIP_NO_PUBLIC_KEY', `no public key for gateway ${p.gateway} (its retained status has none) to verify the signature`));
        }
      }
    }
    return out;
  }

  private complete(p: Transfer): ClipOutcome[] {
    const meta = p.meta;
    if (!meta) return [];
    if (p.chunks.max >= meta.chunks) return [this.reject(p, 'CLIP_EXTRA_CHUNKS', `chunk ${p.chunks.max} is beyond the ${meta.chunks} chunk(s) meta announced`)];
    if (!p.chunks.isComplete(meta.chunks)) return [];
    const key = this.opts.publicKey(p.gateway);
    if (!key) return []; // the retained status normally comes with the subscription; sweep() gives up later
    const signed = fileSigningPayload(meta);
    if (!verifySignature(key, signed, meta.signature)) {
      const refused = this.opts.refusedKey?.(p.gateway);
      if (refused && verifySignature(refused, signed, meta.signature)) {
        this.gateway(p.gateway).counts.keyMismatch++;
        return [this.reject(p, 'GATEWAY_KEY_MISMATCH', `signed with key ${keyFingerprint(refused)}, which gateway ${p.gateway}'s status offered, not with its pinned key ${keyFingerprint(key)}`)];
      }
      return [this.reject(p, 'CLIP_SIGNATURE_INVALID', `signature does not verify with gateway ${p.gateway}'s public key`)];
    }
    const dir = this.outDirOf(p.gateway);
    const file = path.join(dir, `${p.clipId}.${extensionFor(meta.contentType)}`);
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
      fsyncSync(fd);
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
    writeFileAtomic(path.join(dir, `${p.clipId}.meta.json`), JSON.stringify({ gateway: p.gateway, verified: true, ...meta }, null, 2) + '\n', 0o644);
    this.drop(p);
    return [{ kind: 'ok', gateway: p.gateway, clipId: p.clipId, file, bytes, meta }];
  }

  private tooLarge(p: Transfer, reason: string): ClipOutcome {
    this.gateway(p.gateway).counts.tooLarge++;
    return this.reject(p, 'CLIP_TOO_LARGE', reason);
  }

  private reject(p: Transfer, code: string, reason: string): ClipOutcome {
    const file = path.join(this.outDirOf(p.gateway), `${p.clipId}.rejected.json`);
    const report = { gateway: p.gateway, clipId: p.clipId, code, reason, rejectedAt: new Date(this.now()).toISOString(), chunksReceived: p.chunks.size, meta: p.meta ?? null };
    writeFileAtomic(file, JSON.stringify(report, null, 2) + '\n', 0o644);
    this.drop(p);
    return { kind: 'rejected', gateway: p.gateway, clipId: p.clipId, code, reason, file };
  }

  private outDirOf(gateway: string): string {
    const dir = path.join(this.clipsDir, gateway);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Done either way: later duplicates of its meta or chunks are ignored. Clip ids are the gateway's own. */
  private finished(gateway: string, clipId: string): boolean {
    const dir = path.join(this.clipsDir, gateway);
    return existsSync(path.join(dir, `${clipId}.meta.json`)) || existsSync(path.join(dir, `${clipId}.rejected.json`));
  }

  private gateway(gateway: string): GatewayTransfers {
    let g = this.gateways.get(gateway);
    if (!g) {
      g = { open: new Map(), pendingBytes: 0, counts: emptyTransferCounts() };
      this.gateways.set(gateway, g);
    }
    return g;
  }

  /** The open transfer a piece belongs to; undefined when finished, or refused because its gateway has too many open. */
  private transfer(gateway: string, clipId: string): Transfer | undefined {
    if (!isSafeName(gateway)) return undefined;
    const g = this.gateway(gateway);
    let p = g.open.get(clipId); // an open transfer is not finished (finishing drops it): no file check per chunk
    if (!p) {
      if (this.finished(gateway, clipId)) return undefined;
      if (g.open.size >= this.limits.maxOpenTransfers) {
        g.counts.refusedPieces++;
        return undefined;
      }
      p = this.openTransfer(g, gateway, clipId);
    }
    p.lastActivity = this.now();
    return p;
  }

  private openTransfer(g: GatewayTransfers, gateway: string, clipId: string): Transfer {
    const dir = path.join(this.partialDir, gateway, clipId);
    mkdirSync(dir, { recursive: true });
    const p: Transfer = { gateway, clipId, dir, chunks: new ChunkSet(), bytes: 0, openedAt: this.now(), lastActivity: this.now() };
    g.open.set(clipId, p);
    return p;
  }

  private drop(p: Transfer): void {
    const g = this.gateway(p.gateway);
    if (g.open.get(p.clipId) === p) {
      g.open.delete(p.clipId);
      g.pendingBytes -= p.bytes;
    }
    rmSync(p.dir, { recursive: true, force: true });
  }

  /** Picks up transfers a previous run had started (their age counts from this start). */
  private load(): void {
    for (const gateway of safeList(this.partialDir)) {
      const g = this.gateway(gateway);
      for (const clipId of safeList(path.join(this.partialDir, gateway))) {
        const p = this.openTransfer(g, gateway, clipId);
        if (this.finished(gateway, clipId)) {
          this.drop(p); // finished just before a crash, only its partial was left
          continue;
        }
        for (const name of safeList(p.dir)) {
          const m = /^(\d+)\.chunk$/.exec(name);
          if (m && p.chunks.add(Number(m[1]))) {
            const size = statSync(path.join(p.dir, name)).size;
            p.bytes += size;
            g.pendingBytes += size;
          }
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
