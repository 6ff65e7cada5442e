/** Liveness and readiness for `/health/live` and `/health/ready`: whether to restart this process, and whether to send it traffic. */

/** A dependency check: resolves when the dependency answers, rejects (or returns why not) when it does not. */
export type Check = () => Promise<string | null | void>;

export interface CheckResult {
  ok: boolean;
  ms: number;
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  status: 'ready' | 'not_ready' | 'draining';
  checks: Record<string, CheckResult>;
}

// A dependency slower than this is as good as down for a request that would need it; kept under the
// usual probe timeouts (Kubernetes: 1 s by default, often raised to a few).
const CHECK_TIMEOUT_MS = 2000;

/**
 * Contract: `report` runs every check at once, each bounded by `timeoutMs`, and is ready only when none failed
 * and the process is not draining. Draining wins over everything: a process shutting down must lose its traffic
 * even while its dependencies are fine.
 */
export class Readiness {
  constructor(
    private readonly checks: Readonly<Record<string, Check>>,
    private readonly draining: () => boolean,
    private readonly timeoutMs = CHECK_TIMEOUT_MS,
  ) {}

  async report(): Promise<ReadinessReport> {
    const entries = await Promise.all(Object.entries(this.checks).map(async ([name, check]) => [name, await this.run(check)] as const));
    const checks = Object.fromEntries(entries);
    const failed = entries.some(([, r]) => !r.ok);
    const status = this.draining() ? 'draining' : failed ? 'not_ready' : 'ready';
    return { ready: status === 'ready', status, checks };
  }

  private async run(check: Check): Promise<CheckResult> {
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const why = await Promise.race([
        check(),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs))),
      ]);
      const ms = Math.round(performance.now() - t0);
      return why ? { ok: false, ms, error: why } : { ok: true, ms };
    } catch (err) {
      return { ok: false, ms: Math.round(performance.now() - t0), error: (err as Error).message || String(err) };
    } finally {
      clearTimeout(timer);
    }
  }
}
