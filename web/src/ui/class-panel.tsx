/** Class mode for the instructor: open a session, show its join code, link and watcher count, end it. */
import { useState } from 'preact/hooks';
import { sessionLink } from '../model/links.ts';
import type { SessionInfo } from '../model/feed.ts';
import type { FrameOf } from '../model/run-model.ts';

export type ClassSession = Pick<FrameOf<'session.opened'>, 'session' | 'joinCode' | 'ownerKey' | 'title'>;

export interface ClassPanelProps {
  open: ClassSession | null;
  info: SessionInfo | null;
  onOpen(title: string): void;
  onEnd(): void;
}

export function ClassPanel({ open, info, onOpen, onEnd }: ClassPanelProps) {
  const [title, setTitle] = useState('');
  const [copied, setCopied] = useState(false);
  if (!open) {
    return (
      <section class="class-panel" aria-label="Class session">
        <h2>Class session</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            onOpen(title.trim());
          }}
        >
          <label>
            Title <input value={title} maxLength={200} onInput={(e) => setTitle(e.currentTarget.value)} placeholder="Sorting, week 3" />
          </label>
          <button type="submit">Open a class session</button>
        </form>
        <p class="note">Students who open the session's link follow your runs live.</p>
      </section>
    );
  }
  const link = sessionLink(open.joinCode);
  const watchers = info?.watchers ?? null;
  return (
    <section class="class-panel open" aria-label="Class session">
      <h2>Class session{open.title && `: ${open.title}`}</h2>
      <p>
        Join code <strong class="join-code" data-testid="join-code">{open.joinCode}</strong>
      </p>
      <p class="row">
        <a href={link} target="_blank" rel="noopener" data-testid="session-link">
          {link}
        </a>
        <button
          type="button"
          onClick={() =>
            navigator.clipboard?.writeText(link).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy link'}
        </button>
      </p>
      <p data-testid="watchers" aria-live="polite">
        {watchers === null ? 'Nobody watching yet' : `${watchers} watching (you included)`}
      </p>
      {info?.closed ? (
        <p class="note">This session is closed.</p>
      ) : (
        <p class="note">Your runs go to this session while it is open.</p>
      )}
      <button type="button" onClick={onEnd}>
        {info?.closed ? 'Leave class mode' : 'End session'}
      </button>
    </section>
  );
}
