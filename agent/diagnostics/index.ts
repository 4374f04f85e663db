export { runDiagnostics, exitCodeOf, type DiagOptions } from './run-diagnostics.js';
export { DiagReportSchema, CheckResultSchema, type DiagReport, type CheckResult, type CheckStatus } from './report-schema.js';
export { formatReport } from './format-report.js';
