import { Type } from '@sinclair/typebox';
import { SecretRef } from './common.js';

export const MqttTlsSection = Type.Object(
  {
    ca: Type.Optional(Type.String({ description: 'path to the CA certificate (PEM) that signed the broker certificate' })),
    cert: Type.Optional(Type.String({ description: 'path to the client certificate (PEM)' })),
    key: Type.Optional(Type.String({ description: 'path to the client private key (PEM)' })),
    rejectUnauthorized: Type.Boolean({ default: true }),
  },
  { additionalProperties: false },
);

export const MqttSection = Type.Object(
  {
    url: Type.String({ pattern: '^(mqtts?|wss?|tcp|ssl)://', description: 'broker URL, e.g. mqtts://broker.example:8883' }),
    topicPrefix: Type.String({ default: 'edge', pattern: '^[^#+/]+(/[^#+/]+)*$', description: 'topics are <topicPrefix>/<gateway.id>/...' }),
    clientId: Type.Optional(Type.String({ description: 'defaults to edge-<gateway.id>; must be unique on the broker (the session is kept under it)' })),
    username: Type.Optional(Type.String({ description: 'broker user name' })),
    password: Type.Optional(SecretRef),
    tls: Type.Optional(MqttTlsSection),
    protocolVersion: Type.Union([Type.Literal(4), Type.Literal(5)], { default: 5, description: '5 (MQTT 5, the default) or 4 (MQTT 3.1.1, for brokers without MQTT 5 such as the demo\'s embedded aedes)' }),
    keepaliveSeconds: Type.Integer({ minimum: 5, maximum: 3600, default: 30, description: 'MQTT keep-alive; the broker publishes the offline will about 1.5x this long after the link silently dies' }),
    sessionExpirySeconds: Type.Integer({ minimum: 0, default: 604800, description: 'broker keeps the session (and queued QoS 1 messages) this long' }),
    reconnectMinMs: Type.Integer({ minimum: 100, default: 1000, description: 'first reconnect delay; doubles (with jitter) after each failed attempt' }),
    reconnectMaxMs: Type.Integer({ minimum: 1000, default: 60000, description: 'longest reconnect delay' }),
  },
  // Any change replaces the broker connection (subscriptions move over).
  { additionalProperties: false, 'x-apply': 'live' },
);
