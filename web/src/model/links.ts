/** The viewer's addresses: which page a URL is, and the shareable link of a run, a step, a session. */

export interface EmbedOptions {
  run: string | null;
  /** A session's join code. */
  session: string | null;
  step: number | null;
  autoplay: boolean;
  /** Steps per second while playing. */
  speed: number | null;
  controls: boolean;
}

export type Route =
  | { page: 'workbench' }
  | { page: 'follow'; code: string }
  | { page: 'replay'; run: string; step: number | null }
  | { page: 'embed'; options: EmbedOptions }
  | { page: 'not_found' };

const flag = (v: string | null, dflt: boolean): boolean => (v === null ? dflt : !['0', 'false', 'off', 'no'].includes(v.toLowerCase()));
const int = (v: string | null): number | null => (v !== null && /^\d+$/.test(v) ? Number(v) : null);

export function parseRoute(url: URL): Route {
  const p = url.pathname;
  if (p === '/') return { page: 'workbench' };
  let m = /^\/s\/([A-Za-z0-9]{6})\/?$/.exec(p);
  if (m) return { page: 'follow', code: m[1].toUpperCase() };
  m = /^\/r\/([A-Za-z0-9_-]{1,64})\/?$/.exec(p);
  if (m) return { page: 'replay', run: m[1], step: stepFromHash(url.hash) };
  if (p === '/embed' || p === '/embed/') {
    const q = url.searchParams;
    const speed = Number(q.get('speed'));
    return {
      page: 'embed',
      options: {
        run: q.get('run'),
        session: q.get('session')?.toUpperCase() ?? null,
        step: int(q.get('step')),
        autoplay: flag(q.get('autoplay'), false),
        speed: Number.isFinite(speed) && speed > 0 ? speed : null,
        controls: flag(q.get('controls'), true),
      },
    };
  }
  return { page: 'not_found' };
}

/** `#step=N` (a step index, 0-based as in the protocol). */
function stepFromHash(hash: string): number | null {
  return int(/(?:^#|&)step=([^&]*)/.exec(hash)?.[1] ?? null);
}

export const runLink = (run: string, step?: number): string => `${location.origin}/r/${run}${step !== undefined ? `#step=${step}` : ''}`;
export const sessionLink = (code: string): string => `${location.origin}/s/${code}`;
export const embedLink = (run: string): string => `${location.origin}/embed?run=${run}`;
