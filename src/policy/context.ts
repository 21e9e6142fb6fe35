/**
 * The request context: the condition keys a request carries and their values. Key names
 * are case-insensitive (`aws:SourceIp` = `AWS:SOURCEIP`, tag-key suffixes included), so
 * they are lowered once here. Values keep their case: the operator decides.
 *
 * A context is built for every request, so construction is kept lean: the lower-cased
 * form of a key name is cached (the same few hundred names recur), and the names as
 * written are kept in a plain list, only read by entries() and with().
 */
import { lower } from './lower.js';
import type { ContextLookup, ContextValue } from './types.js';

export type ContextInput = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

function toValue(value: string | number | boolean | readonly unknown[]): ContextValue {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object') return String(value);
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'string') return value.map(String);
  return value as readonly string[];
}

export class RequestContext implements ContextLookup {
  private readonly values = new Map<string, ContextValue>();
  /** The key names as written: the constructor's input, then any set() later, in order. */
  private readonly source: ContextInput;
  private later: string[] | undefined;

  constructor(values: ContextInput = {}) {
    this.source = values;
    const map = this.values;
    for (const k in values) {
      const v = values[k];
      if (v !== undefined) map.set(lower(k), typeof v === 'string' ? v : toValue(v));
    }
  }

  set(key: string, value: string | number | boolean | readonly string[]): this {
    this.values.set(lower(key), toValue(value));
    (this.later ??= []).push(key);
    return this;
  }

  delete(key: string): this {
    this.values.delete(lower(key));
    return this;
  }

  get(key: string): ContextValue | undefined {
    return this.values.get(key);
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  /** The keys and values, under the names as last written. */
  entries(): [string, ContextValue][] {
    const names = new Map<string, string>();
    for (const k in this.source) names.set(lower(k), k);
    for (const k of this.later ?? []) names.set(lower(k), k);
    return [...this.values].map(([k, v]) => [names.get(k) ?? k, v]);
  }

  /** A copy with more (or replaced, or with `undefined` removed) keys: for a service's downstream call. */
  with(values: ContextInput): RequestContext {
    const next = new RequestContext();
    for (const [k, v] of this.entries()) next.set(k, v);
    for (const k in values) {
      const v = values[k];
      if (v === undefined) next.delete(k);
      else next.set(k, v);
    }
    return next;
  }
}
