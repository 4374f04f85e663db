import path from 'node:path';
import { loadOrCreateIdentity } from '../../../agent/identity/gateway-identity.js';
import { MosquittoBroker, type MosquittoOptions } from '../../support/mosquitto.js';
import { tempDir } from '../../support/tmp.js';
import { GatewayPublisher } from './gateway-publisher.js';

export interface GatewayFixture {
  readonly tmp: { dir: string };
  readonly broker: MosquittoBroker;
  /** Connected, its retained status (with the public key) already published. */
  gw: GatewayPublisher;
}

/**
 * Mocha hooks for a receiver test: a real Mosquitto and a gateway publishing on it with a real key,
 * started before the suite's tests and cleaned up after them.
 */
export function useGatewayOnBroker(prefix: string, gateway: string, brokerOptions: MosquittoOptions = {}): GatewayFixture {
  const tmp = tempDir(`${gateway}-`);
  const broker = new MosquittoBroker(brokerOptions);
  const fixture = { tmp, broker, gw: undefined as unknown as GatewayPublisher };
  before(async () => {
    await broker.start();
    fixture.gw = new GatewayPublisher(broker.url, prefix, gateway, loadOrCreateIdentity(path.join(tmp.dir, 'gw')));
    await fixture.gw.connect();
    await fixture.gw.publishStatus();
  });
  after(async () => {
    await fixture.gw?.close();
    await broker.dispose();
    tmp.cleanup();
  });
  return fixture;
}
