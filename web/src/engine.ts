// The page's side of the engine: calls to the worker, answered as promises.
export interface Snapshot {
  generation: number; now_s: number; end_s: number; interval_s: number;
  running: boolean; finished: boolean; speed: number; realtime_factor: number; events: number;
  stack: {
    busy_workers: number[]; app_queue: number[]; app_in_pool: boolean[];
    cache_items: number[]; cache_up: boolean[]; gutter_nodes: number;
    old_cache_items: number[]; db_busy: number; db_queue: number; strategy: string;
  };
  workers: number; db_connections: number; local_cache: boolean; edge: boolean;
  totals: any; db_queries_per_s: number; sample: number; in_flight_all: number;
  message: string; fault: string; followed: number | null;
  timeline_begins_late: boolean; timeline_done: boolean; anomalies_dropped: number;
  intervals: Interval[]; anomalies: Anomaly[]; markers: { kind: string; at_s: number }[];
  in_flight: InFlight[]; timeline: TimelineEntry[];
  error?: string;
}
export interface Interval {
  start_s: number; end_s: number; arrivals: number; page_views: number; submits: number;
  db_reads: number; db_writes: number; cache_gets: number; cache_hits: number;
  stale_reads: number; redundant_db_reads: number; cas_conflicts: number; lost_updates: number;
  evictions: number; db_queue: number; db_queue_max: number; db_utilization: number;
  app_backlog: number; view_p50_ms: number; view_p99_ms: number; db_issued: number;
}
export interface Anomaly {
  kind: string; at_s: number; request: number; key: number; post: number;
  cause_request: number | null; cause_at_s: number | null; from_old_tier: boolean; explanation: string;
}
export interface InFlight {
  request: number; from_s: number; until_s: number | null; server: number; node: number;
  activity: string; op: string; shade: string;
}
export interface TimelineEntry { lane: string; at_s: number; until_s: number | null; what: string; anomaly: boolean }

export class Engine {
  private worker: Worker;
  private next = 1;
  private pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  readonly ready: Promise<void>;

  constructor() {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'classic' });
    this.worker.onmessage = (event: MessageEvent) => {
      const { id, result, error } = event.data;
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      if (error !== undefined) p.reject(new Error(error));
      else p.resolve(result);
    };
    const url = new URL('engine/stampede_engine.js', document.baseURI).href;
    this.ready = this.call<boolean>('init', url).then(() => undefined);
  }

  call<T>(call: string, ...args: unknown[]): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, call, args });
    });
  }
}
