/**
 * The store interface every service persists through. Records are plain JSON objects
 * grouped by account and kind; names are unique per account and kind regardless of
 * case (as IAM's are). A mutation runs inside `transaction()`: all of it commits, or
 * none of it does.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { openDatabase, type Schema } from './db.js';
import type Database from 'better-sqlite3';

export interface PutOptions {
  /** A name unique (case-insensitively) within the account and kind. */
  readonly name?: string;
  readonly parent?: string;
}

export interface ListOptions {
  readonly parent?: string;
}

/** Reads and writes; inside a transaction they are atomic together. */
export interface Tx {
  get<T>(account: string, kind: string, id: string): Promise<T | undefined>;
  getByName<T>(account: string, kind: string, name: string): Promise<T | undefined>;
  /** In creation order. */
  list<T>(account: string, kind: string, options?: ListOptions): Promise<T[]>;
  count(account: string, kind: string, options?: ListOptions): Promise<number>;
  /** Named records in name order (case-insensitive), after a name key: keyset paging. */
  listByName<T>(account: string, kind: string, options: { readonly after?: string; readonly limit: number }): Promise<T[]>;
  /** Insert; throws DuplicateError when the id or the name is taken. */
  insert<T>(account: string, kind: string, id: string, data: T, options?: PutOptions): Promise<void>;
  /** Replace an existing record (keeps its place in creation order). */
  update<T>(account: string, kind: string, id: string, data: T): Promise<void>;
  delete(account: string, kind: string, id: string): Promise<boolean>;
  deleteChildren(account: string, kind: string, parent: string): Promise<number>;
  /** Every account that has a record of this kind (for cross-account lookups). */
  accountsWith(kind: string, id: string): Promise<string[]>;
  /**
   * Run `fn` so that, if it throws, what it wrote is undone and the rest of the
   * transaction stands (an SQL savepoint): an asynchronous task that fails part-way
   * (IAM Identity Center provisioning a role) records its failure without its half-work.
   * Outside a transaction `fn` simply runs.
   */
  savepoint<R>(fn: () => Promise<R>): Promise<R>;
}

export interface EventRecord {
  readonly eventId: string;
  readonly account: string;
  readonly eventTime: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly readOnly: boolean;
  readonly username?: string;
  readonly accessKeyId?: string;
  readonly resources?: readonly { readonly type?: string; readonly name: string }[];
  /** False for a data event; true (the default) for a management event. */
  readonly management?: boolean;
  readonly event: object;
}

export interface EventQuery {
  readonly account: string;
  readonly start?: Date;
  readonly end?: Date;
  readonly attribute?: { readonly key: string; readonly value: string };
  /** Events older than this cursor (exclusive): `eventTime|eventId`. */
  readonly before?: string;
  readonly limit: number;
  /** Management events (event history, the default) or data events. */
  readonly category?: 'Management' | 'Data';
}

export class DuplicateError extends Error {}

function eventRow(e: EventRecord) {
  return {
        event_id: e.eventId,
        account: e.account,
        event_time: e.eventTime,
        event_name: e.eventName,
        event_source: e.eventSource,
        read_only: e.readOnly ? 1 : 0,
        username: e.username ?? null,
        access_key_id: e.accessKeyId ?? null,
        resource_names: e.resources?.length ? `\n${e.resources.map((r) => r.name).join('\n')}\n` : null,
        resource_types: e.resources?.length ? `\n${e.resources.map((r) => r.type ?? '').join('\n')}\n` : null,
        management: e.management === false ? 0 : 1,
        data: JSON.stringify(e.event),
      };
}

let savepoints = 0;

class KyselyTx implements Tx {
  constructor(
    protected readonly db: Kysely<Schema> | Transaction<Schema>,
    private readonly inTransaction = false,
  ) {}

