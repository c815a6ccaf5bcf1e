// The engine's thread: the WebAssembly module runs here, never on the page's
// thread, so the page draws while a run, a compare or a sweep computes (the
// window's rule: the UI never blocks). Calls arrive as {id, call, args} and
// are answered with {id, result} or {id, error}; the module's JSON answers
// are parsed here.
/// <reference lib="webworker" />

type Module = Record<string, any>;
let engine: Module | null = null;
let live: any = null;

const json = (text: string) => JSON.parse(text);

const calls: Record<string, (...args: any[]) => unknown> = {
  builtins: () => json(engine!.builtins()),
  strategies: () => json(engine!.strategies()),
  schema: () => json(engine!.schema()),
  reportPaths: () => json(engine!.reportPaths()),
  lessons: () => json(engine!.lessons()),
  checkScenario: (r: object) => json(engine!.checkScenario(JSON.stringify(r))),
  runReport: (r: object) => engine!.runReport(JSON.stringify(r)), // the text, as the CLI writes it
  compareTable: (r: object) => json(engine!.compareTable(JSON.stringify(r))),
  sweep: (r: object) => json(engine!.sweep(JSON.stringify(r))),
  explore: (r: object) => json(engine!.explore(JSON.stringify(r))),
  lessonCheck: (r: object) => json(engine!.lessonCheck(JSON.stringify(r))),
  // The live run: one at a time.
  open: (r: object) => {
    live?.delete();
    live = new engine!.LiveRun(JSON.stringify(r));
    const error = live.error();
    return error ? { error } : json(live.snapshot());
  },
  control: (method: string, ...args: unknown[]) => {
    if (!live) return null;
    live[method](...args);
    return json(live.snapshot());
  },
  frame: (wallElapsed: number, budget: number) => {
    if (!live) return null;
    live.advance(wallElapsed, budget);
    return json(live.snapshot());
  },
};

self.onmessage = async (event: MessageEvent) => {
  const { id, call, args } = event.data;
  if (call === 'init') {
    const url: string = args[0];
    try {
      importScripts(url);
      const base = url.slice(0, url.lastIndexOf('/') + 1);
      engine = await (self as any).createStampede({ locateFile: (f: string) => base + f });
      postMessage({ id, result: true });
    } catch (e) {
      postMessage({ id, error: `the engine did not load: ${e}` });
    }
    return;
  }
  try {
    postMessage({ id, result: calls[call](...args) });
  } catch (e) {
    postMessage({ id, error: String(e) });
  }
};
