#!/usr/bin/env node
/**
 * `edge-agent`: one binary for the agent service, the technician's tools and the operator's tools.
 * Each subcommand lives in commands/<name>.ts and registers itself (commander: a well-kept CLI
 * parser with help, sub-commands and option validation we would otherwise write by hand).
 */
import '../runtime/threadpool.js';
import '../runtime/malloc-env.js';
import { Command } from 'commander';
import { AGENT_VERSION } from '../core/version.js';
import { register as checkConfig } from './commands/check-config.js';
import { register as run } from './commands/run.js';
import { register as demo } from './commands/demo.js';
import { register as discover } from './commands/discover.js';
import { register as diag } from './commands/diag.js';
import { register as keys } from './commands/keys.js';
import { register as provision } from './commands/provision.js';
import { register as request } from './commands/request.js';
import { register as receive } from './commands/receive.js';

const program = new Command('edge-agent').version(AGENT_VERSION).description('edge camera gateway agent');
for (const register of [checkConfig, run, demo, discover, keys, provision, request, diag, receive]) register(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