  async savepoint<R>(fn: () => Promise<R>): Promise<R> {
    if (!this.inTransaction) return fn();
    const name = sql.id(`gh_sp_${++savepoints}`);
    await sql`savepoint ${name}`.execute(this.db);
    try {
      const result = await fn();
      await sql`release savepoint ${name}`.execute(this.db);
      return result;
    } catch (e) {
      await sql`rollback to savepoint ${name}`.execute(this.db);
      await sql`release savepoint ${name}`.execute(this.db);
      throw e;
    }
  }

  async get<T>(account: string, kind: string, id: string): Promise<T | undefined> {
    const row = await this.db.selectFrom('entities').select('data').where('account', '=', account).where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
    return row ? (JSON.parse(row.data) as T) : undefined;
  }

  async getByName<T>(account: string, kind: string, name: string): Promise<T | undefined> {
    const row = await this.db
      .selectFrom('entities')
      .select('data')
      .where('account', '=', account)
      .where('kind', '=', kind)
      .where('name_key', '=', name.toLowerCase())
      .executeTakeFirst();
    return row ? (JSON.parse(row.data) as T) : undefined;
  }

  async list<T>(account: string, kind: string, options: ListOptions = {}): Promise<T[]> {
    let q = this.db.selectFrom('entities').select('data').where('account', '=', account).where('kind', '=', kind);
    if (options.parent !== undefined) q = q.where('parent', '=', options.parent);
    const rows = await q.orderBy('seq').execute();
    return rows.map((r) => JSON.parse(r.data) as T);
  }

  async listByName<T>(account: string, kind: string, options: { readonly after?: string; readonly limit: number }): Promise<T[]> {
    let q = this.db.selectFrom('entities').select('data').where('account', '=', account).where('kind', '=', kind).where('name_key', 'is not', null);
    if (options.after !== undefined) q = q.where('name_key', '>', options.after);
    const rows = await q.orderBy('name_key').limit(options.limit).execute();
    return rows.map((r) => JSON.parse(r.data) as T);
  }

