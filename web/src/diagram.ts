// The stack drawn at one instant: users, the balancer, app servers, the
// memcached tier (and a migration's old tier), the database, and a dot for
// every request activity in the snapshot's in-flight list, where it is at
// that instant. The same rule as the window's diagram: a frame draws only
// what the snapshot it was given holds, so every dot is true at its time.
import type { InFlight, Snapshot } from './engine';

export const SHADES: Record<string, string> = {
  view: '#4a78c2', submit: '#e08a1e', call: '#9aa5b1', hit: '#2f9e44', miss: '#d9480f',
  stale: '#9c36b5', write: '#1098ad', conflict: '#e03131', db_read: '#5c7cfa', insert: '#f08c00',
};

interface Box { x: number; y: number; w: number; h: number }
export interface DrawnDot { x: number; y: number; request: number }

function lerp(a: number, b: number, f: number) { return a + (b - a) * f; }

export class Diagram {
  readonly canvas: HTMLCanvasElement;
  dots: DrawnDot[] = [];

  constructor(canvas: HTMLCanvasElement) { this.canvas = canvas; }

  /// Boxes for this snapshot's stack, in canvas pixels.
  private layout(s: Snapshot, w: number, h: number) {
    const servers = s.stack.busy_workers.length;
    const nodes = s.stack.cache_items.length;
    const old = s.stack.old_cache_items.length;
    const column = (count: number, x: number, bw: number, top = 40, bottom = h - 20) => {
      const gap = 8;
      const bh = Math.min(70, (bottom - top - gap * (count - 1)) / Math.max(count, 1));
      const total = count * bh + (count - 1) * gap;
      const y0 = top + (bottom - top - total) / 2;
      return Array.from({ length: count }, (_, i) => ({ x, y: y0 + i * (bh + gap), w: bw, h: bh }));
    };
    return {
      users: { x: w * 0.01, y: h / 2 - 30, w: w * 0.1, h: 60 },
      balancer: { x: w * 0.13, y: h / 2 - 25, w: w * 0.11, h: 50 },
      servers: column(servers, w * 0.27, w * 0.17),
      nodes: column(nodes + old, w * 0.58, w * 0.14),
      oldFrom: nodes,
      db: { x: w * 0.82, y: h / 2 - 70, w: w * 0.15, h: 140 },
    };
  }

