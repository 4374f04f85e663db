/** A benchmark run on its own (`npx tsx scripts/bench/<name>.ts`): its figures as one JSON line; exit 1 when they say `failed: true`. */
export function runStandalone(bench: string, run: () => Promise<Record<string, unknown>>): void {
  run().then(
    (r) => {
      process.stdout.write(`${JSON.stringify({ bench, ...r })}\n`);
      process.exit(r.failed === true ? 1 : 0);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
