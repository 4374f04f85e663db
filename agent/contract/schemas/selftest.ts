import { Type, type Static } from '@sinclair/typebox';
import { DiagReportSchema } from '../../diagnostics/report-schema.js';
import { MessageId, Strict } from './common.js';

/** The daily self-test: the diag report (docs/diagnostics.md) with the outbox's message id. */
export const SelftestMessageSchema = Type.Object({ id: MessageId, ...DiagReportSchema.properties }, { ...Strict, title: 'selftest' });
export type SelftestMessage = Static<typeof SelftestMessageSchema>;