  draw(s: Snapshot) {
    const dpr = window.devicePixelRatio || 1;
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
    }
    const g = this.canvas.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const L = this.layout(s, w, h);
    const box = (b: Box, title: string, detail: string, fill: string, dashed = false) => {
      g.fillStyle = fill;
      g.strokeStyle = '#495057';
      g.lineWidth = 1.5;
      g.setLineDash(dashed ? [5, 4] : []);
      g.beginPath();
      g.roundRect(b.x, b.y, b.w, b.h, 6);
      g.fill();
      g.stroke();
      g.setLineDash([]);
      g.fillStyle = '#212529';
      g.font = `bold ${b.w < 90 ? 11 : 13}px system-ui, sans-serif`;
      g.fillText(title, b.x + 6, b.y + 16);
      g.font = `${b.w < 90 ? 10 : 12}px system-ui, sans-serif`;
      g.fillStyle = '#495057';
      detail.split('\n').forEach((line, i) => g.fillText(line, b.x + 6, b.y + 31 + i * 14));
    };
    // Wires first, boxes over them.
    g.strokeStyle = '#ced4da';
    g.lineWidth = 1;
    const mid = (b: Box) => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });
    const wire = (a: Box, b: Box) => {
      g.beginPath();
      g.moveTo(a.x + a.w, mid(a).y);
      g.lineTo(b.x, mid(b).y);
      g.stroke();
    };
    wire(L.users, L.balancer);
    for (const sv of L.servers) {
      wire(L.balancer, sv);
      for (const n of L.nodes) wire(sv, n);
      wire(sv, L.db);
    }
    box(L.users, 'Users', `${s.totals?.requests?.page_views ?? 0} views`, '#f8f9fa');
    box(L.balancer, 'Balancer', s.stack.strategy, '#f8f9fa');
    L.servers.forEach((b, i) => box(b, `App ${i}${s.stack.app_in_pool[i] ? '' : ' (out)'}`,
      `${s.stack.busy_workers[i]}/${s.workers} busy\n${s.stack.app_queue[i]} waiting`, '#e7f5ff'));
    L.nodes.forEach((b, i) => {
      const old = i >= L.oldFrom;
      const k = old ? i - L.oldFrom : i;
      const gutter = !old && k >= s.stack.cache_items.length - s.stack.gutter_nodes;
      const items = old ? s.stack.old_cache_items[k] : s.stack.cache_items[k];
      const up = old || s.stack.cache_up[k];
      box(b, `${old ? 'old ' : gutter ? 'gutter ' : ''}memcached ${k}`, up ? `${items} items` : 'DOWN',
        old ? '#f1f3f5' : up ? '#ebfbee' : '#ffe3e3', old);
    });
    box(L.db, 'Database', `${s.stack.db_busy}/${s.db_connections} busy\n${s.stack.db_queue} queued\n` +
      `${Math.round(s.db_queries_per_s)} ${Math.round(s.db_queries_per_s) === 1 ? 'query' : 'queries'}/s`, '#fff4e6');

    // The dots: where each activity is at s.now_s.
    this.dots = [];
    const perBox = new Map<string, number>();
    const slot = (key: string) => { const n = perBox.get(key) ?? 0; perBox.set(key, n + 1); return n; };
    const inGrid = (b: Box, n: number) => {
      const cols = Math.max(1, Math.floor((b.w - 12) / 9));
      return { x: b.x + 8 + (n % cols) * 9, y: b.y + b.h - 8 - Math.floor(n / cols) * 9 };
    };
    for (const f of s.in_flight) {
      const server = L.servers[f.server] ?? L.servers[0];
      let p: { x: number; y: number };
      if (f.activity === 'cache_call' && f.node >= 0 && L.nodes[f.node]) {
        p = this.travel(f, s.now_s, server, L.nodes[f.node]);
      } else if (f.activity === 'db_running') {
        p = inGrid(L.db, slot('db')); // one dot a busy connection
      } else if (f.activity === 'db_queued') {
        // Queued queries below the database, in blocks of 8 columns that
        // move left when a block is as tall as the room below it.
        const n = slot('dbq');
        const rows = Math.max(1, Math.floor((h - (L.db.y + L.db.h + 12)) / 9));
        const block = Math.floor(n / (8 * rows));
        p = { x: L.db.x + L.db.w - 6 - (n % 8) * 9 - block * 78, y: L.db.y + L.db.h + 8 + (Math.floor(n / 8) % rows) * 9 };
      } else {
        p = inGrid(server, slot(`s${f.server}`));
      }
      g.fillStyle = SHADES[f.shade] ?? '#868e96';
      g.beginPath();
      g.arc(p.x, p.y, 3.5, 0, Math.PI * 2);
      g.fill();
      if (s.followed === f.request) {
        g.strokeStyle = '#000';
        g.lineWidth = 2;
        g.beginPath();
        g.arc(p.x, p.y, 7, 0, Math.PI * 2);
        g.stroke();
      }
      this.dots.push({ x: p.x, y: p.y, request: f.request });
    }
    this.canvas.dataset.dots = String(this.dots.length);
    this.canvas.dataset.at = String(s.now_s);
  }

  /// A call out and back: the first half of its time on the way there, the
  /// second on the way back.
  private travel(f: InFlight, now: number, from: Box, to: Box) {
    const span = f.until_s === null ? 0 : f.until_s - f.from_s;
    const t = span > 0 ? Math.min(1, Math.max(0, (now - f.from_s) / span)) : 0.5;
    const a = { x: from.x + from.w, y: from.y + from.h / 2 };
    const b = { x: to.x, y: to.y + to.h / 2 };
    const there = t < 0.5;
    const k = there ? t * 2 : 2 - t * 2;
    return { x: lerp(a.x, b.x, k), y: lerp(a.y, b.y, k) + (there ? -3 : 3) };
  }

  /// @return the request whose dot is under (x, y), if any.
  hit(x: number, y: number): number | null {
    let best: DrawnDot | null = null;
    let bestD = 64;
    for (const d of this.dots) {
      const dd = (d.x - x) ** 2 + (d.y - y) ** 2;
      if (dd < bestD) { bestD = dd; best = d; }
    }
    return best ? best.request : null;
  }
}
