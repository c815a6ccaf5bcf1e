// The lessons, in the lecture's order, walked as `stampede lesson run
// --interactive` walks them: each step's text up to its question, the
// question answered first, then the step run live in the diagram, then what
// it measured beside the prediction, the step's checks, and the rest of its
// text.
import { marked } from 'marked';
import type { Engine, Snapshot } from './engine';
import type { Live } from './live';

interface Question { text: string; choices: string[]; metric: string; label: string }
interface Step {
  title: string; request: { scenario?: string; path?: string; set: string[] }; point: string; seeds: number;
  question: Question | null; before: string; after: string; error: string;
}
interface Lesson { id: string; folder: string; title: string; part: string; intro: string; error: string; steps: Step[] }
interface Check {
  error?: string; seeds: number[]; ok: boolean;
  question: null | { measured: string; proved: boolean; failure: string; answer: string; why: string;
    said: string | null; right: boolean | null; said_error?: string };
  expectations: { expr: string; ok: boolean; actual: number }[];
  claims: { text: string; holds: boolean | null; measured?: { expr: string; actual: number }[]; seeds?: number[] }[];
}

function html(markdown: string, folder: string) {
  // Pictures sit beside the lesson's text: lessons/FOLDER/NAME.png in the site.
  const out = marked.parse(markdown, { async: false }) as string;
  return out.replace(/<img src="(?!https?:|\/)([^"]+)"/g, `<img src="lessons/${folder}/$1"`);
}

