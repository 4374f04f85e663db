/**
 * Generates docs/errors.md from the subsystems' error tables (agent/core/error-catalog.ts), so the
 * doc lists exactly the codes the agent can raise. `npx tsx scripts/gen-errors-docs.ts` rewrites it;
 * a test fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CATALOG } from '../agent/core/error-catalog.js';
import type { ErrorExplanation } from '../agent/core/error-table.js';

const cell = (text: string): string => text.replace(/\|/g, '\\|');
const anchor = (subsystem: string): string => subsystem.toLowerCase().replace(/[^a-z0-9]+/g, '-');
const docLinks = (docs: readonly string[]): string => docs.map((d) => `[${d}](${d})`).join(', ');

/** `CAMERA_*` (or `LAST_GOOD_*`) for a prefix three or more codes share, the codes themselves otherwise. */
function codeOverview(codes: string[]): string {
  const byWord = new Map<string, string[]>();
  for (const code of codes) {
    const word = code.split('_')[0];
    byWord.set(word, [...(byWord.get(word) ?? []), code]);
  }
  return [...byWord.values()]
    .flatMap((group) => (group.length >= 3 ? [`\`${commonPrefix(group)}_*\``] : group.map((c) => `\`${c}\``)))
    .join(', ');
}

function commonPrefix(codes: string[]): string {
  const words = codes.map((c) => c.split('_'));
  const shared: string[] = [];
  for (let i = 0; words.every((w) => i < w.length - 1 && w[i] === words[0][i]); i++) shared.push(words[0][i]);
  return shared.join('_');
}

export function renderErrorsDocs(): string {
  const overview = ERROR_CATALOG.map((s) => `| [${s.subsystem}](#${anchor(s.subsystem)}) | ${codeOverview(Object.keys(s.table))} | ${cell(s.raisedBy)} | ${docLinks(s.docs) || 'here'} |`);
  const sections = ERROR_CATALOG.map((s) => {
    const rows = Object.entries(s.table as Record<string, ErrorExplanation>).map(([code, e]) => `| \`${code}\` | ${cell(e.summary)} | ${cell(e.remedy)} |`);
    const more = s.docs.length ? ` More in ${docLinks(s.docs)}.` : '';
    return `## ${s.subsystem}

Raised by: ${s.raisedBy}. Table: \`${s.source}\`.${more}

| code | what happened | what to do |
|---|---|---|
${rows.join('\n')}
`;
  });
  return `# Error codes

Generated from the subsystems' error tables (\`agent/<subsystem>/error-codes.ts\`, listed in
\`agent/core/error-catalog.ts\`) by \`scripts/gen-errors-docs.ts\`; do not edit by hand.

Every error the agent logs, reports in \`health\`/\`diag\`, or answers over MQTT (\`response/<name>\` →
\`error.code\`, \`config/reported\` → \`error.code\`) carries a stable code and, where a person can act, a
remedy (\`AgentError(code, message, remedy)\`, \`agent/core/errors.ts\`). A code is a key of one table,
so a code missing from this page does not compile. \`edge-agent diag\` reports by check id
(\`uplink.mqtt\`, \`camera.<id>.decode\`, …), each warn/fail with its remedy: [diagnostics.md](diagnostics.md).

| subsystem | codes | raised by | listed in |
|---|---|---|---|
${overview.join('\n')}

**Codes with a system error appended.** Where a part reports an error that has no code of ours but a
code from Node.js or a library, the code is the part's own code, \`_\`, and that code:
\`UPLINK_ECONNREFUSED\`, \`ONVIF_EHOSTUNREACH\`. Read it as the part's code below; the suffix says
what the system reported (\`ECONNREFUSED\`: nothing listens there, \`ETIMEDOUT\`: no answer, \`ENOSPC\`:
disk full, \`EACCES\`: no permission).

${sections.join('\n')}`;
}

if (require.main === module) {
  writeFileSync(path.resolve(__dirname, '../docs/errors.md'), renderErrorsDocs());
  process.stdout.write('docs/errors.md written\n');
}
