/**
 * Every subsystem's error table in one ordered list: the union of their codes is the type of
 * AgentError's code (so an unknown code does not compile), and docs/errors.md is generated from it
 * (scripts/gen-errors-docs.ts) grouped as listed here.
 */
import { ClipsErrorCodes } from '../clips/error-codes.js';
import { ConfigErrorCodes } from '../config/error-codes.js';
import { DetectorErrorCodes } from '../detection/detector/error-codes.js';
import { DetectionErrorCodes } from '../detection/error-codes.js';
import { MotionErrorCodes } from '../detection/motion/error-codes.js';
import { DiagnosticsErrorCodes } from '../diagnostics/error-codes.js';
import { IdentityErrorCodes } from '../identity/error-codes.js';
import { IngestErrorCodes } from '../ingest/error-codes.js';
import { OnvifErrorCodes } from '../ingest/onvif/error-codes.js';
import { OutboxErrorCodes } from '../outbox/error-codes.js';
import { OperatorErrorCodes } from '../provisioning/operator/error-codes.js';
import { ProvisioningErrorCodes } from '../provisioning/error-codes.js';
import { ReceiverErrorCodes } from '../receiver/error-codes.js';
import { RuntimeErrorCodes } from '../runtime/error-codes.js';
import { UplinkErrorCodes } from '../uplink/error-codes.js';
import { CoreErrorCodes } from './error-codes.js';

export const ERROR_CATALOG = [
  { subsystem: 'config', source: 'agent/config/error-codes.ts', raisedBy: 'config file and schema, secrets from env/files', docs: ['config.md'], table: ConfigErrorCodes },
  { subsystem: 'ingest', source: 'agent/ingest/error-codes.ts', raisedBy: 'camera ingest (unreachable, auth, stalled, corrupt stream, missing element, crashed process)', docs: ['ingest.md'], table: IngestErrorCodes },
  { subsystem: 'ONVIF', source: 'agent/ingest/onvif/error-codes.ts', raisedBy: 'ONVIF resolution and discovery', docs: ['onvif.md'], table: OnvifErrorCodes },
  { subsystem: 'motion', source: 'agent/detection/motion/error-codes.ts', raisedBy: 'motion detector', docs: ['motion.md'], table: MotionErrorCodes },
  { subsystem: 'detector', source: 'agent/detection/detector/error-codes.ts', raisedBy: 'model manifest, model load, inference', docs: ['detector.md'], table: DetectorErrorCodes },
  { subsystem: 'detection', source: 'agent/detection/error-codes.ts', raisedBy: 'detection stage, snapshot encoding', docs: ['detection.md'], table: DetectionErrorCodes },
  { subsystem: 'outbox', source: 'agent/outbox/error-codes.ts', raisedBy: 'store-and-forward outbox (quota, disk, files)', docs: ['outbox.md'], table: OutboxErrorCodes },
  { subsystem: 'uplink', source: 'agent/uplink/error-codes.ts', raisedBy: 'MQTT connection, TLS, topic scoping', docs: ['mqtt.md'], table: UplinkErrorCodes },
  { subsystem: 'clips', source: 'agent/clips/error-codes.ts', raisedBy: 'recordings, clip cutting', docs: ['clips.md'], table: ClipsErrorCodes },
  { subsystem: 'receiver', source: 'agent/receiver/error-codes.ts', raisedBy: 'the central-side receiver\'s verification failures and its CLI', docs: ['receiver.md'], table: ReceiverErrorCodes },
  { subsystem: 'provisioning', source: 'agent/provisioning/error-codes.ts', raisedBy: 'desired configs, signatures and trust, secrets, commands, bootstrap, last-good', docs: ['provisioning.md'], table: ProvisioningErrorCodes },
  { subsystem: 'operator tools', source: 'agent/provisioning/operator/error-codes.ts', raisedBy: '`edge-agent keys`, `provision push`, `request`', docs: ['provisioning.md'], table: OperatorErrorCodes },
  { subsystem: 'diagnostics', source: 'agent/diagnostics/error-codes.ts', raisedBy: 'scheduled jobs, the status page, `edge-agent diag` fallbacks (checks report by check id: `uplink.mqtt`, `camera.<id>.decode`, …, each warn/fail with its remedy)', docs: ['diagnostics.md'], table: DiagnosticsErrorCodes },
  { subsystem: 'runtime', source: 'agent/runtime/error-codes.ts', raisedBy: 'the runtime: start, apply, control commands, health', docs: [], table: RuntimeErrorCodes },
  { subsystem: 'identity', source: 'agent/identity/error-codes.ts', raisedBy: 'the gateway identity key', docs: [], table: IdentityErrorCodes },
  { subsystem: 'core', source: 'agent/core/error-codes.ts', raisedBy: 'the fallback when nothing more specific applies', docs: [], table: CoreErrorCodes },
] as const;

type CodesOf<T> = T extends unknown ? keyof T : never;

/** Every code the agent raises: a key of one subsystem's table. */
export type ErrorCode = CodesOf<(typeof ERROR_CATALOG)[number]['table']> & string;
