/**
 * `npm run bench`: runs every benchmark (or those named on the command line: ingest, motion,
 * detector, outbox), one after another so they don't compete for the two cores, and prints each
 * one's figures as JSON at the end. The figures, not timed tests, prove the issues' targets.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

interface BenchModule {
  /** Its figures; `failed: true` when they miss a hard target (the run then exits 1). */
  run: () => Promise<Record<string, unknown>>;
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const names = readdirSync(__dirname)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.startsWith('main.') && !f.endsWith('.d.ts') && !f.endsWith('.map'))
    .map((f) => f.replace(/\.(ts|js)$/, ''))
    .filter((n, i, all) => all.indexOf(n) === i && (wanted.length === 0 || wanted.includes(n)));
  const results: Record<string, unknown> = {};
  for (const name of names) {
    process.stdout.write(`\n=== bench: ${name} ===\n`);
    const mod = (await import(path.join(__dirname, name))) as BenchModule;
    try {
      results[name] = await mod.run();
    } catch (err) {
      results[name] = { error: err instanceof Error ? err.message : String(err) };
    }
  }
  process.stdout.write(`\n=== figures ===\n${JSON.stringify(results, null, 2)}\n`);
  return Object.values(results).some((r) => (r as { failed?: unknown }).failed === true) ? 1 : 0;
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
