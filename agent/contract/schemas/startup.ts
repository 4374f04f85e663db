import { Type, type Static } from '@sinclair/typebox';
import type { DegradedPart } from '../../runtime/health.js';
import type { StartupInfo } from '../../runtime/startup-config.js';
import { ErrorInfo, Strict, type Assert, type SameKeys } from './common.js';

const StartupSource = Type.Union([Type.Literal('last-good'), Type.Literal('previous'), Type.Literal('file'), Type.Literal('bootstrap')]);

/** Which start-up configuration runs and what was passed over to get there (docs/provisioning.md). */
export const StartupInfoSchema = Type.Object(
  {
    source: StartupSource,
    origin: Type.String({ description: 'the file it came from' }),
    version: Type.Integer({ minimum: 0, description: 'desired-config version (0: the config file)' }),
    bootAttempt: Type.Integer({ minimum: 1, description: '1 on the first boot of this config; more when earlier boots of it did not become stable' }),
    skipped: Type.Array(Type.Object({ source: StartupSource, code: Type.String(), message: Type.String() }, Strict), { description: 'configurations passed over, with their codes' }),
  },
  { ...Strict, description: 'which start-up config runs (last-good, previous, file, bootstrap) and what was passed over' },
);

/** An optional part that is down while the agent runs without it (e.g. the status page's port taken). */
export const DegradedPartSchema = Type.Object({ part: Type.String(), ...ErrorInfo.properties, remedy: Type.Optional(Type.String()) }, { ...Strict, description: 'an optional part down while the agent runs without it' });

// The runtime's types must fit these, field for field (fails to compile otherwise).
type Startup = Static<typeof StartupInfoSchema>;
type Degraded = Static<typeof DegradedPartSchema>;
export type StartupFitsTheWire = Assert<StartupInfo extends Startup ? true : false>;
export type StartupHasTheWireFields = Assert<SameKeys<StartupInfo, Startup>>;
export type DegradedFitsTheWire = Assert<DegradedPart extends Degraded ? true : false>;
export type DegradedHasTheWireFields = Assert<SameKeys<DegradedPart, Degraded>>;
