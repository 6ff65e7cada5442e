/** The step cursor of a viewer: which step is shown, following the newest one or pinned, playing at a speed. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { RunModel } from '../model/run-model.ts';

/** Steps per second offered by the speed control. */
export const SPEEDS = [0.5, 1, 2, 5, 10, 25, 100, 1000] as const;
const DEFAULT_SPEED = 2;

export interface PlayerOptions {
  /** Step index to start at; absent: follow the newest step. */
  initialStep?: number | null;
  autoplay?: boolean;
  speed?: number | null;
}

export interface Player {
  /** The step shown (null while the run has no step yet). */
  i: number | null;
  /** Steps held and the first one (a late joiner of a trimmed log may start past 0). */
  n: number;
  first: number;
  /** Showing the newest step as steps arrive (the default for a live run), rather than a pinned one. */
  following: boolean;
  playing: boolean;
  speed: number;
  seek(i: number): void;
  move(delta: number): void;
  toFirst(): void;
  toLast(): void;
  togglePlay(): void;
  setSpeed(speed: number): void;
  goLive(): void;
}

/** Re-created per run (the viewer is keyed by run id). `run.length` is read live: the run grows while this runs. */
export function usePlayer(run: RunModel, options: PlayerOptions): Player {
  const [pinned, setPinned] = useState<number | null>(options.initialStep ?? null);
  const [playing, setPlaying] = useState(Boolean(options.autoplay));
  const [speed, setSpeed] = useState(options.speed ?? DEFAULT_SPEED);
  const n = run.length;
  const first = run.trace.first;
  const clamp = useCallback((i: number) => Math.max(run.trace.first, Math.min(run.length - 1, Math.round(i))), [run]);
  const i = n === 0 ? null : pinned === null ? n - 1 : clamp(pinned);
  const current = useRef(i);
  current.current = i;

  const seek = useCallback((to: number) => setPinned(clamp(to)), [clamp]);
  const move = useCallback((delta: number) => setPinned(clamp((current.current ?? 0) + delta)), [clamp]);
  // "Last" on a live run means back to its newest step, and staying there as steps arrive.
  const toLast = useCallback(() => setPinned(run.ended ? clamp(run.length - 1) : null), [run, clamp]);
  const toFirst = useCallback(() => setPinned(run.trace.first), [run]);
  // Read by the playing loop: a pause stops it at once, not after the render that follows (a tick could slip in).
  const isPlaying = useRef(playing);
  isPlaying.current = playing;
  const pause = useCallback(() => {
    isPlaying.current = false;
    setPlaying(false);
  }, []);
  const goLive = useCallback(() => {
    pause();
    setPinned(null);
  }, [pause]);
  const togglePlay = useCallback(() => {
    if (isPlaying.current) return pause();
    // Play from the start when the run is over and shown at its end, as media players do.
    setPinned(run.ended && current.current === run.length - 1 ? run.trace.first : (current.current ?? run.trace.first));
    isPlaying.current = true;
    setPlaying(true);
  }, [run, pause]);

  useEffect(() => {
    if (!playing) return;
    let last = performance.now();
    let owed = 0;
    let frame = requestAnimationFrame(function tick(now) {
      if (!isPlaying.current) return;
      owed += ((now - last) * speed) / 1000;
      last = now;
      const whole = Math.floor(owed);
      if (whole > 0) {
        owed -= whole;
        const at = current.current ?? run.trace.first;
        if (at >= run.length - 1 && run.ended) return setPlaying(false);
        setPinned(clamp(at + whole));
      }
      frame = requestAnimationFrame(tick);
    });
    return () => cancelAnimationFrame(frame);
  }, [playing, speed, run, clamp]);

  return { i, n, first, following: pinned === null, playing, speed, seek, move, toFirst, toLast, togglePlay, setSpeed, goLive };
}
