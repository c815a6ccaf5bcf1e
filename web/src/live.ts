// The live run: controls, the diagram, the charts, the followed request's
// timeline and the anomalies as they happen. Each animation frame asks the
// engine (in its worker) to advance by the wall time since the last frame
// and draws the snapshot it answers: what is in flight at its instant.
import { Charts } from './charts';
import { Diagram } from './diagram';
import type { Engine, Snapshot } from './engine';

export interface RunRequest { scenario?: unknown; path?: string; origin?: string; set?: string[] }

const SPEEDS: [string, number][] = [
  ['0.01x', 0.01], ['0.1x', 0.1], ['0.5x', 0.5], ['1x (real time)', 1], ['2x', 2], ['5x', 5],
  ['10x', 10], ['as fast as it goes', 0],
];

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text = '') {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

export class Live {
  readonly root: HTMLElement;
  private diagram: Diagram;
  private charts: Charts;
  private snapshot: Snapshot | null = null;
  private request: RunRequest = { scenario: 'builtin:frontpage' };
  private generation = -1;
  private lastFrame = 0;
  private busy = false;
  private status: HTMLElement;
  private clock: HTMLElement;
  private timeline: HTMLElement;
  private anomalies: HTMLElement;
  private playButton: HTMLButtonElement;
  private speed: HTMLSelectElement;
  private strategy: HTMLSelectElement;
  private scenario: HTMLSelectElement;
  private seed: HTMLInputElement;
  private anomalyCount = 0;
  private measured: HTMLElement;
  private changed = false; // a live action or strategy switch since the run began
  /// Called with each snapshot drawn (the lesson panel waits for the end).
  onSnapshot: ((s: Snapshot) => void) | null = null;

  constructor(private engine: Engine, builtins: { name: string; description: string }[],
              strategies: { name: string; description: string }[]) {
    this.root = el('section', { id: 'live' });
    const bar = el('div', { class: 'bar' });
    this.scenario = el('select', { id: 'scenario', title: 'a built-in scenario' });
    for (const b of builtins) this.scenario.append(el('option', { value: `builtin:${b.name}`, title: b.description }, `builtin:${b.name}`));
    this.strategy = el('select', { id: 'strategy', title: 'the cache strategy (switches live)' });
    this.strategy.append(el('option', { value: '' }, "scenario's strategy"));
    for (const s of strategies) this.strategy.append(el('option', { value: s.name, title: s.description }, s.name));
    this.seed = el('input', { id: 'seed', type: 'number', min: '0', value: '1', title: 'seed', size: '4' });
    this.playButton = el('button', { id: 'play' }, 'Play');
    const step = el('button', { id: 'step', title: 'one event (following a request: its next event)' }, 'Step');
    const restart = el('button', { id: 'restart' }, 'Restart');
    this.speed = el('select', { id: 'speed', title: 'simulated seconds per second' });
    for (const [label, v] of SPEEDS) this.speed.append(el('option', { value: String(v) }, label));
    this.speed.value = '1';
    const actions = el('select', { id: 'actions', title: 'act on the running stack' });
    for (const [v, label] of [['', 'Act…'], ['submitBurst', 'Burst of 5 submits'], ['crashNode', 'Crash memcached 0'],
      ['addNode', 'Add a memcached node'], ['migrateCache', 'Migrate to a new tier (2 nodes)'],
      ['retireOldCache', 'Retire the old tier'], ['addServer', 'Add an app server'], ['removeServer', 'Remove an app server']])
      actions.append(el('option', { value: v }, label));
    const share = el('button', { id: 'share', title: 'a link to this scenario, strategy, seed and moment' }, 'Share moment');
    const download = el('button', { id: 'download', title: "the whole run's report from t = 0 (the scenario as written, without live changes), as stampede run --report writes it" }, 'Report (JSON)');
    this.clock = el('span', { id: 'clock', class: 'clock' }, '0.000 s');
    bar.append(this.scenario, this.strategy, el('label', {}, 'seed '), this.seed, this.playButton, step, restart,
      this.speed, actions, share, download, this.clock);

    const canvas = el('canvas', { id: 'diagram' });
    this.diagram = new Diagram(canvas);
    const chartsHost = el('div', { id: 'charts' });
    this.charts = new Charts(chartsHost);
    this.timeline = el('div', { id: 'timeline', class: 'panel' });
    this.anomalies = el('div', { id: 'anomalies', class: 'panel' });
    this.status = el('div', { id: 'status', class: 'status' });
    this.measured = el('div', { id: 'measured', class: 'measured' });
    const grid = el('div', { class: 'live-grid' });
    const side = el('div', { class: 'side' });
    side.append(el('h3', {}, 'Followed request (click a dot)'), this.timeline, el('h3', {}, 'Anomalies'), this.anomalies);
    grid.append(canvas, chartsHost, side);
    this.root.append(bar, this.measured, grid, this.status);

    this.scenario.onchange = () => this.open({ scenario: this.scenario.value }, this.strategy.value);
    this.strategy.onchange = () => { if (this.strategy.value) this.control('switchStrategy', this.strategy.value); };
    this.seed.onchange = () => this.control('restart', Number(this.seed.value) || 0);
    this.playButton.onclick = () => this.control(this.snapshot?.running ? 'pause' : 'play');
    step.onclick = () => this.control('step');
    restart.onclick = () => this.control('restart', Number(this.seed.value) || 0);
    this.speed.onchange = () => this.control('setSpeed', Number(this.speed.value));
    actions.onchange = () => {
      const a = actions.value;
      actions.value = '';
      if (a === 'submitBurst') this.control(a, 5);
      else if (a === 'crashNode') this.control(a, 0);
      else if (a === 'migrateCache') this.control(a, 2);
      else if (a) this.control(a);
    };
    share.onclick = () => {
      const url = this.shareLink();
      history.replaceState(null, '', url);
      navigator.clipboard?.writeText(url).catch(() => undefined);
      this.say(`link to this moment (copied): ${url}` + (this.changed
        ? ' · it holds the scenario, strategy, seed and time, not the live changes made since the start (they are not replayed)'
        : ''));
    };
    download.onclick = () => this.downloadReport();
    canvas.onclick = (e) => {
      const r = canvas.getBoundingClientRect();
      const request = this.diagram.hit(e.clientX - r.left, e.clientY - r.top);
      if (request !== null) this.control('follow', request);
    };
    requestAnimationFrame((t) => this.frame(t));
  }

  private say(text: string) { this.status.textContent = text; }

  /// Opens a run: a built-in, a scenario's text or a lesson's step; paused at 0.
  async open(request: RunRequest, strategy = '', seed?: number) {
    const set = [...(request.set ?? [])];
    if (strategy) set.push(`strategy.name=${JSON.stringify(strategy)}`);
    if (seed !== undefined) set.push(`seed=${seed}`);
    this.request = { ...request, set };
    if (typeof request.scenario === 'string' && request.scenario.startsWith('builtin:')) this.scenario.value = request.scenario;
    this.strategy.value = strategy;
    if (seed !== undefined) this.seed.value = String(seed);
    const s = await this.engine.call<Snapshot>('open', this.request);
    if (s.error) { this.say(s.error); return false; }
    // A new run numbers its generations from the start again: forget the old one's.
    this.generation = -1;
    this.changed = false;
    this.control('setSpeed', Number(this.speed.value));
    this.apply(s);
    return true;
  }

  async control(method: string, ...args: unknown[]) {
    if (['switchStrategy', 'submitBurst', 'crashNode', 'addNode', 'migrateCache', 'retireOldCache',
      'addServer', 'removeServer'].includes(method)) this.changed = true;
    if (method === 'restart') this.changed = false;
    const s = await this.engine.call<Snapshot | null>('control', method, ...args);
    if (s) this.apply(s);
    return s;
  }

  /// Runs to `t` at once and pauses there (a shared link's moment).
  async runUntil(t: number) { return this.control('runUntil', t); }

  setSpeed(v: number) { this.speed.value = String(v); return this.control('setSpeed', v); }

  private async frame(t: number) {
    const elapsed = this.lastFrame ? Math.min((t - this.lastFrame) / 1000, 0.25) : 0;
    this.lastFrame = t;
    if (!this.busy && this.snapshot?.running) {
      this.busy = true;
      try {
        const s = await this.engine.call<Snapshot | null>('frame', elapsed, 0.012);
        if (s) this.apply(s);
      } finally { this.busy = false; }
    }
    requestAnimationFrame((t2) => this.frame(t2));
  }

  private apply(s: Snapshot) {
    if (s.generation !== this.generation) {
      this.generation = s.generation;
      this.charts.clear();
      this.anomalies.textContent = '';
      this.anomalyCount = 0;
    }
    this.snapshot = s;
    this.charts.add(s.intervals);
    this.diagram.draw(s);
    this.showMeasured(s);
    this.playButton.textContent = s.running ? 'Pause' : 'Play';
    this.clock.textContent = `${s.now_s.toFixed(3)} s of ${s.end_s} s · ${s.stack.strategy}`;
    this.root.dataset.now = String(s.now_s);
    this.root.dataset.end = String(s.end_s);
    this.root.dataset.interval = String(s.interval_s);
    this.root.dataset.inFlight = String(s.in_flight_all);
    this.root.dataset.finished = String(s.finished);
    if (s.fault) this.say(s.fault);
    else if (s.message) this.say(s.message);
    // Newest first; the last 200 kept.
    for (const a of s.anomalies) {
      const row = el('div', { class: 'anomaly' }, `${a.at_s.toFixed(3)} s · request #${a.request}: ${a.explanation}`);
      row.onclick = () => this.control('follow', a.request);
      this.anomalies.prepend(row);
    }
    this.anomalyCount += s.anomalies.length + s.anomalies_dropped;
    while (this.anomalies.childElementCount > 200) this.anomalies.lastElementChild!.remove();
    this.anomalies.dataset.count = String(this.anomalyCount);
    this.timeline.textContent = '';
    if (s.followed !== null) {
      const head = el('div', { class: 'muted' }, `request #${s.followed}${s.timeline_done ? ' (done)' : ''}` +
        `${s.timeline_begins_late ? ' · its first events are no longer kept' : ''}`);
      this.timeline.append(head);
      for (const e of s.timeline) {
        const span = e.until_s !== null ? ` → ${e.until_s.toFixed(4)}` : '';
        this.timeline.append(el('div', { class: e.anomaly ? 'entry anomaly' : 'entry' },
          `${e.at_s.toFixed(4)}${span} s [${e.lane}] ${e.what}`));
      }
    }
    this.onSnapshot?.(s);
  }

  /// The window's Measured panel in one line: the run so far.
  private showMeasured(s: Snapshot) {
    const t = s.totals ?? {};
    const n = (v: unknown, digits = 0) => (typeof v === 'number' ? v.toFixed(digits) : '-');
    const views = t.requests?.page_views ?? 0;
    this.measured.textContent = [
      `Measured so far: ${views} page views`,
      `DB reads per view ${n(t.db?.reads_per_page_view, 3)}`,
      `hit ratio ${t.cache?.gets ? n(t.cache?.hit_ratio, 3) : '-'}`,
      `stale reads ${n(t.anomalies?.stale_reads)}`,
      `max staleness ${n(t.anomalies?.max_staleness_s, 3)} s`,
      `redundant DB reads ${n(t.anomalies?.redundant_db_reads)} in ${n(t.anomalies?.stampedes)} stampedes`,
      `lost updates ${n(t.anomalies?.lost_updates)}`,
      `CAS conflicts ${n(t.cache?.cas_conflicts)}`,
      `evictions ${n(t.cache?.evictions)}`,
      `view p99 ${n(t.latency_ms?.page_view?.p99, 1)} ms`,
    ].join(' · ');
  }

  current() { return this.snapshot; }
  currentRequest() { return this.request; }

  shareLink() {
    const p = new URLSearchParams();
    const sc = this.request.scenario;
    if (typeof sc === 'string' && sc.startsWith('builtin:')) p.set('scenario', sc);
    else if (sc !== undefined) p.set('file', btoa(unescape(encodeURIComponent(typeof sc === 'string' ? sc : JSON.stringify(sc)))));
    if (this.request.path) p.set('path', this.request.path);
    if (this.strategy.value) p.set('strategy', this.strategy.value);
    p.set('seed', this.seed.value);
    p.set('t', (this.snapshot?.now_s ?? 0).toFixed(3));
    if (this.snapshot?.followed != null) p.set('follow', String(this.snapshot.followed));
    return `${location.origin}${location.pathname}#live?${p}`;
  }

  private async downloadReport() {
    this.say('running the whole scenario for its report…');
    const set = [...(this.request.set ?? []), `seed=${Number(this.seed.value) || 0}`];
    if (this.strategy.value) set.push(`strategy.name=${JSON.stringify(this.strategy.value)}`);
    const request = { ...this.request, set };
    const text = await this.engine.call<string>('runReport', request);
    const a = el('a', { download: 'report.json', href: URL.createObjectURL(new Blob([text], { type: 'application/json' })) });
    document.body.append(a);
    a.click();
    a.remove();
    this.say('report.json: the whole run from t = 0, as `stampede run SCENARIO --report -` writes it' +
      (this.changed ? ' (without the live changes made here: a report is of the scenario as written)' : ''));
  }
}
