// The Explore tab: every order of a small race (SPEC section 12, as
// `stampede explore` finds them), each anomaly's count of orders and its
// shortest order told step by step.
import type { Engine } from './engine';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text = '') {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

interface Report {
  error?: string;
  scenario: string;
  strategy: string;
  requests: number;
  explore: Record<string, number | boolean | null>;
  shortest: Record<string, { anomaly: string; order: number[]; story: string[] }>;
}

// The findings in the command line's order, with their words.
const FINDINGS: [string, string][] = [
  ['stale_sets', 'stale set'], ['stale_reads', 'stale read'], ['stampedes', 'stampede'],
  ['cas_conflicts', 'CAS conflict'], ['lost_updates', 'lost update'], ['lease_refusals', 'refused lease fill'],
];

export function exploreView(engine: Engine, builtins: { name: string; description: string }[],
  strategies: { name: string }[]) {
  const root = el('section', { id: 'explore' });
  const bar = el('div', { class: 'bar' });
  const scenario = el('select', { id: 'explore-scenario' });
  for (const b of builtins.filter((b) => b.name.startsWith('race-')))
    scenario.append(el('option', { value: `builtin:${b.name}` }, b.name));
  const strategy = el('select', { id: 'explore-strategy' });
  strategy.append(el('option', { value: '' }, "the scenario's strategy"));
  for (const s of strategies) strategy.append(el('option', { value: s.name }, s.name));
  const preemptions = el('input', { id: 'explore-preemptions', type: 'number', min: '0', max: '100', size: '8',
    placeholder: 'no bound', title: 'at most this many switches away from a request that could go on' });
  const go = el('button', { id: 'explore-run' }, 'Explore every order');
  bar.append(scenario, strategy, el('label', {}, ' preemptions '), preemptions, go);
  const about = el('p', { id: 'explore-about', class: 'muted' });
  const out = el('div', { id: 'explore-out' });
  root.append(el('p', { class: 'muted' }, 'A timed run plays the one order its seed gives. This tries every order in ' +
    'which the requests\' steps can happen (an arrival, a cache call, a page query\'s start and return, an ' +
    'insert\'s commit), running the strategy between steps, and tells the shortest order that shows each anomaly. ' +
    'The same as stampede explore on the command line; the window (stampede-gui --schedule) steps through one.'),
  bar, about, out);
  const describe = () => {
    about.textContent = builtins.find((b) => `builtin:${b.name}` === scenario.value)?.description ?? '';
  };
  scenario.onchange = describe;
  describe();
  go.onclick = async () => {
    out.textContent = 'exploring…';
    const request: Record<string, unknown> = { scenario: scenario.value };
    if (strategy.value) request.set = [`strategy.name=${JSON.stringify(strategy.value)}`];
    if (preemptions.value !== '') request.preemptions = Number(preemptions.value);
    const r = await engine.call<Report>('explore', request);
    out.textContent = '';
    if (r.error) {
      out.append(el('p', { class: 'bad', id: 'explore-error' }, r.error));
      return;
    }
    const e = r.explore;
    const schedules = Number(e.schedules);
    const bounds = e.complete ? `complete: every order tried, the longest ${e.longest} steps`
      : `NOT complete: ${e.cut_depth} schedules cut at the depth bound, ${e.cut_preemptions} branches not tried for the preemption bound`;
    out.append(el('p', { id: 'explore-summary' },
      `${r.scenario} under ${r.strategy}: ${r.requests} requests; ${schedules} schedules run, ${e.skipped} orders skipped ` +
      `(they only swap independent steps); ${bounds}.`));
    for (const [field, words] of FINDINGS) {
      const n = Number(e[field]);
      if (n === 0) {
        if (field !== 'lease_refusals')
          out.append(el('p', { class: 'muted' }, `no ${words} in any of ${schedules} schedules`));
        continue;
      }
      const found = el('div', { class: 'finding', 'data-field': field });
      found.append(el('h3', {}, `${words}: in ${n} of ${schedules} schedules; the shortest shows it in ${e[field + '_shortest']} steps`));
      const list = el('ol');
      for (const line of r.shortest[field]?.story ?? []) list.append(el('li', {}, line));
      found.append(list);
      out.append(found);
    }
  };
  return root;
}
