// The charts beside the diagram (uPlot): database load, latency, anomalies,
// one point per interval the engine closed (Snapshot.intervals), kept until
// the run starts again.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Interval } from './engine';

interface Series { label: string; color: string; value: (i: Interval) => number }

const CHARTS: { title: string; series: Series[] }[] = [
  {
    title: 'Database queries per second',
    series: [
      { label: 'page queries', color: '#5c7cfa', value: (i) => i.db_reads / Math.max(i.end_s - i.start_s, 1e-9) },
      { label: 'inserts', color: '#f08c00', value: (i) => i.db_writes / Math.max(i.end_s - i.start_s, 1e-9) },
    ],
  },
  {
    title: 'Page view latency (ms)',
    series: [
      { label: 'p50', color: '#2f9e44', value: (i) => i.view_p50_ms },
      { label: 'p99', color: '#d9480f', value: (i) => i.view_p99_ms },
    ],
  },
  {
    title: 'Cache hit ratio',
    series: [{ label: 'hits / gets', color: '#2f9e44', value: (i) => (i.cache_gets > 0 ? i.cache_hits / i.cache_gets : NaN) }],
  },
  {
    title: 'Anomalies per interval',
    series: [
      { label: 'stale reads', color: '#9c36b5', value: (i) => i.stale_reads },
      { label: 'redundant DB reads', color: '#e8590c', value: (i) => i.redundant_db_reads },
      { label: 'lost updates', color: '#c92a2a', value: (i) => i.lost_updates },
      { label: 'CAS conflicts', color: '#1098ad', value: (i) => i.cas_conflicts },
    ],
  },
];

export class Charts {
  private plots: uPlot[] = [];
  private data: number[][][] = [];

  constructor(private host: HTMLElement) {
    for (const c of CHARTS) {
      const div = document.createElement('div');
      div.className = 'chart';
      host.appendChild(div);
      const data = [[], ...c.series.map(() => [])] as number[][];
      this.data.push(data);
      this.plots.push(new uPlot({
        title: c.title,
        width: 400,
        height: 150,
        scales: { x: { time: false } },
        axes: [{ label: 'simulated s', size: 30 }, { size: 50 }],
        legend: { show: true },
        series: [{ label: 't' }, ...c.series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5 }))],
      }, data as uPlot.AlignedData, div));
    }
    new ResizeObserver(() => this.resize(host)).observe(host);
  }

  /// Stacked beside the diagram (Live), or side by side under it (Lessons).
  private resize(host: HTMLElement) {
    if (host.clientWidth === 0) return;
    const row = getComputedStyle(host).display === 'flex';
    const n = CHARTS.length;
    const w = Math.max(160, (row ? Math.floor(host.clientWidth / n) : host.clientWidth) - 8);
    const h = Math.max(50, (row ? host.clientHeight : Math.floor(host.clientHeight / n)) - (row ? 80 : 62));
    for (const p of this.plots) p.setSize({ width: w, height: h });
  }

  clear() {
    for (let k = 0; k < this.plots.length; k++) {
      for (const arr of this.data[k]) arr.length = 0;
      this.plots[k].setData(this.data[k] as uPlot.AlignedData);
    }
    this.host.dataset.points = '0';
  }

  add(intervals: Interval[]) {
    if (intervals.length === 0) return;
    for (let k = 0; k < CHARTS.length; k++) {
      for (const i of intervals) {
        this.data[k][0].push(i.end_s);
        CHARTS[k].series.forEach((s, j) => this.data[k][j + 1].push(s.value(i)));
      }
      this.plots[k].setData(this.data[k] as uPlot.AlignedData);
    }
    this.host.dataset.points = String(this.data[0][0].length);
  }
}
