import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { validateConfig } from '../../config/validate.js';
import { createLogger } from '../../core/logger.js';
import { INSTALL_ROOT } from '../../core/version.js';

/**
 * `edge-agent demo` (`npm run demo`): the agent's main job with no outside service — an embedded
 * broker on 127.0.0.1, one camera looping a real street clip shipped in scripts/demo/, and a live
 * console view of everything published. Ctrl-C stops it cleanly.
 */
export function register(program: Command): void {
  program
    .command('demo')
    .description('run the agent on an embedded default (embedded broker, a real street clip) with a live console view')
    .option('--seconds <n>', 'stop by itself after n seconds', (v) => Number(v))
    .option('--clip <file>', 'video file to loop', path.join(INSTALL_ROOT, 'scripts/demo/street.mp4'))
    .action(async (opts: { seconds?: number; clip: string }) => {
      const { Agent } = await import('../../runtime/agent.js');
      const { startEmbeddedBroker } = await import('../../runtime/demo-broker.js');
      const { ConsoleView } = await import('../../runtime/console-view.js');
      const logger = createLogger(process.env.EDGE_LOG_LEVEL ?? 'warn');
      const broker = await startEmbeddedBroker();
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'edge-agent-demo-'));
      const result = validateConfig({
        gateway: { id: 'demo-gw', dataDir },
        mqtt: { url: broker.url, topicPrefix: 'edge', protocolVersion: 4 },
        health: { intervalSeconds: 10 },
        cameras: [{ id: 'street', name: 'Residential street (demo clip)', source: { kind: 'file', path: opts.clip, loop: true } }],
        clips: { preSeconds: 2, postSeconds: 2 },
        recording: { segmentSeconds: 4 },
      });
      if (!result.ok) throw new Error(`demo config invalid: ${JSON.stringify(result.problems)}`);
      const view = await new ConsoleView(broker.url, 'edge/demo-gw/#', process.stdout).start();
      process.stdout.write(`demo: embedded broker at ${broker.url}; camera "street" loops ${path.basename(opts.clip)}; data in ${dataDir}\n`);
      process.stdout.write('demo: Ctrl-C to stop\n\n');
      const agent = await Agent.start(result.config, logger);
      let stopping = false;
      const stop = async (): Promise<void> => {
        if (stopping) return;
        stopping = true;
        process.stdout.write('\ndemo: stopping\n');
        await agent.stop();
        await view.stop();
        await broker.close();
        rmSync(dataDir, { recursive: true, force: true });
        process.stdout.write(view.summary() + '\n');
        process.exit(0);
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
      if (opts.seconds) setTimeout(() => void stop(), opts.seconds * 1000);
    });
}
