/** The step controls: first / previous / play-pause / next / last, speed, the "Step" slider, "step i of n" and the live badge. */
import type { RunModel } from '../model/run-model.ts';
import { Icon } from './icons.tsx';
import { SPEEDS, type Player } from './player.ts';

export function Controls({ player, run }: { player: Player; run: RunModel }) {
  const { i, n, first } = player;
  const none = i === null;
  const atStart = none || i === first;
  const atEnd = none || i === n - 1;
  return (
    <div class="controls" role="group" aria-label="Step controls">
      <div class="buttons">
        <button type="button" aria-label="First step" title="First step (Home)" onClick={player.toFirst} disabled={atStart}>
          <Icon name="first" />
        </button>
        <button type="button" aria-label="Previous step" title="Previous step (←)" onClick={() => player.move(-1)} disabled={atStart}>
          <Icon name="previous" />
        </button>
        <button type="button" class="play" aria-label={player.playing ? 'Pause' : 'Play'} title={`${player.playing ? 'Pause' : 'Play'} (Space)`} onClick={player.togglePlay} disabled={none}>
          <Icon name={player.playing ? 'pause' : 'play'} />
        </button>
        <button type="button" aria-label="Next step" title="Next step (→)" onClick={() => player.move(1)} disabled={atEnd}>
          <Icon name="next" />
        </button>
        <button type="button" aria-label="Last step" title="Last step (End)" onClick={player.toLast} disabled={atEnd && (run.ended !== null || player.following)}>
          <Icon name="last" />
        </button>
        <label class="speed">
          Speed{' '}
          <select aria-label="Speed" value={String(player.speed)} onChange={(e) => player.setSpeed(Number(e.currentTarget.value))}>
            {[...new Set([...SPEEDS, player.speed])].sort((a, b) => a - b).map((s) => (
              <option key={s} value={String(s)}>
                {s} steps/s
              </option>
            ))}
          </select>
        </label>
      </div>
      <input
        type="range"
        class="slider"
        aria-label="Step"
        min={first}
        max={Math.max(first, n - 1)}
        step={1}
        value={i ?? first}
        disabled={none}
        aria-valuetext={none ? 'no steps yet' : `step ${i + 1} of ${n}`}
        onInput={(e) => player.seek(Number(e.currentTarget.value))}
      />
      <span class="position" data-testid="position">
        {none ? 'no steps yet' : `step ${(i + 1).toLocaleString('en')} of ${n.toLocaleString('en')}`}
      </span>
      {run.running &&
        (player.following ? (
          <span class="live" title="Showing each new step as it arrives">● live</span>
        ) : (
          <button type="button" class="go-live" onClick={player.goLive}>
            Back to live
          </button>
        ))}
    </div>
  );
}
