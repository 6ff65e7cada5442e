/**
 * The program's state at a step: the call stack (region "Call stack") and the objects (region "Objects"), each object
 * drawn once, with an SVG arrow from every reference to its object, so aliasing (two arrows in) and cycles show.
 */
import { useCallback, useLayoutEffect, useRef } from 'preact/hooks';
import type { HeapObj } from '../sdk.ts';
import { describeObject } from '../model/text.ts';
import { keyOf, varKey, type StepView } from '../model/view.ts';
import { ValueCell, type ValueContext } from './value.tsx';

let instances = 0;

export function StateView({ view, lang }: { view: StepView | null; lang: ValueContext['lang'] }) {
  const root = useRef<HTMLDivElement>(null);
  const svg = useRef<SVGSVGElement>(null);
  const markerId = useRef(`arrowhead-${++instances}`).current;
  const focusObject = useCallback((id: number) => {
    const card = root.current?.querySelector<HTMLElement>(`[data-obj="${id}"]`);
    card?.focus();
    card?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, []);
  const stack = view?.stack ?? [];
  const heap = view?.heap ?? new Map();
  const ctx: ValueContext = { lang, heap, focusObject };

  useLayoutEffect(() => {
    const draw = () => drawArrows(root.current, svg.current, markerId);
    draw();
    const ro = new ResizeObserver(draw);
    if (root.current) ro.observe(root.current);
    const scrollers = root.current ? [...root.current.querySelectorAll('.scroll')] : [];
    for (const s of scrollers) s.addEventListener('scroll', draw, { passive: true });
    return () => {
      ro.disconnect();
      for (const s of scrollers) s.removeEventListener('scroll', draw);
    };
  });

  const top = stack.length - 1;
  return (
    <div class="state" ref={root}>
      <section class="stack" aria-label="Call stack">
        <h3>Call stack</h3>
        <div class="scroll">
          {stack.length === 0 && <p class="empty">{view ? 'No frames.' : 'No step yet.'}</p>}
          {stack.map((f, k) => (
            <div key={f.id} class={`frame${k === top ? ' active' : ''}`} role="group" aria-label={`${f.fn}${k === top ? ' (running)' : ''}`}>
              <div class="frame-name">{f.fn}</div>
              {f.vars.length === 0 ? (
                <p class="empty">no variables</p>
              ) : (
                <table>
                  <tbody>
                    {f.vars.map(([name, v]) => (
                      <tr key={name} class={view?.changedVars.has(varKey(f.id, name)) ? 'changed' : undefined}>
                        <th scope="row">{name}</th>
                        <td>
                          <ValueCell value={v} ctx={ctx} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>
          ))}
          {view?.step.ev === 'return' && view.step.ret !== undefined && (
            <div class="frame return">
              <span class="frame-name">{view.step.fn} returns</span> <ValueCell value={view.step.ret} ctx={ctx} />
            </div>
          )}
        </div>
      </section>
      <section class="objects" aria-label="Objects">
        <h3>Objects</h3>
        <div class="scroll">
          {heap.size === 0 && <p class="empty">No objects.</p>}
          {[...heap].map(([id, obj]) => (
            <ObjectCard key={id} id={id} obj={obj} ctx={ctx} changed={view?.changedObjects.has(id) ?? false} changedKeys={view?.changedKeys.get(id)} />
          ))}
        </div>
      </section>
      <svg class="arrows" ref={svg} aria-hidden="true">
        <defs>
          <marker id={markerId} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" />
          </marker>
        </defs>
        <g />
      </svg>
    </div>
  );
}

interface CardProps {
  id: number;
  obj: HeapObj;
  ctx: ValueContext;
  changed: boolean;
  changedKeys: ReadonlySet<string> | undefined;
}

function ObjectCard({ id, obj, ctx, changed, changedKeys }: CardProps) {
  const keyChanged = (key: string) => changedKeys?.has(key) ?? false;
  const cell = (key: string) => (keyChanged(key) ? 'cell changed' : 'cell');
  const row = (key: string) => (keyChanged(key) ? 'changed' : undefined);
  const more = (shown: number, len: number, what: string) =>
    len > shown && (
      <span class="trunc" title={`${len - shown} more ${what} not sent by the tracer`}>
        +{(len - shown).toLocaleString('en')} more
      </span>
    );
  let body;
  switch (obj.k) {
    case 'list':
    case 'tuple':
    case 'set':
      body = (
        <div class="items">
          {obj.items.map((v, k) => (
            <div key={k} class={cell(String(k))}>
              {obj.k !== 'set' && <span class="idx">{k}</span>}
              <ValueCell value={v} ctx={ctx} />
            </div>
          ))}
          {obj.items.length === 0 && obj.len === 0 && <span class="empty">empty</span>}
          {more(obj.items.length, obj.len, 'items')}
        </div>
      );
      break;
    case 'dict':
    case 'map':
      body = (
        <table class="entries">
          <tbody>
            {obj.entries.map(([k, v]) => (
              <tr key={keyOf(k)} class={row(keyOf(k))}>
                <td>
                  <ValueCell value={k} ctx={ctx} />
                </td>
                <td>
                  <ValueCell value={v} ctx={ctx} />
                </td>
              </tr>
            ))}
            {obj.len > obj.entries.length && (
              <tr>
                <td colSpan={2}>{more(obj.entries.length, obj.len, 'entries')}</td>
              </tr>
            )}
          </tbody>
        </table>
      );
      break;
    case 'object':
      body = (
        <table class="entries">
          <tbody>
            {obj.fields.map(([name, v]) => (
              <tr key={name} class={row(keyOf(name))}>
                <th scope="row">{name}</th>
                <td>
                  <ValueCell value={v} ctx={ctx} />
                </td>
              </tr>
            ))}
            {obj.len > obj.fields.length && (
              <tr>
                <td colSpan={2}>{more(obj.fields.length, obj.len, 'fields')}</td>
              </tr>
            )}
          </tbody>
        </table>
      );
      break;
    case 'function':
      body = <code>{obj.line !== undefined ? `${obj.name}, line ${obj.line}` : obj.name}</code>;
      break;
    case 'class':
      body = <code>{obj.name}</code>;
      break;
    case 'other':
      body = <code>{obj.repr}</code>;
      break;
  }
  const kind = obj.k === 'object' ? obj.cls : obj.k === 'other' ? obj.cls : obj.k;
  return (
    <div class={`obj kind-${obj.k}${changed ? ' changed' : ''}`} data-obj={id} tabIndex={-1} role="group" aria-label={`${describeObject(obj)}, object ${id}`}>
      <div class="obj-head">
        <span class="obj-kind">{kind}</span>
        <span class="obj-id">#{id}</span>
      </div>
      {body}
    </div>
  );
}

/**
 * Draws one arrow per reference dot to its object's card, in the coordinates of the state panel (the SVG covers it).
 * A card to the right gets a gentle curve; a card to the left or above (a back reference, a cycle) a wider loop.
 */
function drawArrows(root: HTMLElement | null, svg: SVGSVGElement | null, markerId: string): void {
  if (!root || !svg) return;
  const g = svg.querySelector('g') as SVGGElement;
  const box = root.getBoundingClientRect();
  // The panel's own box: sized to its scroll size, the SVG (inside it) would keep it from ever shrinking.
  svg.setAttribute('width', String(root.clientWidth));
  svg.setAttribute('height', String(root.clientHeight));
  const paths: string[] = [];
  for (const dot of root.querySelectorAll<HTMLElement>('[data-ref]')) {
    const card = root.querySelector<HTMLElement>(`[data-obj="${dot.dataset.ref}"]`);
    if (!card) continue;
    const from = dot.getBoundingClientRect();
    const to = card.getBoundingClientRect();
    if (from.width === 0 || to.width === 0) continue;
    const x1 = from.left + from.width / 2 - box.left;
    const y1 = from.top + from.height / 2 - box.top;
    const x2 = to.left - box.left;
    const y2 = to.top + Math.min(14, to.height / 2) - box.top;
    if (x2 > x1 + 12) {
      const dx = Math.max(24, (x2 - x1) / 2);
      paths.push(`M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`);
    } else {
      const loop = 40 + Math.abs(y2 - y1) / 4;
      paths.push(`M${x1},${y1} C${x1 + loop},${y1 - loop} ${x2 - loop},${y2 - loop} ${x2},${y2}`);
    }
  }
  g.replaceChildren(
    ...paths.map((d) => {
      const p = document.createElementNS('http://www.w3.org/2000/svg', 'path');
      p.setAttribute('d', d);
      p.setAttribute('marker-end', `url(#${markerId})`);
      return p;
    }),
  );
}
