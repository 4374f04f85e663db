import assert from 'node:assert/strict';
import pino from 'pino';
import { validateConfig } from '../../agent/config/validate.js';
import type { AgentConfig } from '../../agent/config/schema/index.js';
import { AgentError } from '../../agent/core/errors.js';
import type { ApplyOutcome, Subsystem } from '../../agent/core/subsystem.js';
import { Lifecycle } from '../../agent/runtime/lifecycle.js';
import { LoggingSubsystem } from '../../agent/runtime/subsystems/logging.js';

/** A subsystem that writes what the lifecycle did to it into a shared journal. */
class Step implements Subsystem {
  failStop = false;
  failStart = false;
  answer: ApplyOutcome = 'live';

  constructor(readonly name: string, private readonly journal: string[]) {}

  async start(): Promise<void> {
    if (this.failStart) throw new AgentError('AGENT_START_FAILED', `${this.name} cannot start`);
    this.journal.push(`start ${this.name}`);
  }

  async stop(): Promise<void> {
    if (this.failStop) throw new AgentError('JOB_FAILED', `${this.name} cannot stop`);
    this.journal.push(`stop ${this.name}`);
  }

  async apply(): Promise<ApplyOutcome> {
    this.journal.push(`apply ${this.name}`);
    return this.answer;
  }
}

function capture(): { logger: pino.Logger; lines: () => Array<Record<string, unknown>> } {
  const raw: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void raw.push(line) });
  return { logger, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

function config(over: object = {}): AgentConfig {
  const r = validateConfig({ gateway: { id: 'gw-life', dataDir: '/tmp/unused' }, mqtt: { url: 'mqtt://127.0.0.1:1' }, ...over });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

describe('runtime lifecycle (ordered start, reverse stop, apply)', () => {
  it('starts in list order and stops in reverse', async () => {
    const journal: string[] = [];
    const life = new Lifecycle(['a', 'b', 'c'].map((n) => new Step(n, journal)), capture().logger);
    await life.start();
    await life.stop();
    assert.deepEqual(journal, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  });

  it('a failing stop step is logged with its code, the rest still stop, and stop rejects after the last step', async () => {
    const journal: string[] = [];
    const steps = ['a', 'b', 'c'].map((n) => new Step(n, journal));
    steps[1].failStop = true;
    const log = capture();
    const life = new Lifecycle(steps, log.logger);
    await life.start();
    journal.length = 0;
    await assert.rejects(life.stop(), (err: AgentError) => err.code === 'SUBSYSTEM_STOP_FAILED' && err.message.includes('b'));
    assert.deepEqual(journal, ['stop c', 'stop a']);
    const failure = log.lines().find((l) => l.subsystem === 'b' && l.level === 50);
    assert.equal((failure?.err as { code?: string } | undefined)?.code, 'JOB_FAILED');
  });

  it('a failing start stops what already started (reverse) and starts nothing after it', async () => {
    const journal: string[] = [];
    const steps = ['a', 'b', 'c', 'd'].map((n) => new Step(n, journal));
    steps[2].failStart = true;
    const life = new Lifecycle(steps, capture().logger);
    await assert.rejects(life.start(), (err: AgentError) => err.code === 'AGENT_START_FAILED');
    assert.deepEqual(journal, ['start a', 'start b', 'stop b', 'stop a']);
    journal.length = 0;
    await life.stop();
    assert.deepEqual(journal, [], 'nothing is left running to stop');
  });

  it('apply: all live, nothing restarts', async () => {
    const journal: string[] = [];
    const life = new Lifecycle(['a', 'b'].map((n) => new Step(n, journal)), capture().logger);
    await life.start();
    journal.length = 0;
    assert.equal(await life.apply(config(), config()), 'live');
    assert.deepEqual(journal, ['apply a', 'apply b']);
  });

  it('apply: a restart answer restarts in-process from that subsystem on, keeping the ones marked to stay up', async () => {
    const journal: string[] = [];
    const [a, b, c, keep, d] = ['a', 'b', 'c', 'keep', 'd'].map((n) => new Step(n, journal));
    b.answer = 'restart';
    const life = new Lifecycle([a, b, c, keep, d], capture().logger, new Set([keep]));
    await life.start();
    journal.length = 0;
    assert.equal(await life.apply(config(), config()), 'restart');
    assert.deepEqual(journal, ['apply a', 'apply b', 'apply c', 'apply keep', 'apply d', 'stop d', 'stop c', 'stop b', 'start b', 'start c', 'start d']);
    journal.length = 0;
    await life.stop();
    assert.deepEqual(journal, ['stop d', 'stop keep', 'stop c', 'stop b', 'stop a'], 'a full stop still stops the kept one, in order');
  });

  it('apply: a subsystem left stopped by a failed restart is started by the next apply', async () => {
    const journal: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((n) => new Step(n, journal));
    const life = new Lifecycle([a, b, c], capture().logger);
    await life.start();
    b.answer = 'restart';
    c.failStart = true;
    await assert.rejects(life.apply(config(), config()), (err: AgentError) => err.code === 'AGENT_START_FAILED');
    b.answer = 'live';
    c.failStart = false;
    journal.length = 0;
    assert.equal(await life.apply(config(), config()), 'restart');
    assert.deepEqual(journal, ['apply a', 'apply b', 'apply c', 'start b', 'start c']);
  });

  it('logging.level is applied live: children of the agent logger follow it', async () => {
    const root = pino({ level: 'info' }, { write: () => undefined });
    const child = root.child({ subsystem: 'ingest' }).child({ camera: 'cam-1' });
    const logging = new LoggingSubsystem(root, {});
    assert.equal(await logging.apply(config({ logging: { level: 'debug' } }), config()), 'live');
    assert.equal(child.isLevelEnabled('debug'), true);
    const pinned = new LoggingSubsystem(root, { EDGE_LOG_LEVEL: 'debug' });
    await pinned.apply(config({ logging: { level: 'error' } }), config({ logging: { level: 'debug' } }));
    assert.equal(child.isLevelEnabled('debug'), true, 'EDGE_LOG_LEVEL wins over the config, as at start');
  });
});
