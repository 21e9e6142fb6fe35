/**
 * Where log events are kept, and how pages of them are read.
 *
 * The choice: events are stored in chunks, records of up to 1,000 events (and 256 KiB of
 * messages), children of their stream, and the stream's record holds the chunk index
 * (each chunk's id, first and last key, size). Not a record per event: the store lists a
 * parent's children only in full, so paging through per-event records would read the
 * whole stream on every call; with chunks a page reads the index (one entry per thousand
 * events) and then only the one or two chunks that hold the page. A PutLogEvents batch
 * that continues the stream's last chunk fills it up first, so a stream written a few
 * events at a time (Client VPN's connection log) does not become a chunk per call.
 *
 * Every event has a key that orders it in its stream: its timestamp (15 digits of
 * milliseconds) and a sequence number given out by its log group (20 digits). Keys are
 * fixed-width decimal strings, so they compare as strings; they are unique across the
 * group's streams, so FilterLogEvents can page through several streams by key, and they
 * are the event ids and the GetLogEvents tokens AWS-style clients see.
 */
import { randomUUID } from 'node:crypto';
import { KIND, type ChunkRef } from './common.js';
import type { Tx } from '../../store/index.js';

/** `[key, timestamp, ingestionTime, message]`: compact, as a chunk holds a thousand of them. */
export type StoredEvent = readonly [key: string, timestamp: number, ingestionTime: number, message: string];

interface ChunkRecord {
  readonly events: StoredEvent[];
}

const TIME_DIGITS = 15;
const SEQ_DIGITS = 20;
export const KEY_DIGITS = TIME_DIGITS + SEQ_DIGITS;
/** Below every key (sequence numbers start at 1) and above every key. */
export const MIN_KEY = '0'.repeat(KEY_DIGITS);
export const MAX_KEY = '9'.repeat(KEY_DIGITS);

const CHUNK_EVENTS = 1000;
const CHUNK_BYTES = 256 * 1024;

/** The largest timestamp a key holds (about the year 33658); later ones are clamped (they are rejected as too new anyway). */
const clampTime = (t: number): number => Math.min(Math.max(0, Math.trunc(t)), 10 ** TIME_DIGITS - 1);

export const eventKey = (timestamp: number, seq: number): string => String(clampTime(timestamp)).padStart(TIME_DIGITS, '0') + String(seq).padStart(SEQ_DIGITS, '0');
/** The boundary before every event at `timestamp` (no event has sequence number 0). */
export const timeKey = (timestamp: number): string => eventKey(timestamp, 0);
/** The key `delta` away, within [MIN_KEY, MAX_KEY]: turns an exclusive bound into an inclusive one. */
export function shiftKey(key: string, delta: 1 | -1): string {
  const n = BigInt(key) + BigInt(delta);
  if (n < 0n) return MIN_KEY;
  const s = n.toString().padStart(KEY_DIGITS, '0');
  return s.length > KEY_DIGITS ? MAX_KEY : s;
}

export const messageBytes = (message: string): number => Buffer.byteLength(message, 'utf8');

/** Append events (in key order, after the stream's newest) and return the stream's new chunk index. */
export async function appendEvents(tx: Tx, account: string, streamId: string, chunks: readonly ChunkRef[], events: readonly StoredEvent[]): Promise<ChunkRef[]> {
  const out = [...chunks];
  let i = 0;
  const tail = out[out.length - 1];
  if (tail && events.length > 0 && tail.last < events[0]![0] && tail.count < CHUNK_EVENTS && tail.bytes < CHUNK_BYTES) {
    const taken = fill(events, 0, CHUNK_EVENTS - tail.count, CHUNK_BYTES - tail.bytes);
    const record = await tx.get<ChunkRecord>(account, KIND.chunk, tail.id);
    if (record) {
      const added = events.slice(0, taken);
      await tx.update<ChunkRecord>(account, KIND.chunk, tail.id, { events: [...record.events, ...added] });
      out[out.length - 1] = { ...tail, last: added[added.length - 1]![0], count: tail.count + added.length, bytes: tail.bytes + sizeOf(added) };
      i = taken;
    }
  }
  while (i < events.length) {
    const n = fill(events, i, CHUNK_EVENTS, CHUNK_BYTES);
    const part = events.slice(i, i + n);
    const id = randomUUID();
    await tx.insert<ChunkRecord>(account, KIND.chunk, id, { events: part }, { parent: streamId });
    out.push({ id, first: part[0]![0], last: part[part.length - 1]![0], count: part.length, bytes: sizeOf(part) });
    i += n;
  }
  return out;
}

/** How many events from `start` fit a chunk with this room left (at least one). */
function fill(events: readonly StoredEvent[], start: number, maxEvents: number, maxBytes: number): number {
  let n = 0;
  let bytes = 0;
  while (start + n < events.length && n < maxEvents) {
    bytes += messageBytes(events[start + n]![3]);
    if (n > 0 && bytes > maxBytes) break;
    n++;
  }
  return Math.max(1, n);
}

const sizeOf = (events: readonly StoredEvent[]): number => events.reduce((n, e) => n + messageBytes(e[3]), 0);
const byKey = (a: StoredEvent, b: StoredEvent): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

export async function deleteStreamEvents(tx: Tx, account: string, streamId: string): Promise<void> {
  await tx.deleteChildren(account, KIND.chunk, streamId);
}

/**
 * The first `limit` events with `after < key < before` (that `keep` accepts), in key
 * order. Chunks are read in order of their first key, and reading stops once the next
 * chunk cannot hold anything earlier than what the page already has (chunks overlap only
 * when a batch went back in time).
 */
export async function readForward(tx: Tx, account: string, chunks: readonly ChunkRef[], after: string, before: string, limit: number, keep?: (e: StoredEvent) => boolean): Promise<StoredEvent[]> {
  const candidates = chunks.filter((c) => c.last > after && c.first < before).sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  let out: StoredEvent[] = [];
  for (const c of candidates) {
    if (out.length >= limit && c.first > out[limit - 1]![0]) break;
    const record = await tx.get<ChunkRecord>(account, KIND.chunk, c.id);
    const ordered = out.length === 0 || out[out.length - 1]![0] < c.first;
    for (const e of record?.events ?? []) if (e[0] > after && e[0] < before && (!keep || keep(e))) out.push(e);
    if (!ordered) out.sort(byKey);
    if (out.length > limit) out = out.slice(0, limit);
  }
  return out;
}

/** The last `limit` events with `after < key < before`, in key order: the same walk from the other end. */
export async function readBackward(tx: Tx, account: string, chunks: readonly ChunkRef[], before: string, after: string, limit: number): Promise<StoredEvent[]> {
  const candidates = chunks.filter((c) => c.first < before && c.last > after).sort((a, b) => (a.last > b.last ? -1 : a.last < b.last ? 1 : 0));
  let out: StoredEvent[] = [];
  for (const c of candidates) {
    if (out.length >= limit && c.last < out[out.length - limit]![0]) break;
    const record = await tx.get<ChunkRecord>(account, KIND.chunk, c.id);
    for (const e of record?.events ?? []) if (e[0] > after && e[0] < before) out.push(e);
    out.sort(byKey);
    if (out.length > limit) out = out.slice(out.length - limit);
  }
  return out;
}
