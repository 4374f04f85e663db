/**
 * A real agent-like process holding an MqttUplink, so the test can kill -9 it and watch the broker
 * publish the will (a process cannot fake its own abrupt death).
 */
import { MqttUplink } from '../../agent/uplink/mqtt-uplink.js';
import { mqttConfig, quietLogger } from './helpers.js';

const uplink = new MqttUplink({ mqtt: mqttConfig(process.env.BROKER_URL ?? ''), gatewayId: process.env.GATEWAY_ID ?? 'gw-child', statusPayload: () => ({ pid: process.pid }), logger: quietLogger });
uplink.onConnectionChange((up) => {
  if (up) process.stdout.write('connected\n');
});
uplink.start();
setInterval(() => {}, 1000);
