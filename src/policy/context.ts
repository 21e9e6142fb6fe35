/**
 * The request context: the condition keys a request carries and their values. Key names
 * are case-insensitive (`aws:SourceIp` = `AWS:SOURCEIP`, tag-key suffixes included), so
 * they are lowered once here. Values keep their case: the operator decides.
 */
import type { ContextLookup, ContextValue } from './types.js';

export type ContextInput = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

export class RequestContext implements ContextLookup {
  private readonly values = new Map<string, ContextValue>();
  /** The keys as the caller wrote them, for reports. */
  private readonly names = new Map<string, string>();

  constructor(values: ContextInput = {}) {
    for (const [k, v] of Object.entries(values)) if (v !== undefined) this.set(k, v);
  }

  set(key: string, value: string | number | boolean | readonly string[]): this {
    const lower = key.toLowerCase();
    this.values.set(lower, typeof value === 'object' ? value.map(String) : String(value));
    this.names.set(lower, key);
    return this;
  }

  delete(key: string): this {
    this.values.delete(key.toLowerCase());
    this.names.delete(key.toLowerCase());
    return this;
  }

  get(key: string): ContextValue | undefined {
    return this.values.get(key);
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  /** A copy with more (or replaced) keys: for a service's downstream call. */
  with(values: ContextInput): RequestContext {
    const next = new RequestContext();
    for (const [k, v] of this.values) next.set(this.names.get(k) ?? k, v);
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) next.delete(k);
      else next.set(k, v);
    }
    return next;
  }

  entries(): [string, ContextValue][] {
    return [...this.values].map(([k, v]) => [this.names.get(k) ?? k, v]);
  }
}
