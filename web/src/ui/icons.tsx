/** The step controls' icons, as inline SVG: every system draws them (media-control characters are missing from many fonts). */
const paths = {
  first: 'M3 3h2v10H3zM13 3v10L6 8z',
  previous: 'M12 3v10L4 8z',
  play: 'M4 3v10l9-5z',
  pause: 'M4 3h3v10H4zM9 3h3v10H9z',
  next: 'M4 3v10l8-5z',
  last: 'M11 3h2v10h-2zM3 3v10l7-5z',
} as const;

export function Icon({ name }: { name: keyof typeof paths }) {
  return (
    <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      <path d={paths[name]} />
    </svg>
  );
}
