/**
 * THE configuration schema: the single source of truth for the config file, the MQTT provisioning
 * payload, the generated docs (docs/config.md) and the TypeScript types (AgentConfig).
 */
import { Type, type Static } from '@sinclair/typebox';
import { AnalyticsSection } from './analytics.js';
import { Camera } from './cameras.js';
import { DetectionSection } from './detection.js';
import { GatewaySection, HealthSection, LoggingSection } from './gateway.js';
import { MqttSection } from './mqtt.js';
import { ProvisioningSection, SchedulesSection, StatusPageSection } from './operations.js';
import { ClipsSection, OutboxSection, RecordingSection } from './storage.js';

export const AgentConfigSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    gateway: GatewaySection,
    mqtt: MqttSection,
    logging: LoggingSection,
    health: HealthSection,
    // A new or changed camera (re)starts its process; unchanged ones keep streaming.
    cameras: Type.Array(Camera, { default: [], maxItems: 32, 'x-apply': 'live' }),
    detection: DetectionSection,
    analytics: AnalyticsSection,
    recording: RecordingSection,
    clips: ClipsSection,
    outbox: OutboxSection,
    provisioning: ProvisioningSection,
    statusPage: StatusPageSection,
    schedules: SchedulesSection,
  },
  { additionalProperties: false, $id: 'https://edge-agent.local/schema/config.json', title: 'Edge camera gateway agent configuration' },
);

export type AgentConfig = Static<typeof AgentConfigSchema>;
export type CameraConfig = AgentConfig['cameras'][number];
export type { CameraSource } from './cameras.js';
export type { SecretRef, Polygon } from './common.js';
export type { AnalyticsSection, Line } from './analytics.js';
