/**
 * The database: SQLite through better-sqlite3 (WAL), behind Kysely so the same queries
 * can later run on PostgreSQL. Schema changes are numbered migrations applied at start.
 *
 * Durability: WAL with `synchronous = FULL`, so a commit is on disk before the request
 * that made it is acknowledged; a SIGKILL or a machine crash at any point loses no
 * acknowledged write, and an unfinished transaction leaves nothing behind.
 */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type Generated } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface EntityTable {
  account: string;
  /** The resource family: `iam:user`, `iam:role`, `ec2:vpc`... */
  kind: string;
  /** Unique within the account and kind: an id, an ARN or a lower-cased name. */
  id: string;
  /** Lower-cased name for case-insensitive lookups (IAM names are unique regardless of case). */
  name_key: string | null;
  /** The owning entity (a policy's versions, a user's access keys...). */
  parent: string | null;
  /** The record as JSON. */
  data: string;
  created: string;
  seq: Generated<number>;
}

export interface EventTable {
  event_id: string;
  account: string;
  event_time: string;
  event_name: string;
  event_source: string;
  read_only: number;
  username: string | null;
  access_key_id: string | null;
  resource_names: string | null;
  resource_types: string | null;
  /** 1 for a management event, 0 for a data event (never in event history). */
  management: Generated<number>;
  data: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Schema {
  entities: EntityTable;
  events: EventTable;
  meta: MetaTable;
}

const MIGRATIONS: readonly ((db: Kysely<Schema>) => Promise<void>)[] = [
  async (db) => {
    await db.schema
      .createTable('entities')
      .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('account', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('name_key', 'text')
      .addColumn('parent', 'text')
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('entities_id').unique().on('entities').columns(['account', 'kind', 'id']).execute();
    await db.schema.createIndex('entities_name').unique().on('entities').columns(['account', 'kind', 'name_key']).execute();
    await db.schema.createIndex('entities_parent').on('entities').columns(['account', 'kind', 'parent']).execute();
    await db.schema
      .createTable('events')
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      .addColumn('account', 'text', (c) => c.notNull())
      .addColumn('event_time', 'text', (c) => c.notNull())
      .addColumn('event_name', 'text', (c) => c.notNull())
      .addColumn('event_source', 'text', (c) => c.notNull())
      .addColumn('read_only', 'integer', (c) => c.notNull())
      .addColumn('username', 'text')
      .addColumn('access_key_id', 'text')
      .addColumn('resource_names', 'text')
      .addColumn('resource_types', 'text')
      .addColumn('data', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('events_time').on('events').columns(['account', 'event_time']).execute();
    await db.schema.createTable('meta').addColumn('key', 'text', (c) => c.primaryKey()).addColumn('value', 'text', (c) => c.notNull()).execute();
  },
  // CloudTrail data events (Lambda's Invoke) are kept apart from event history.
  async (db) => {
    await db.schema.alterTable('events').addColumn('management', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  },
];

export interface OpenOptions {
  /** A file path, or `:memory:`. */
  readonly file: string;
  /**
   * `FULL` (the default): a commit is on disk before it is acknowledged. `NORMAL`: a
   * commit survives a killed process but not a machine crash; for the CloudTrail log,
   * which AWS itself delivers late.
   */
  readonly synchronous?: 'FULL' | 'NORMAL';
}

export async function openDatabase({ file, synchronous = 'FULL' }: OpenOptions): Promise<{ db: Kysely<Schema>; sqlite: Database.Database }> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${synchronous}`);
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // Kysely prepares every query anew, and preparing was a fifth of an authorization's cost
  // after an IAM write (bench/api.ts): better-sqlite3 statements are reusable, so keep them.
  // (Safe while nothing streams: a statement being iterated could not be run again.)
  const statements = new Map<string, Database.Statement>();
  const database = {
    close: (): void => void sqlite.close(),
    prepare: (text: string): Database.Statement => {
      let statement = statements.get(text);
      if (!statement) {
        if (statements.size >= 1000) statements.clear();
        statements.set(text, (statement = sqlite.prepare(text)));
      }
      return statement;
    },
  };
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database }) });
  await sql`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`.execute(db);
  const row = await sql<{ version: number }>`SELECT version FROM schema_version`.execute(db);
  let version = row.rows[0]?.version ?? 0;
  if (row.rows.length === 0) await sql`INSERT INTO schema_version (version) VALUES (0)`.execute(db);
  for (; version < MIGRATIONS.length; version++) {
    await db.transaction().execute(async (trx) => {
      await MIGRATIONS[version]!(trx);
      await sql`UPDATE schema_version SET version = ${version + 1}`.execute(trx);
    });
  }
  return { db, sqlite };
}
