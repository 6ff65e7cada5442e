/** A gateway's view of the runners: which languages some runner can run now, and why not when none can. */
import { Language } from '../../protocol/index.ts';
import type { RunQueue } from './queue.ts';
import type { RunnerInfo } from './runner-directory.ts';

// How often the view is refreshed from the queue's runner directory.
const REFRESH_MS = 1000;

/**
 * Contract: `languages` holds every language some live runner has an image for (every language while no runner
 * is up, so that a request learns it is unavailable rather than unsupported); `unavailable` says why no runner can
 * take a run of a language now, or null. Both are as of the last refresh (at most REFRESH_MS old).
 */
export class RunnerView {
  readonly languages = new Set<Language>();
  private infos: RunnerInfo[] = [];
  private readonly timer: NodeJS.Timeout;

  /** `local`: this process's own runner (role `all`), counted whatever the directory says. */
  constructor(
    private readonly queue: RunQueue,
    private readonly local: (() => RunnerInfo) | null = null,
  ) {
    this.apply([]);
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  async refresh(): Promise<void> {
    try {
      this.apply(await this.queue.runners());
    } catch {
      // Redis away: keep the last view; the queue's own calls will say what is wrong.
    }
  }

  private apply(listed: RunnerInfo[]): void {
    const own = this.local?.();
    const infos = own ? [own, ...listed.filter((i) => i.id !== own.id)] : listed;
    this.infos = infos;
    this.languages.clear();
    for (const lang of infos.length > 0 ? infos.flatMap((i) => i.languages) : Language.options) this.languages.add(lang);
  }

  get runners(): readonly RunnerInfo[] {
    return this.infos;
  }

  unavailable(language: Language): string | null {
    if (this.local) this.apply(this.infos.filter((i) => i.id !== this.local!().id));
    if (this.infos.length === 0) return 'no runner is up to run programs; start one (tracecast serve --role runner) or wait for it to come back';
    const able = this.infos.filter((i) => i.languages.includes(language));
    if (able.length === 0 || able.some((i) => i.down === null)) return null;
    return able.map((i) => i.down).join('; ');
  }

  close(): void {
    clearInterval(this.timer);
  }
}
