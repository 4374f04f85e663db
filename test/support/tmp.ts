import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temp folder; call the returned cleanup in after(). */
export function tempDir(prefix = 'edge-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The shared street clips: beside the checkout, or beside the folder of worktrees (/work/wt/<name>). */
export const VIDEOS_DIR = [process.env.EDGE_VIDEOS_DIR, path.resolve(__dirname, '../../../shared/videos'), path.resolve(__dirname, '../../../../shared/videos')]
  .find((d): d is string => !!d && existsSync(d)) ?? path.resolve(__dirname, '../../../shared/videos');
export const REPO_ROOT = path.resolve(__dirname, '../..');