function esc(t: string) {
  return t.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

export class Lessons {
  readonly root: HTMLElement;
  private list: HTMLSelectElement;
  private text: HTMLElement;
  private lessons: Lesson[] = [];
  private lesson = 0;
  private step = 0;
  private waiting = false;
  private right = 0;
  private asked = 0;
  private given = ''; // the prediction, as typed or picked before the run
  private verdict: HTMLElement | null = null;

  constructor(private engine: Engine, private live: Live) {
    this.root = document.createElement('section');
    this.root.id = 'lessons';
    this.list = document.createElement('select');
    this.list.id = 'lesson-list';
    this.text = document.createElement('div');
    this.text.id = 'lesson-text';
    this.text.className = 'lesson-text';
    this.root.append(this.list, this.text);
    this.list.onchange = () => this.show(Number(this.list.value), 0);
    live.onSnapshot = (s) => this.snapshot(s);
  }

  async load() {
    const lessons = await this.engine.call<Lesson[] | { error: string }>('lessons');
    if (!Array.isArray(lessons)) { this.text.textContent = lessons.error; return; }
    this.lessons = lessons;
    lessons.forEach((l, i) => {
      const o = document.createElement('option');
      o.value = String(i);
      o.textContent = `${l.folder.slice(0, 2)} · ${l.title}`;
      this.list.append(o);
    });
    this.show(0, 0);
  }

  show(lesson: number, step: number) {
    this.lesson = lesson;
    this.step = step;
    this.list.value = String(lesson);
    const l = this.lessons[lesson];
    if (step === 0) {
      this.text.innerHTML = '';
      this.right = 0;
      this.asked = 0;
      const intro = document.createElement('div');
      intro.innerHTML = `<p class="muted">Lecture: ${esc(l.part)}. Where a lesson points at the window's side panel, ` +
        'read the Measured line above the diagram.</p>' + html(l.intro, l.folder);
      this.text.append(intro);
    }
    const s = l.steps[step];
    const body = document.createElement('div');
    body.className = 'step';
    body.dataset.step = String(step);
    body.innerHTML = html(s.before, l.folder);
    this.text.append(body);
    const form = document.createElement('form');
    form.className = 'question';
    if (s.question) {
      const q = s.question;
      form.innerHTML = `<p><b>${esc(q.text)}</b></p>` + (q.choices.length
        ? q.choices.map((c, i) => `<label><input type="radio" name="answer" value="${i + 1}"> ${esc(c)}</label>`).join('<br>')
        : `<label>${esc(q.label || q.metric)}: <input name="answer" type="text" inputmode="decimal" size="10"></label>`);
    }
    const run = document.createElement('button');
    run.type = 'submit';
    run.id = 'run-step';
    run.textContent = s.question ? 'Predict, then run' : 'Run this step';
    form.append(document.createElement('br'), run);
    this.text.querySelector('#verdict')?.removeAttribute('id');
    this.text.querySelector('#run-step')?.removeAttribute('id');
    this.text.querySelector('#next-step')?.remove();
    const verdict = document.createElement('div');
    verdict.id = 'verdict';
    verdict.className = 'verdict';
    this.verdict = verdict;
    form.onsubmit = (e) => { e.preventDefault(); this.run(form, verdict); };
    this.text.append(form, verdict);
    if (s.error) verdict.textContent = s.error;
    if (step === 0) this.root.scrollTop = 0;
    else body.scrollIntoView({ block: 'start' });
  }

  private answer(form: HTMLFormElement) {
    const data = new FormData(form);
    return String(data.get('answer') ?? '').trim();
  }

  private async run(form: HTMLFormElement, verdict: HTMLElement) {
    const s = this.lessons[this.lesson].steps[this.step];
    if (s.question && !this.answer(form)) {
      verdict.textContent = 'Predict first: pick or type an answer, then run.';
      return;
    }
    this.given = s.question ? this.answer(form) : '';
    form.querySelectorAll('input,button').forEach((i) => ((i as HTMLInputElement).disabled = true));
    verdict.innerHTML = s.point ? `<b>Point at:</b> ${esc(s.point)}<br>running…` : 'running…';
    this.waiting = true;
    if (!(await this.live.open(s.request))) { this.waiting = false; verdict.textContent = 'the step could not start'; return; }
    await this.live.setSpeed(0);
    await this.live.control('play');
  }

  private async snapshot(snap: Snapshot) {
    if (!this.waiting || !snap.finished) return;
    this.waiting = false;
    const l = this.lessons[this.lesson];
    const s = l.steps[this.step];
    const verdict = this.verdict!;
    if (s.seeds > 1) verdict.innerHTML += `<br>checking over ${s.seeds} seeds…`;
    const c = await this.engine.call<Check>('lessonCheck', { lesson: l.id, step: this.step, answer: this.given });
    if (c.error) { verdict.textContent = c.error; return; }
    let out = s.point ? `<b>Point at:</b> ${esc(s.point)}<br>` : '';
    if (c.seeds.length > 1) out += `<b>Over ${c.seeds.length} seeds</b> (${c.seeds[0]} to ${c.seeds[c.seeds.length - 1]}; the live run was the first)<br>`;
    if (c.question) {
      const q = c.question;
      this.asked++;
      if (q.right) this.right++;
      out += `<b>Measured:</b> ${esc(q.measured)}<br>`;
      if (q.said !== null) out += `<b>You said:</b> ${esc(q.said)} <b class="${q.right ? 'ok' : 'bad'}">${q.right ? 'right' : 'not quite'}</b><br>`;
      else if (q.said_error) out += `<b>Your answer:</b> ${esc(q.said_error)}<br>`;
      out += `<b>The answer:</b> ${esc(q.answer)}${q.why ? ` <span class="muted">(${esc(q.why)})</span>` : ''}<br>`;
      if (!q.proved) out += `<b class="bad">This run does not prove it:</b> ${esc(q.failure)}<br>`;
    }
    if (c.expectations.length) {
      out += c.ok ? '<b class="ok">As the lesson says:</b>' : '<b class="bad">Not as the lesson says:</b>';
      for (const e of c.expectations) out += `<br>${e.ok ? '✓' : '✗'} ${esc(e.expr)} <span class="muted">(measured ${e.actual})</span>`;
    } else {
      out += 'done (this step checks nothing)';
    }
    if (c.claims.length) out += '<br><b>The figures in the text:</b>';
    for (const cl of c.claims) {
      if (cl.holds === null) out += `<br>· “${esc(cl.text)}” <span class="muted">(measured on seeds ${cl.seeds![0]}-${cl.seeds![1]})</span>`;
      else out += `<br>${cl.holds ? '✓' : '✗'} “${esc(cl.text)}” <span class="muted">(${cl.measured!.map((m) => `${esc(m.expr)}: ${m.actual}`).join(', ')})</span>`;
    }
    verdict.innerHTML = out;
    verdict.dataset.done = 'true';
    verdict.scrollIntoView({ block: 'start', behavior: 'smooth' });
    const after = document.createElement('div');
    after.innerHTML = html(s.after, l.folder);
    verdict.after(after);
    const next = document.createElement('button');
    next.id = 'next-step';
    const last = this.step + 1 >= l.steps.length;
    next.textContent = last ? (this.lesson + 1 < this.lessons.length ? 'Next lesson' : 'The end') : 'Next step';
    if (last && this.asked > 0) after.append(Object.assign(document.createElement('p'), { textContent: `Your predictions: ${this.right} of ${this.asked} right.` }));
    next.onclick = () => last ? (this.lesson + 1 < this.lessons.length && this.show(this.lesson + 1, 0)) : this.show(this.lesson, this.step + 1);
    after.append(next);
  }
}
