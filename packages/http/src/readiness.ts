export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

const CHECK_TIMEOUT_MS = 3_000;

/** Runs every check at once, each bounded, and reports each by name. */
export async function runChecks(checks: ReadinessCheck[]): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const results: Record<string, string> = {};
  let ok = true;
  await Promise.all(
    checks.map(async ({ name, check }) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
          }),
        ]);
        results[name] = 'ok';
      } catch (error) {
        ok = false;
        results[name] = error instanceof Error ? error.message : 'failed';
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ok, checks: results };
}
