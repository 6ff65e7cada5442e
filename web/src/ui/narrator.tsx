/** The polite live region: at each step a screen reader hears the line about to run and what the last line changed. */
import { useDebounced } from './hooks.ts';

export function Narrator({ text }: { text: string }) {
  // While playing or following a fast run, only where the view settles is read out.
  const settled = useDebounced(text, 250);
  return (
    <div class="sr-only" aria-live="polite" aria-atomic="true" data-testid="narration">
      {settled}
    </div>
  );
}
