import type { IClientOptions } from 'mqtt';
import { MosquittoBroker, type MosquittoOptions } from './mosquitto.js';
import { MqttCollector } from './mqtt-collector.js';
import { tempDir } from './tmp.js';

/**
 * The setting end-to-end suites share, as hooks of the describe() that calls it: a temp dir and a real
 * Mosquitto started before the suite; after it, the collectors taken with `collect` stop, then the
 * broker and the dir go. Mocha runs these hooks before the suite's own, so a suite whose after() needs
 * the broker or the dir (an agent, a receiver still running) keeps its own set-up instead.
 */
export function brokerSuite(tmpPrefix: string, brokerOpts: MosquittoOptions = {}): {
  tmp: ReturnType<typeof tempDir>;
  broker: MosquittoBroker;
  collect: (filter: string, opts?: IClientOptions) => Promise<MqttCollector>;
} {
  const tmp = tempDir(tmpPrefix);
  const broker = new MosquittoBroker(brokerOpts);
  const collectors: MqttCollector[] = [];
  before(() => broker.start());
  after(async () => {
    for (const c of collectors) await c.stop();
    await broker.dispose();
    tmp.cleanup();
  });
  /** A collector subscribed on `filter` (from a before() or a test), stopped after the suite. */
  const collect = async (filter: string, opts: IClientOptions = {}): Promise<MqttCollector> => {
    const collector = await new MqttCollector(broker.url, filter, opts).start();
    collectors.push(collector);
    return collector;
  };
  return { tmp, broker, collect };
}
