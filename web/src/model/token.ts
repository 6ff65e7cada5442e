/**
 * The viewer's token for a server with TRACECAST_AUTH on. It arrives in the address fragment (`…#token=JWT`, which a
 * browser never sends in a request, so no proxy or server log sees it), is kept for the tab in sessionStorage and
 * removed from the address, so a shared or bookmarked link never carries it.
 */
const KEY = 'tracecast.token';

/** Moves `token=…` out of the address fragment (keeping the rest, such as `step=N`) into the tab's storage. */
export function takeTokenFromAddress(): void {
  const parts = location.hash.replace(/^#/, '').split('&').filter(Boolean);
  const given = parts.find((p) => p.startsWith('token='));
  if (!given) return;
  saveToken(decodeURIComponent(given.slice('token='.length)));
  const rest = parts.filter((p) => p !== given).join('&');
  history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
}

// Storage can be refused (a sandboxed embed, blocked site data): the token then lasts as long as the page.
let kept: string | null = null;

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(KEY) ?? kept;
  } catch {
    return kept;
  }
}

export function saveToken(token: string | null): void {
  kept = token;
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    // kept in memory only
  }
}
