/**
 * The Markdown problem statements use (headings, paragraphs, lists, fenced code, `code`, **bold**, *emphasis*) as Preact
 * nodes: text is never parsed as HTML, so a statement cannot inject markup and no sanitiser is needed.
 */
import type { ComponentChildren } from 'preact';

export function Markdown({ text }: { text: string }) {
  return <div class="markdown">{blocks(text)}</div>;
}

function blocks(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let k = 0; k < lines.length; ) {
    const line = lines[k];
    if (line.trim() === '') {
      k++;
      continue;
    }
    if (line.startsWith('```')) {
      const code: string[] = [];
      for (k++; k < lines.length && !lines[k].startsWith('```'); k++) code.push(lines[k]);
      k++;
      out.push(
        <pre key={out.length}>
          <code>{code.join('\n')}</code>
        </pre>,
      );
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      // Statements sit under the page's own headings: their levels start at h4.
      const level = Math.min(6, heading[1].length + 3);
      const H = `h${level}` as 'h4';
      out.push(<H key={out.length}>{inline(heading[2])}</H>);
      k++;
      continue;
    }
    const bullet = /^\s*([-*]|\d+\.)\s+/;
    if (bullet.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const items: string[] = [];
      for (; k < lines.length && bullet.test(lines[k]); k++) items.push(lines[k].replace(bullet, ''));
      const List = ordered ? 'ol' : 'ul';
      out.push(
        <List key={out.length}>
          {items.map((item, n) => (
            <li key={n}>{inline(item)}</li>
          ))}
        </List>,
      );
      continue;
    }
    const para: string[] = [];
    for (; k < lines.length && lines[k].trim() !== '' && !lines[k].startsWith('```') && !/^#{1,6}\s/.test(lines[k]) && !bullet.test(lines[k]); k++) para.push(lines[k]);
    out.push(<p key={out.length}>{inline(para.join(' '))}</p>);
  }
  return out;
}

function inline(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  // No _emphasis_: identifiers like two_sum are common in statements.
  const token = /`([^`]+)`|\*\*([^*]+)\*\*|\*(\S[^*]*?)\*/g;
  let at = 0;
  for (let m = token.exec(text); m; m = token.exec(text)) {
    if (m.index > at) out.push(text.slice(at, m.index));
    if (m[1] !== undefined) out.push(<code key={out.length}>{m[1]}</code>);
    else if (m[2] !== undefined) out.push(<strong key={out.length}>{m[2]}</strong>);
    else out.push(<em key={out.length}>{m[3]}</em>);
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}
