export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
  /**
   * Shown in `/readyz` but does not make the service unready: a dependency whose loss degrades
   * background work only (RabbitMQ for a subgraph, one subgraph for the gateway).
   */
  informational?: boolean;
}

const CHECK_TIMEOUT_MS = 3_000;

/** Runs every check at once, each bounded, and reports each by name. */
export async function runChecks(checks: ReadinessCheck[]): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const results: Record<string, string> = {};
  let ok = true;
  await Promise.all(
    checks.map(async ({ name, check, informational }) => {
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
        if (!informational) ok = false;
        results[name] = `${informational ? 'degraded: ' : ''}${error instanceof Error ? error.message : 'failed'}`;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ok, checks: results };
}
