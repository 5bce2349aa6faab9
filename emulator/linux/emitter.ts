// A small typed event emitter (no dependency on node:events so the library also bundles for a browser).

export type Listener<T> = (event: T) => void;

export class Emitter<Events extends { [K in keyof Events]: unknown }> {
  private readonly listeners: { [K in keyof Events]?: Listener<Events[K]>[] } = {};

  on<K extends keyof Events>(name: K, fn: Listener<Events[K]>): this {
    (this.listeners[name] ??= []).push(fn);
    return this;
  }

  off<K extends keyof Events>(name: K, fn: Listener<Events[K]>): this {
    const l = this.listeners[name];
    if (l) { const i = l.indexOf(fn); if (i >= 0) l.splice(i, 1); }
    return this;
  }

  once<K extends keyof Events>(name: K, fn: Listener<Events[K]>): this {
    const w: Listener<Events[K]> = e => { this.off(name, w); fn(e); };
    return this.on(name, w);
  }

  /** True when someone listens (lets callers skip building expensive events). */
  has<K extends keyof Events>(name: K): boolean {
    const l = this.listeners[name];
    return l !== undefined && l.length > 0;
  }

  protected emit<K extends keyof Events>(name: K, event: Events[K]): void {
    const l = this.listeners[name];
    if (!l) return;
    for (const fn of [...l]) fn(event);
  }
}
