import { strict as assert } from 'node:assert';
import { execFile, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, tempDir } from '../support/tmp.js';

const exec = promisify(execFile);
const INSTALL = path.join(REPO_ROOT, 'scripts/install.sh');

/** Packages only our devDependencies bring in (package-lock "dev": true), plus the brief's named ones. */
function devOnlyPackages(): string[] {
  const lock = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([key, entry]) => key.startsWith('node_modules/') && entry.dev === true)
    .map(([key]) => key);
}

describe('deploy: release tarball and install.sh', function () {
  this.timeout(300000);
  let out: ReturnType<typeof tempDir>;
  let tarball: string;
  let entries: string[];

  before(async () => {
    out = tempDir('edge-release-');
    await exec('bash', [path.join(REPO_ROOT, 'scripts/release.sh'), '--arch', 'x64', '--out', out.dir], { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
    const name = readdirSync(out.dir).find((f) => /^edge-agent-.+-linux-x64\.tar\.gz$/.test(f));
    assert.ok(name, `release.sh left no tarball in ${out.dir}`);
    tarball = path.join(out.dir, name);
    entries = (await exec('tar', ['-tzf', tarball], { maxBuffer: 64 << 20 })).stdout.split('\n').filter(Boolean);
  });
  after(() => out?.cleanup());

  describe('release.sh --arch x64', () => {
    it('is versioned and its sha256 file verifies', async () => {
      const version = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
      assert.equal(path.basename(tarball), `edge-agent-${version}-linux-x64.tar.gz`);
      const { stdout } = await exec('sha256sum', ['-c', `${path.basename(tarball)}.sha256`], { cwd: out.dir });
      assert.match(stdout, /: OK$/m);
    });

    it('carries the built agent, model, pipelines, clip cutter, unit, installer and the compiled addons', () => {
      const root = `edge-agent-`;
      for (const part of ['dist/agent/cli/main.js', 'dist/agent/clips/cut-clip.js', 'models/centernet.onnx', 'models/centernet.manifest.json', 'models/centernet-512x288.onnx', 'models/centernet-512x288.manifest.json', 'models/centernet-512x288-road.onnx', 'models/centernet-512x288-road.manifest.json',
        'pipelines/rtsp.software.pipeline', 'scripts/install.sh', 'scripts/systemd/edge-agent.service', 'scripts/demo/street.mp4',
        'node_modules/gstreamer-superficial/build/Release/gstreamer-superficial.node', 'node_modules/unix-dgram/build/Release/unix_dgram.node']) {
        assert.ok(entries.some((e) => e.startsWith(root) && e.endsWith(`/${part}`)), `missing ${part}`);
      }
      assert.ok(!entries.some((e) => /\/dist\/test\//.test(e)), 'compiled tests are not shipped');
      assert.deepEqual(entries.filter((e) => /\/dist\/.*\.py$/.test(e)), [], 'no Python in the agent');
    });

    it('carries root ownership, numeric (no names the box could map elsewhere), whoever built it', async () => {
      const listing = (await exec('tar', ['-tvzf', tarball], { maxBuffer: 64 << 20 })).stdout.split('\n').filter(Boolean);
      const notRoot = listing.map((l) => l.split(/\s+/)[1]).filter((owner) => owner !== '0/0');
      assert.deepEqual([...new Set(notRoot)], [], 'entries not owned by 0/0');
    });

    it('has no dev dependencies', () => {
      const devOnly = devOnlyPackages();
      assert.ok(devOnly.length > 50, 'the lock marks the dev tree');
      const named = ['mocha', 'typescript', 'tsx', 'playwright-core', '@tensorflow/tfjs-core', 'onnx-proto', '@vladmandic/human', 'dockerfile-utils'];
      const shipped = new Set(entries.map((e) => e.split('/').slice(1).join('/').replace(/\/$/, '')));
      const leaked = [...new Set([...devOnly, ...named.map((n) => `node_modules/${n}`)])].filter((p) => shipped.has(p));
      assert.deepEqual(leaked, []);
    });

    it("has no other platform's native binaries", () => {
      const binaries = entries.filter((e) => /\.(node|so(\.\d+)*|dll|dylib|exe)$/.test(e));
      assert.ok(binaries.some((e) => e.includes('onnxruntime-node/bin/napi-v6/linux/x64/')), 'onnxruntime-node linux-x64 is there');
      assert.ok(binaries.some((e) => e.includes('classic-level/prebuilds/linux-x64/')), 'classic-level linux-x64 is there');
      const foreign = binaries.filter((e) => /win32|darwin|android|linux[-/](arm64|arm|ia32)\b/.test(e));
      assert.deepEqual(foreign, []);
      const foreignDirs = entries.filter((e) => /(onnxruntime-node\/bin\/napi-v\d+\/(win32|darwin|linux\/arm64)|prebuilds\/(?!linux-x64)[^/]+)\/$/.test(e));
      assert.deepEqual(foreignDirs, []);
    });
  });

  describe('install.sh --root (a throw-away root, no apt)', () => {
    let root: ReturnType<typeof tempDir>;
    const originalPasswd = 'root:x:0:0:root:/root:/bin/bash\n';
    const originalGroup = 'root:x:0:\nvideo:x:44:\n';
    const install = (...args: string[]): Promise<{ stdout: string; stderr: string }> =>
      exec('bash', [INSTALL, '--root', root.dir, '--no-apt', ...args], { maxBuffer: 16 << 20 });
    const at = (p: string): string => path.join(root.dir, p);
    /** The edge-agent line of the root's passwd: name, x, uid, gid, gecos, home, shell. */
    const agentPasswd = (): string[] => {
      const line = readFileSync(at('etc/passwd'), 'utf8').split('\n').find((l) => l.startsWith('edge-agent:'));
      assert.ok(line, 'edge-agent user');
      return line.split(':');
    };

    before(() => {
      root = tempDir('edge-root-');
      mkdirSync(at('etc'));
      writeFileSync(at('etc/passwd'), originalPasswd);
      writeFileSync(at('etc/group'), originalGroup);
    });
    after(() => root?.cleanup());

    it('installs the app, a dedicated user, private config and data dirs, the bootstrap file and the unit', async () => {
      const { stdout } = await install('--from', tarball, '--bootstrap', path.join(REPO_ROOT, 'provisioning/bootstrap.example.json'));
      assert.match(stdout, /unit installed and verified/);
      assert.doesNotMatch(stdout, /inline trustedKeys/, 'the example names the root-owned trusted-keys folder');
      assert.ok(existsSync(at('opt/edge-agent/dist/agent/cli/main.js')));
      assert.equal(readFileSync(at('etc/edge-agent/bootstrap.json'), 'utf8'), readFileSync(path.join(REPO_ROOT, 'provisioning/bootstrap.example.json'), 'utf8'));
      const [, , uid, gid, , home, shell] = agentPasswd();
      assert.equal(home, '/var/lib/edge-agent');
      assert.equal(shell, '/usr/sbin/nologin');
      assert.match(readFileSync(at('etc/group'), 'utf8'), /^video:x:44:edge-agent$/m, 'in the video group for V4L2');
      const owners = { 'etc/edge-agent': [0, Number(gid)], 'var/lib/edge-agent': [Number(uid), Number(gid)] };
      for (const [dir, owner] of Object.entries(owners)) {
        const st = statSync(at(dir));
        assert.equal(st.mode & 0o777, 0o750, `${dir} mode`);
        assert.deepEqual([st.uid, st.gid], owner, `${dir} owner`);
      }
      const bootstrap = statSync(at('etc/edge-agent/bootstrap.json'));
      assert.deepEqual([bootstrap.uid, bootstrap.gid, bootstrap.mode & 0o777], [0, Number(gid), 0o640], 'bootstrap holds secrets: root-owned, agent group reads');
    });

    it('the service user reads its config and writes its data dir, but cannot create, rename or replace anything in /etc/edge-agent', () => {
      const [, , uid, gid] = agentPasswd();
      assert.notEqual(uid, '0');
      chmodSync(root.dir, 0o755); // mkdtemp's 0700 would stop the user before /etc/edge-agent's own permissions
      const asAgent = (script: string): number | null =>
        spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', 'sh', '-c', script], { cwd: root.dir, encoding: 'utf8' }).status;
      assert.equal(asAgent('cat etc/edge-agent/bootstrap.json > /dev/null && ls etc/edge-agent/trusted-keys > /dev/null'), 0, 'reads config and trust folder');
      assert.equal(asAgent('touch var/lib/edge-agent/agent-wrote-this'), 0, 'writes its data dir');
      assert.notEqual(asAgent('touch etc/edge-agent/planted.json'), 0, 'creates a file in /etc/edge-agent');
      assert.notEqual(asAgent('mv etc/edge-agent/trusted-keys etc/edge-agent/trusted-keys.aside'), 0, 'renames the trusted-keys folder aside');
      assert.notEqual(asAgent('mv etc/edge-agent/bootstrap.json etc/edge-agent/bootstrap.aside'), 0, 'renames the bootstrap aside');
      assert.notEqual(asAgent('touch etc/edge-agent/trusted-keys/planted.pub'), 0, 'adds a trusted key');
      assert.notEqual(asAgent('echo {} > etc/edge-agent/bootstrap.json'), 0, 'overwrites the bootstrap');
      assert.ok(!existsSync(at('etc/edge-agent/planted.json')) && !existsSync(at('etc/edge-agent/trusted-keys/planted.pub')), 'nothing planted');
      assert.ok(existsSync(at('etc/edge-agent/trusted-keys')) && !existsSync(at('etc/edge-agent/trusted-keys.aside')), 'trusted-keys in place');
      assert.equal(readFileSync(at('etc/edge-agent/bootstrap.json'), 'utf8'), readFileSync(path.join(REPO_ROOT, 'provisioning/bootstrap.example.json'), 'utf8'));
      rmSync(at('var/lib/edge-agent/agent-wrote-this'));
    });

    it('installs a unit that systemd-analyze verify accepts, with watchdog, restart and hardening', () => {
      const unit = at('etc/systemd/system/edge-agent.service');
      const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
      assert.equal(verify.status, 0, verify.stderr);
      assert.equal(verify.stderr.trim(), '', 'no warnings (unknown keys, bad values)');
      const text = readFileSync(unit, 'utf8');
      for (const line of ['Type=notify', 'NotifyAccess=main', 'Restart=always', 'User=edge-agent', 'NoNewPrivileges=yes', 'ProtectSystem=strict',
        'ReadWritePaths=/var/lib/edge-agent', 'Environment=UV_THREADPOOL_SIZE=8']) {
        assert.match(text, new RegExp(`^${line}$`, 'm'), line);
      }
      assert.match(text, /^WatchdogSec=\d+$/m);
    });

    it('installed agent runs from the root on its production dependencies alone', () => {
      const app = at('opt/edge-agent');
      const config = at('var/lib/edge-agent/check.json');
      writeFileSync(config, JSON.stringify({ gateway: { id: 'gw-install-test', dataDir: at('var/lib/edge-agent') }, mqtt: { url: 'mqtt://127.0.0.1:1883' },
        cameras: [{ id: 'street', source: { kind: 'file', path: path.join(app, 'scripts/demo/street.mp4') } }] }));
      const check = spawnSync(process.execPath, [path.join(app, 'dist/agent/cli/main.js'), 'check-config', config], { encoding: 'utf8', timeout: 60000 });
      assert.equal(check.status, 0, check.stdout + check.stderr);
      const natives = spawnSync(process.execPath, ['-e', "for (const m of ['gstreamer-superficial', 'onnxruntime-node', 'classic-level', 'unix-dgram']) require(m); console.log('ok')"],
        { cwd: app, encoding: 'utf8', timeout: 60000 });
      assert.equal(natives.stdout.trim(), 'ok', natives.stderr);
    });

    it('installed agent whose unix-dgram build is missing logs WATCHDOG_NOTIFY_UNAVAILABLE and runs on', () => {
      const app = at('opt/edge-agent');
      const binary = path.join(app, 'node_modules/unix-dgram/build/Release/unix_dgram.node');
      renameSync(binary, `${binary}.away`);
      try {
        const script = "const { startSystemdWatchdog } = require('./dist/agent/runtime/watchdog.js');" +
          "const { createLogger } = require('./dist/agent/core/logger.js');" +
          "startSystemdWatchdog(() => true, createLogger(), { NOTIFY_SOCKET: '/run/edge-agent-test.sock', WATCHDOG_USEC: '1000000' }).stop();" +
          "console.log('ran on');";
        const run = spawnSync(process.execPath, ['-e', script], { cwd: app, encoding: 'utf8', timeout: 60000 });
        assert.equal(run.stdout.trim(), 'ran on', run.stderr);
        const line = run.stderr.split('\n').find((l) => l.includes('"code":"WATCHDOG_NOTIFY_UNAVAILABLE"'));
        assert.ok(line, run.stderr);
        const { err } = JSON.parse(line) as { err: { message: string; remedy: string } };
        assert.match(err.message, /unix-dgram addon did not load/);
        assert.match(err.remedy, /install\.sh.*systemd restarts the agent/);
      } finally {
        renameSync(`${binary}.away`, binary);
      }
    });

    it('is idempotent: a second run succeeds and keeps the box state', async () => {
      writeFileSync(at('etc/edge-agent/bootstrap.json'), '{"name":"edited on the box"}');
      // As an earlier install.sh left it: the config dir and bootstrap owned by the agent user.
      const [, , uid, gid] = agentPasswd().map(Number);
      for (const p of ['etc/edge-agent', 'etc/edge-agent/bootstrap.json']) chownSync(at(p), uid, gid);
      chmodSync(at('etc/edge-agent/bootstrap.json'), 0o600);
      const passwd = readFileSync(at('etc/passwd'), 'utf8');
      // Offered a bootstrap with an inline fleet key: kept out (the box's own wins), and warned about.
      const inline = path.join(root.dir, 'inline-bootstrap.json');
      writeFileSync(inline, JSON.stringify({ mqtt: { url: 'mqtt://127.0.0.1' }, trustedKeys: [generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' })] }));
      const { stdout } = await install('--from', tarball, '--bootstrap', inline);
      rmSync(inline);
      assert.match(stdout, /warning: inline-bootstrap\.json has inline trustedKeys, which the agent refuses \(TRUST_KEY_WRITABLE/);
      assert.equal(readFileSync(at('etc/edge-agent/bootstrap.json'), 'utf8'), '{"name":"edited on the box"}', 'existing bootstrap kept');
      for (const [p, mode] of [['etc/edge-agent', 0o750], ['etc/edge-agent/bootstrap.json', 0o640]] as const) {
        const st = statSync(at(p));
        assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [0, gid, mode], `${p} taken back from the agent user`);
      }
      assert.equal(readFileSync(at('etc/passwd'), 'utf8'), passwd, 'no second user');
      assert.ok(existsSync(at('opt/edge-agent/dist/agent/cli/main.js')));
    });

    it('installs root-owned code and a root-owned trusted-keys folder, even from a tarball a login user (uid 1000) packed', async () => {
      // As if packed on a Pi by its login user without release.sh's ownership flags.
      const repack = tempDir('edge-repack-');
      try {
        await exec('tar', ['-xzf', tarball, '-C', repack.dir]);
        await exec('chown', ['-R', '1000:1000', repack.dir]);
        const userTarball = path.join(repack.dir, 'by-user.tar.gz');
        await exec('tar', ['-C', repack.dir, '-czf', userTarball, readdirSync(repack.dir)[0]]);
        const fleetPub = path.join(repack.dir, 'fleet.pub');
        writeFileSync(fleetPub, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
        await install('--from', userTarball, '--trusted-key', fleetPub);
      } finally {
        repack.cleanup();
      }
      const { stdout } = await exec('find', [at('opt/edge-agent'), '(', '!', '-uid', '0', '-o', '!', '-gid', '0', ')', '-print'], { maxBuffer: 64 << 20 });
      assert.deepEqual(stdout.split('\n').filter(Boolean).slice(0, 5), [], 'installed files not owned by root');
      const gid = Number(agentPasswd()[3]);
      const keys = statSync(at('etc/edge-agent/trusted-keys'));
      assert.deepEqual([keys.uid, keys.gid, keys.mode & 0o777], [0, gid, 0o750], 'trusted-keys folder root-owned, readable by the agent group only');
      const key = statSync(at('etc/edge-agent/trusted-keys/fleet.pub'));
      assert.deepEqual([key.uid, key.gid, key.mode & 0o777], [0, gid, 0o640]);
    });

    it('--uninstall removes the app and unit but keeps config, data and user', async () => {
      await install('--uninstall');
      for (const gone of ['opt/edge-agent', 'etc/systemd/system/edge-agent.service', 'usr/local/bin/edge-agent']) assert.ok(!existsSync(at(gone)), gone);
      assert.ok(existsSync(at('etc/edge-agent/bootstrap.json')));
      assert.ok(existsSync(at('var/lib/edge-agent')));
      assert.match(readFileSync(at('etc/passwd'), 'utf8'), /^edge-agent:/m);
    });

    it('--uninstall --purge leaves the root as it was', async () => {
      await install('--uninstall', '--purge');
      for (const gone of ['etc/edge-agent', 'var/lib/edge-agent']) assert.ok(!existsSync(at(gone)), gone);
      assert.equal(readFileSync(at('etc/passwd'), 'utf8'), originalPasswd);
      assert.equal(readFileSync(at('etc/group'), 'utf8'), originalGroup);
      const { stdout } = await exec('find', [root.dir, '-type', 'f', '-o', '-type', 'l']);
      const left = stdout.split('\n').filter(Boolean).map((f) => path.relative(root.dir, f)).filter((f) => !/^etc\/(passwd|group)-?$|^etc\/\.pwd\.lock$/.test(f));
      assert.deepEqual(left, []);
    });
  });
});
