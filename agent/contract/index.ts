/**
 * The wire contract: every MQTT topic (topics.ts) and the schema of every payload (schemas/), with
 * the TypeScript types derived from them. Gateway, receiver, operator tools and tests all use these;
 * docs/mqtt.md is generated from them (scripts/gen-mqtt-docs.ts).
 */
export * from './topics.js';
export * from './schemas/commands.js';
export * from './schemas/event.js';
export * from './schemas/file.js';
export * from './schemas/health.js';
export * from './schemas/provisioning.js';
export * from './schemas/selftest.js';
export * from './schemas/status.js';
export * from './schemas/startup.js';
export * from './schemas/counts.js';
export { WIRE_MESSAGES, type WireMessage } from './messages.js';
export { wireValidator, type WireValidator } from './validate.js';