  async count(account: string, kind: string, options: ListOptions = {}): Promise<number> {
    let q = this.db.selectFrom('entities').select((eb) => eb.fn.countAll<number>().as('n')).where('account', '=', account).where('kind', '=', kind);
    if (options.parent !== undefined) q = q.where('parent', '=', options.parent);
    const row = await q.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insert<T>(account: string, kind: string, id: string, data: T, options: PutOptions = {}): Promise<void> {
    try {
      await this.db
        .insertInto('entities')
        .values({ account, kind, id, name_key: options.name?.toLowerCase() ?? null, parent: options.parent ?? null, data: JSON.stringify(data), created: new Date().toISOString() })
        .execute();
    } catch (e) {
      if (e instanceof Error && /UNIQUE constraint failed/.test(e.message)) throw new DuplicateError(`${kind} ${id} exists`);
      throw e;
    }
  }

  async update<T>(account: string, kind: string, id: string, data: T): Promise<void> {
    await this.db.updateTable('entities').set({ data: JSON.stringify(data) }).where('account', '=', account).where('kind', '=', kind).where('id', '=', id).execute();
  }

  async delete(account: string, kind: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('entities').where('account', '=', account).where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async deleteChildren(account: string, kind: string, parent: string): Promise<number> {
    const r = await this.db.deleteFrom('entities').where('account', '=', account).where('kind', '=', kind).where('parent', '=', parent).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async accountsWith(kind: string, id: string): Promise<string[]> {
    const rows = await this.db.selectFrom('entities').select('account').where('kind', '=', kind).where('id', '=', id).execute();
    return rows.map((r) => r.account);
  }
}

export class Store extends KyselyTx {
  private constructor(
    private readonly kysely: Kysely<Schema>,
    private readonly sqlite: Database.Database,
    /**
     * CloudTrail events live in a database of their own: their batch writes never wait
     * for, or hold up, a request's transaction, and they skip the per-commit fsync that
     * acknowledged API writes get (CloudTrail delivers events late in AWS too).
     */
    private readonly trail: Kysely<Schema>,
    private readonly trailSqlite: Database.Database,
  ) {
    super(kysely);
  }

  static async open(file: string): Promise<Store> {
    const { db, sqlite } = await openDatabase({ file });
    const trailFile = file === ':memory:' ? ':memory:' : `${file.replace(/\.db$/, '')}-trail.db`;
    const trail = await openDatabase({ file: trailFile, synchronous: 'NORMAL' });
    return new Store(db, sqlite, trail.db, trail.sqlite);
  }

  /** Run `fn` atomically: all its writes commit together, or none do. */
  async transaction<R>(fn: (tx: Tx) => Promise<R>): Promise<R> {
    return this.kysely.transaction().execute((trx) => fn(new KyselyTx(trx, true)));
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = await this.kysely.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.kysely.insertInto('meta').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
  }

  /**
   * Write CloudTrail events in small transactions, yielding to the event loop between
   * them: better-sqlite3 is synchronous, so one large batch would stall every request.
   */
  async putEvents(events: readonly EventRecord[]): Promise<void> {
    const CHUNK = 25;
    for (let i = 0; i < events.length; i += CHUNK) {
      const chunk = events.slice(i, i + CHUNK);
      // One multi-row INSERT a chunk: a statement per event cost as much as the events' JSON.
      await this.trail.insertInto('events').values(chunk.map(eventRow)).execute();
      if (i + CHUNK < events.length) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Newest first. */
  async queryEvents(q: EventQuery): Promise<{ event: object; cursor: string; username: string | null }[]> {
    let s = this.trail
      .selectFrom('events')
      .select(['data', 'event_time', 'event_id', 'username'])
      .where('account', '=', q.account)
      .where('management', '=', q.category === 'Data' ? 0 : 1);
    if (q.start) s = s.where('event_time', '>=', q.start.toISOString());
    if (q.end) s = s.where('event_time', '<=', q.end.toISOString());
    if (q.before) {
      const [time = '', id = ''] = q.before.split('|');
      s = s.where((eb) => eb.or([eb('event_time', '<', time), eb.and([eb('event_time', '=', time), eb('event_id', '<', id)])]));
    }
    const a = q.attribute;
    if (a) {
      switch (a.key) {
        case 'EventName':
          s = s.where('event_name', '=', a.value);
          break;
        case 'EventSource':
          s = s.where('event_source', '=', a.value);
          break;
        case 'ReadOnly':
          s = s.where('read_only', '=', a.value === 'true' ? 1 : 0);
          break;
        case 'Username':
          s = s.where('username', '=', a.value);
          break;
        case 'AccessKeyId':
          s = s.where('access_key_id', '=', a.value);
          break;
        case 'EventId':
          s = s.where('event_id', '=', a.value);
          break;
        case 'ResourceName':
          s = s.where(sql<boolean>`instr(resource_names, ${`\n${a.value}\n`}) > 0`);
          break;
        case 'ResourceType':
          s = s.where(sql<boolean>`instr(resource_types, ${`\n${a.value}\n`}) > 0`);
          break;
      }
    }
    const rows = await s.orderBy('event_time', 'desc').orderBy('event_id', 'desc').limit(q.limit).execute();
    return rows.map((r) => ({ event: JSON.parse(r.data) as object, cursor: `${r.event_time}|${r.event_id}`, username: r.username }));
  }

  /** Drop everything (the root-only reset endpoint). */
  async reset(): Promise<void> {
    await this.kysely.transaction().execute(async (trx) => {
      await trx.deleteFrom('entities').execute();
      await trx.deleteFrom('meta').execute();
    });
    await this.trail.deleteFrom('events').execute();
  }

  async close(): Promise<void> {
    await this.kysely.destroy();
    await this.trail.destroy();
    if (this.sqlite.open) this.sqlite.close();
    if (this.trailSqlite.open) this.trailSqlite.close();
  }
}
