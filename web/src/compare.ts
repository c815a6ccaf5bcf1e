// The Compare tab (the lecture's table over seeds, as `stampede compare`
// prints it) and the Sweep tab (one scenario field varied, each output's
// mean with its 95 % band, as `stampede sweep` computes it).
import uPlot from 'uplot';
import type { Engine } from './engine';
import type { Live } from './live';

const LECTURE = ['none', 'naive', 'clear', 'refresh', 'update', 'update+cas'];

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text = '') {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

export function compareView(engine: Engine, live: Live, strategies: { name: string }[]) {
  const root = el('section', { id: 'compare' });
  const boxes = el('div', { class: 'bar' });
  for (const s of strategies) {
    const id = `cmp-${s.name}`;
    const box = el('input', { type: 'checkbox', id, value: s.name });
    box.checked = LECTURE.includes(s.name);
    boxes.append(box, el('label', { for: id }, s.name));
  }
  const seeds = el('input', { id: 'compare-seeds', type: 'number', min: '1', max: '100', value: '5', size: '4' });
  const go = el('button', { id: 'compare-run' }, 'Compare');
  boxes.append(el('label', {}, ' seeds '), seeds, go);
  const out = el('pre', { id: 'compare-table', class: 'table' });
  root.append(el('p', { class: 'muted' }, 'The scenario open in Live, each strategy run over the seeds (counting up from its seed); each cell is the mean ± its 95 % interval. Rows without +cas run without cas, as in the lecture.'), boxes, out);
  go.onclick = async () => {
    const picked = [...boxes.querySelectorAll('input[type=checkbox]')].filter((b) => (b as HTMLInputElement).checked)
      .map((b) => (b as HTMLInputElement).value);
    out.textContent = `running ${picked.length} strategies x ${seeds.value} seeds…`;
    const req = live.currentRequest();
    const set = (req.set ?? []).filter((s) => !s.startsWith('strategy.name='));
    const r = await engine.call<{ table?: string; error?: string }>('compareTable',
      { ...req, set, strategies: picked, seeds: Number(seeds.value) });
    out.textContent = r.error ?? r.table ?? '';
  };
  return root;
}

export function sweepView(engine: Engine, live: Live, paths: { path: string; label: string }[]) {
  const root = el('section', { id: 'sweep' });
  const bar = el('div', { class: 'bar' });
  const field = el('input', { id: 'sweep-field', value: 'strategy.ttl_s', size: '22', title: 'a scenario field, dotted' });
  const values = el('input', { id: 'sweep-values', value: '0.5, 1, 2, 5, 10', size: '22', title: 'its values, comma-separated' });
  const output = el('select', { id: 'sweep-output' });
  for (const p of paths) output.append(el('option', { value: p.path }, p.label || p.path));
  output.value = 'anomalies.stale_reads';
  const seeds = el('input', { id: 'sweep-seeds', type: 'number', min: '2', max: '100', value: '5', size: '4' });
  const go = el('button', { id: 'sweep-run' }, 'Sweep');
  bar.append(el('label', {}, 'vary '), field, el('label', {}, ' over '), values, el('label', {}, ' show '), output,
    el('label', {}, ' seeds '), seeds, go);
  const chart = el('div', { id: 'sweep-chart' });
  const note = el('p', { class: 'muted', id: 'sweep-note' });
  root.append(el('p', { class: 'muted' }, 'The scenario open in Live, with its strategy, one field varied: the line is the mean over the seeds, the band its 95 % interval.'), bar, note, chart);
  let plot: uPlot | null = null;
  go.onclick = async () => {
    note.textContent = 'running…';
    const req = live.currentRequest();
    const list = values.value.split(',').map((v) => v.trim()).filter(Boolean);
    const r = await engine.call<any>('sweep', { ...req, vary: field.value.trim(), values: list,
      seeds: Number(seeds.value), outputs: [output.value] });
    if (r.error) { note.textContent = r.error; return; }
    const xs = r.rows.map((row: any, i: number) => (Number.isFinite(Number(row.value)) ? Number(row.value) : i));
    const cell = (row: any) => row.outputs[output.value];
    const data = [xs, r.rows.map((row: any) => cell(row).mean), r.rows.map((row: any) => cell(row).low),
      r.rows.map((row: any) => cell(row).high)] as uPlot.AlignedData;
    plot?.destroy();
    plot = new uPlot({
      title: `${output.selectedOptions[0].textContent} against ${field.value}`,
      width: Math.max(400, root.clientWidth - 20), height: 360, scales: { x: { time: false } },
      series: [{ label: field.value }, { label: 'mean', stroke: '#1c7ed6', width: 2, points: { show: true } },
        { label: '95 % low', stroke: '#a5d8ff' }, { label: '95 % high', stroke: '#a5d8ff' }],
      bands: [{ series: [3, 2], fill: 'rgba(28,126,214,0.15)' }],
    }, data, chart);
    note.textContent = r.rows.map((row: any) => `${row.value}: ${cell(row).mean.toPrecision(4)} (${cell(row).low.toPrecision(4)} to ${cell(row).high.toPrecision(4)})`).join(' · ');
  };
  return root;
}
