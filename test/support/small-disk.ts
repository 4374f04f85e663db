import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './tmp.js';

/** A 16 MiB tmpfs (tests run as root): a real disk that fills; unmounted after the test, also when it fails. */
export function smallDisk(cleanups: Array<() => Promise<void> | void>): string {
  const t = tempDir('edge-diskfull-');
  const mnt = path.join(t.dir, 'disk');
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mnt]);
  cleanups.push(() => {
    execFileSync('umount', ['-l', mnt]);
    t.cleanup();
  });
  return mnt;
}
