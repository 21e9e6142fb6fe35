#!/usr/bin/env node
/**
 * The `gatehouse` command. `gatehouse serve` starts the server: AWS-compatible
 * endpoints on one port, state in SQLite under ./.gatehouse/ (or in memory).
 * `gatehouse accounts list` prints the accounts of a data folder with their root keys.
 * `gatehouse identity-center enable | sign-in` drive a running server (identity-center.ts).
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { Gatehouse, DEFAULT_ACCOUNT } from '../server/app.js';
import { join } from 'node:path';
import { listAccounts, type AccountSpec } from '../auth/accounts.js';
import { Credentials } from '../auth/credentials.js';
import { SecretBox } from '../auth/secrets.js';
import { Store } from '../store/index.js';
import { identityCenterCommands } from './identity-center.js';

/** `--accounts` takes a JSON file, or `id:accessKeyId:secret` entries separated by commas. */
function parseAccounts(value: string): AccountSpec[] {
  if (value.endsWith('.json')) return JSON.parse(readFileSync(value, 'utf8')) as AccountSpec[];
  return value.split(',').map((entry) => {
    const [id = '', accessKeyId = '', secretAccessKey = ''] = entry.split(':');
    return { id, accessKeyId, secretAccessKey };
  });
}

const program = new Command().name('gatehouse').description('A local, faithful emulator of AWS access control.');

program
  .command('serve')
  .description('start the server')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'port to listen on', '4566')
  .option('--data <dir>', 'data folder (SQLite and secret key)', './.gatehouse')
  .option('--in-memory', 'keep nothing on disk')
  .option('--region <region>', 'default region', 'us-east-1')
  .option('--accounts <spec>', 'more accounts: a JSON file, or id:key:secret[,id:key:secret...]')
  .option('--realistic-timing', 'AWS-like minutes for asynchronous states (Client VPN associations, directories) instead of fractions of a second')
  .action(async (opts: { host: string; port: string; data: string; inMemory?: boolean; region: string; accounts?: string; realisticTiming?: boolean }) => {
    const started = Date.now();
    const accounts = [DEFAULT_ACCOUNT, ...(opts.accounts ? parseAccounts(opts.accounts) : [])];
    const gatehouse = await Gatehouse.create({
      host: opts.host,
      port: Number(opts.port),
      ...(opts.inMemory ? {} : { dataDir: opts.data }),
      region: opts.region,
      accounts,
      ...(opts.realisticTiming ? { realisticTiming: true } : {}),
    });
    const port = await gatehouse.listen();
    console.log(
      JSON.stringify({
        level: 'info',
        msg: 'gatehouse listening',
        url: `http://${opts.host}:${port}`,
        data: opts.inMemory ? 'in-memory' : opts.data,
        accounts: accounts.map((a) => ({ id: a.id, accessKeyId: a.accessKeyId })),
        timing: opts.realisticTiming ? 'realistic' : 'fast',
        startupMs: Date.now() - started,
      }),
    );
    const stop = (): void => {
      void gatehouse.close().then(() => process.exit(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

program
  .command('accounts')
  .description('the accounts of a data folder')
  .command('list')
  .description('every account with its root keys (accounts Organizations created included), as JSON')
  .option('--data <dir>', 'data folder', './.gatehouse')
  .action(async (opts: { data: string }) => {
    const store = await Store.open(join(opts.data, 'gatehouse.db'));
    try {
      const credentials = new Credentials(SecretBox.open(join(opts.data, 'secret.key')));
      console.log(JSON.stringify({ Accounts: await listAccounts(store, credentials) }, null, 2));
    } finally {
      await store.close();
    }
  });

identityCenterCommands(program);

await program.parseAsync();
