// The scenario editor: a scenario's JSON checked as you type, first against
// the JSON Schema (`stampede schema`, the same field table the parser checks
// against), then by the parser itself, whose words are the command line's
// ("my.json: cache.memory_bytes: expected an integer >= 1048576, got -64").
import Ajv2020 from 'ajv/dist/2020';
import type { Engine } from './engine';
import type { Live } from './live';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text = '') {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

export function editorView(engine: Engine, live: Live, builtins: { name: string; json: string }[],
                           schema: object, openLive: () => void) {
  const root = el('section', { id: 'editor' });
  const bar = el('div', { class: 'bar' });
  const from = el('select', { id: 'editor-from' });
  for (const b of builtins) from.append(el('option', { value: b.name }, `start from builtin:${b.name}`));
  const name = el('input', { id: 'editor-name', value: 'my-scenario.json', size: '18', title: 'the file name messages use' });
  const run = el('button', { id: 'editor-run' }, 'Run in Live');
  const save = el('button', { id: 'editor-save' }, 'Download');
  bar.append(from, name, run, save);
  const text = el('textarea', { id: 'editor-text', spellcheck: 'false', rows: '28' });
  const verdict = el('div', { id: 'editor-verdict', class: 'verdict' });
  root.append(bar, text, verdict);

  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  let timer = 0;
  let generation = 0;
  const check = async () => {
    const mine = ++generation;
    const source = text.value;
    let parsed: unknown;
    const lines: string[] = [];
    try {
      parsed = JSON.parse(source);
      if (!validate(parsed))
        for (const e of validate.errors ?? []) lines.push(`schema: ${e.instancePath.slice(1).replace(/\//g, '.') || '(top)'}: ${e.message}`);
    } catch (e) {
      lines.push(`JSON: ${(e as Error).message}`);
    }
    const r = await engine.call<{ error?: string }>('checkScenario', { scenario: source, origin: name.value });
    if (mine !== generation) return; // a newer keystroke's check is on its way
    verdict.dataset.ok = String(!r.error);
    verdict.innerHTML = '';
    verdict.append(el('div', { class: r.error ? 'bad' : 'ok', id: 'editor-error' }, r.error ?? `${name.value}: a valid scenario`));
    for (const l of lines.slice(0, 8)) verdict.append(el('div', { class: 'muted' }, l));
    run.disabled = Boolean(r.error);
    void parsed;
  };
  text.oninput = () => { clearTimeout(timer); timer = window.setTimeout(check, 150); };
  name.oninput = text.oninput;
  const load = (builtin: string) => {
    const b = builtins.find((x) => x.name === builtin);
    text.value = b ? b.json : '{}';
    check();
  };
  from.onchange = () => load(from.value);
  run.onclick = async () => {
    if (await live.open({ scenario: text.value, origin: name.value })) openLive();
  };
  save.onclick = () => {
    const a = el('a', { download: name.value, href: URL.createObjectURL(new Blob([text.value], { type: 'application/json' })) });
    document.body.append(a);
    a.click();
    a.remove();
  };
  load(from.value);
  return { root, setText: (t: string) => { text.value = t; check(); } };
}
