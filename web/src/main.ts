// Stampede in the browser: the tabs, the engine's worker, and links to a
// moment (#live?scenario=builtin:herd&strategy=lease&seed=2&t=12.5).
import './style.css';
import { compareView, sweepView } from './compare';
import { editorView } from './editor';
import { exploreView } from './explore';
import { Engine } from './engine';
import { Lessons } from './lessons';
import { Live } from './live';

const TABS = ['lessons', 'live', 'compare', 'sweep', 'explore', 'editor'] as const;
type Tab = (typeof TABS)[number];

async function main() {
  const app = document.getElementById('app')!;
  const loading = document.getElementById('loading')!;
  const engine = new Engine();
  await engine.ready;
  const [builtins, strategies, schema, paths] = await Promise.all([
    engine.call<{ name: string; description: string; json: string }[]>('builtins'),
    engine.call<{ name: string; description: string }[]>('strategies'),
    engine.call<object>('schema'),
    engine.call<{ path: string; label: string }[]>('reportPaths'),
  ]);
  const live = new Live(engine, builtins, strategies);
  const lessons = new Lessons(engine, live);
  const views: Record<Tab, HTMLElement> = {
    lessons: lessons.root,
    live: live.root,
    compare: compareView(engine, live, strategies),
    sweep: sweepView(engine, live, paths),
    explore: exploreView(engine, builtins, strategies),
    editor: editorView(engine, live, builtins, schema, () => show('live')).root,
  };
  const nav = document.getElementById('tabs')!;
  const main = document.createElement('main');
  app.append(main);
  for (const t of TABS) {
    const b = document.createElement('button');
    b.textContent = t[0].toUpperCase() + t.slice(1);
    b.id = `tab-${t}`;
    b.onclick = () => show(t);
    nav.append(b);
  }
  // The diagram and charts are one: the Lessons tab shows them beside the text.
  function show(tab: Tab) {
    main.innerHTML = '';
    document.body.dataset.tab = tab;
    for (const b of nav.querySelectorAll('button')) b.classList.toggle('on', b.id === `tab-${tab}`);
    if (tab === 'lessons') {
      const split = document.createElement('div');
      split.className = 'split';
      split.append(lessons.root, live.root);
      main.append(split);
    } else {
      main.append(views[tab]);
      if (tab === 'compare' || tab === 'sweep') main.append(live.root), live.root.classList.add('below');
    }
    live.root.classList.toggle('below', tab === 'compare' || tab === 'sweep');
    window.dispatchEvent(new Event('resize'));
  }

  // A shared moment, else the first lesson.
  const [route, query] = location.hash.slice(1).split('?');
  const p = new URLSearchParams(query ?? '');
  if (route === 'live' && (p.has('scenario') || p.has('file') || p.has('path'))) {
    const request = p.has('file')
      ? { scenario: decodeURIComponent(escape(atob(p.get('file')!))) }
      : p.has('path') ? { path: p.get('path')! } : { scenario: p.get('scenario')! };
    show('live');
    const seed = p.has('seed') ? Number(p.get('seed')) : undefined;
    if (await live.open(request, p.get('strategy') ?? '', seed)) {
      const t = Number(p.get('t') ?? 0);
      if (t > 0) await live.runUntil(t);
      if (p.has('follow')) await live.control('follow', Number(p.get('follow')));
    }
  } else {
    await live.open({ scenario: 'builtin:frontpage' });
    show(TABS.includes(route as Tab) ? (route as Tab) : 'lessons');
  }
  await lessons.load();
  loading.remove();
  document.body.dataset.ready = 'true';
  if ('serviceWorker' in navigator && location.protocol.startsWith('http'))
    navigator.serviceWorker.register('sw.js').catch(() => undefined);
}

main().catch((e) => {
  document.getElementById('loading')!.textContent = `Stampede did not start: ${e}`;
});
