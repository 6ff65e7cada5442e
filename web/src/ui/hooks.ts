/** Small hooks shared by the pages: re-render on new frames, follow the system's colour scheme, debounce a value. */
import { useEffect, useState } from 'preact/hooks';
import type { Feed } from '../model/feed.ts';

/** Re-renders the calling component whenever the feed changed (at most once per animation frame). */
export function useFeed(feed: Feed): void {
  const [, setTick] = useState(0);
  useEffect(() => feed.subscribe(() => setTick((t) => t + 1)), [feed]);
}

const darkQuery = (): MediaQueryList => matchMedia('(prefers-color-scheme: dark)');

/** Whether the system asks for dark colours; canvas drawings (plots) read it, CSS follows the media query itself. */
export function useDarkMode(): boolean {
  const [dark, setDark] = useState(() => darkQuery().matches);
  useEffect(() => {
    const q = darkQuery();
    const on = () => setDark(q.matches);
    q.addEventListener('change', on);
    return () => q.removeEventListener('change', on);
  }, []);
  return dark;
}

/** `value`, once it has not changed for `ms`: a screen reader hears where a run settles, not every step it passes. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}
