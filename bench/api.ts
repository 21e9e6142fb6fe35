/**
 * `npm run bench:api`: Gatehouse's HTTP API against moto_server, side by side, on the same
 * workloads, with SigV4-signed requests from one lean client.
 *
 * Both servers run as their own processes, as users run them: Gatehouse is
 * `node dist/src/cli/index.js serve --port P --data <tmpdir>` (enforcement is always on;
 * SQLite on disk, WAL, synchronous=FULL, so every write is fsynced before it is
 * acknowledged), moto is `python3 -m moto.server -H 127.0.0.1 -p P` (it enforces nothing
 * by default). The client is the same for both: requests signed by @smithy/signature-v4
 * with a node:crypto hash, sent over a keep-alive node:http agent, responses read but not
 * parsed. Latency is timed around the HTTP exchange only (signing is excluded, equally).
 * Besides requests/s and latency, each row shows the server process's CPU time per request
 * (/proc/<pid>/stat) and the client's: on a shared, noisy machine they move less than
 * throughput does. The fsync latency of the data folder is probed before and after: the
 * iam workload's writes each wait for one, on the event loop.
 *
 * Part 1, throughput and latency, sequentially and with 16 concurrent clients:
 *   iam: CreateRole (unique name, path /bench/) + GetRole + ListRoles(MaxItems=20)
 *   sts: GetCallerIdentity
 * Gatehouse is called twice over: as the account root (test/test), and as an IAM user with
 * two attached customer managed policies and an inline policy, so every decision evaluates
 * identity policies (and, in the iam workload, every CreateRole invalidates the cached
 * policy set: the next decision reloads and recompiles it from the store).
 * A third server is the floor: a node:http server that does no work (a fixed
 * GetCallerIdentity answer), driven by the same client on the sts workload. Its latency is
 * what the machine and the client cost by themselves; no server can do better here.
 * Rounds alternate between the servers; every figure is the median of ROUNDS rounds.
 * Between rounds the roles are cleared (untimed): moto with its reset endpoint, Gatehouse
 * with DeleteRole (its reset endpoint would also drop the seeded user). A round creates at
 * most 900 roles (Gatehouse enforces IAM's default quota of 1000 roles per account).
 *
 * Part 2, scale: an account with 10,000 roles and 20,000 customer managed policies, and a
 * user with 10 of them attached (plus an inline policy) that makes the calls.
 * These records are seeded directly into the server's SQLite file through Gatehouse's own
 * Store API, before the server starts (CreateRole refuses a 1001st role, as IAM does, and
 * 30,000 creations over the API would eat the time budget). Measured:
 *   - Authorizer.decide() in process, against that store, for the user: with the cached
 *     policy set (the common case) and right after an IAM write (cache dropped: the
 *     user's records and its 10 policies are read and compiled again);
 *   - end to end over HTTP against the server (GetRole on random roles, as the user), an
 *     upper bound of what authorization costs per call; ListRoles on 10,000 roles;
 *   - the server's RSS (VmRSS and its peak VmHWM from /proc/<pid>/status).
 *
 * The last line is `ratio vs moto: <N>x`: Gatehouse's throughput over moto's at 16 clients,
 * the minimum over the workloads and Gatehouse's two callers. Targets (>= 5x moto, p99 < 5 ms
 * at 16 clients, authorization p99 < 1 ms, RSS < 500 MB) are checked and misses listed; the
 * exit code stays 0 (this is a measurement, not a gate). BENCH_PARTS=1 or 2 runs one part.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../test/helpers/sign.js';
import { Store, type Tx } from '../src/store/index.js';
import { SecretBox } from '../src/auth/secrets.js';
import { Credentials, awsId, newSecret } from '../src/auth/credentials.js';
import { Authorizer, type RequestFacts } from '../src/auth/authorizer.js';
import { IamPolicySource } from '../src/services/iam/index.js';
import { iamChanged } from '../src/services/iam/policy-source.js';
import { KIND, type AccessKeyRecord, type ManagedPolicyRecord, type PolicyVersionRecord, type RoleRecord, type UserRecord } from '../src/services/iam/records.js';
import type { Caller } from '../src/auth/caller.js';
import { freePort } from '../test/helpers/server.js';

const ROUNDS = 5;
const FLOOR = 'floor (no-op server)';
const ROUND_MS = 1200;
const WARMUP_MS = 400;
const CONCURRENCY = 16;
const MAX_CREATES_PER_ROUND = 900;
const SCALE_ROLES = 10_000;
const SCALE_POLICIES = 20_000;
const SCALE_ATTACHED = 10;
const DECIDE_SAMPLES = 3000;
const DECIDE_MISS_SAMPLES = 600;
const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const ROOT: Keys = { accessKeyId: 'test', secretAccessKey: 'test' };
const CLI = join(import.meta.dirname, '..', 'src', 'cli', 'index.js');

interface Keys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

// -------------------------------------------------------------------------------------------
// The client: smithy's signer with a node:crypto hash, one keep-alive agent.


const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });

interface Reply {
  readonly status: number;
  readonly body: string;
  /** Milliseconds, request written to response read. */
  readonly ms: number;
}

class Client {
  private readonly signers = new Map<string, SignatureV4>();
  constructor(
    readonly port: number,
    private readonly keys: Keys,
  ) {}

  private signer(service: string): SignatureV4 {
    let s = this.signers.get(service);
    if (!s) this.signers.set(service, (s = new SignatureV4({ service, region: REGION, credentials: this.keys, sha256: Sha256, uriEscapePath: true })));
    return s;
  }

  /** An awsQuery call (IAM, STS): form body, POST /. */
  async query(service: 'iam' | 'sts', action: string, params: Record<string, string> = {}): Promise<Reply> {
    const version = service === 'iam' ? '2010-05-08' : '2011-06-15';
    const body = new URLSearchParams({ Action: action, Version: version, ...params }).toString();
    const signed = await this.signer(service).sign({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: this.port,
      path: '/',
      query: {},
      headers: { host: `127.0.0.1:${this.port}`, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
    });
    return send(this.port, 'POST', '/', { ...signed.headers, 'content-length': String(Buffer.byteLength(body)) }, body);
  }
}

function send(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

// -------------------------------------------------------------------------------------------
// Processes.

interface Proc {
  readonly child: ChildProcess;
  readonly port: number;
  readonly startupMs?: number;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

async function startGatehouse(dataDir: string): Promise<Proc> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--data', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    if (stderr.length < 10_000) stderr += c.toString();
  });
  const startupMs = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`gatehouse did not start: ${stderr}`)), 20_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.includes('gatehouse listening'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { startupMs: number }).startupMs);
      }
    });
    child.once('exit', (code) => reject(new Error(`gatehouse exited (${code}): ${stderr}`)));
  });
  return { child, port, startupMs, stop: stopper(child) };
}

/**
 * The floor: a node:http server that does no work at all (it reads the body and answers a
 * fixed GetCallerIdentity document), measured with the same client. What it cannot reach on
 * this machine, no server can: it shows how much of a latency figure is the machine's (two
 * shared cores, this client's own CPU) rather than the server's.
 */
async function startFloor(): Promise<Proc> {
  const port = await freePort();
  const script = `
    const body = '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:root</Arn><UserId>000000000000</UserId><Account>000000000000</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>0</RequestId></ResponseMetadata></GetCallerIdentityResponse>';
    require('node:http').createServer((req, res) => {
      req.resume();
      req.on('end', () => { res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': '0' }); res.end(body); });
    }).listen(${port}, '127.0.0.1', () => console.log('listening'));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the floor server exited (${code})`)));
  });
  return { child, port, stop: stopper(child) };
}

async function startMoto(): Promise<Proc> {
  const port = await freePort();
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.resume();
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await send(port, 'GET', '/moto-api/', {});
      if (r.status > 0) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('moto_server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port, stop: stopper(child) };
}

function rssOf(pid: number): { rssMb: number; hwmMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // Linux's usual 100 Hz
}

/** CPU time a process has used (user + system), in ms, from /proc/<pid>/stat. */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

/** fsync latency of the data folder's file system (4 KB appends), to read the write figures by. */
function fsyncProbe(dir: string, n = 100): { p50: number; p99: number } {
  const file = join(dir, 'fsync-probe');
  const fd = openSync(file, 'w');
  const buf = Buffer.alloc(4096, 1);
  const ts: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      writeSync(fd, buf);
      const t = performance.now();
      fsyncSync(fd);
      ts.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
    unlinkSync(file);
  }
  ts.sort((a, b) => a - b);
  return { p50: quantile(ts, 0.5), p99: quantile(ts, 0.99) };
}

// -------------------------------------------------------------------------------------------
// Statistics.

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
const median = (xs: readonly number[]): number => quantile([...xs].sort((a, b) => a - b), 0.5);
const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '-');
const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '-');
const f3 = (n: number): string => (Number.isFinite(n) ? n.toFixed(3) : '-');

interface RoundResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly errors: number;
  readonly firstError?: string;
  /** Per operation: all latencies of the round. */
  readonly byOp: Map<string, number[]>;
  /** CPU ms per request: the server process's, and this (client) process's. */
  readonly serverCpu: number;
  readonly clientCpu: number;
}

// -------------------------------------------------------------------------------------------
// Workloads.

type Workload = 'iam' | 'sts';
let nameSeq = 0;
const RUN = randomBytes(3).toString('hex');

async function round(client: Client, serverPid: number, workload: Workload, clients: number, ms: number): Promise<RoundResult> {
  const lat: number[] = [];
  const byOp = new Map<string, number[]>();
  let errors = 0;
  let firstError: string | undefined;
  let creates = 0;
  const note = (op: string, r: Reply): void => {
    lat.push(r.ms);
    let a = byOp.get(op);
    if (!a) byOp.set(op, (a = []));
    a.push(r.ms);
    if (r.status !== 200) {
      errors++;
      firstError ??= `${op} ${r.status} ${r.body.slice(0, 200)}`;
    }
  };
  const cpu0 = cpuMsOf(serverPid);
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + ms;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      if (workload === 'sts') {
        note('GetCallerIdentity', await client.query('sts', 'GetCallerIdentity'));
        continue;
      }
      if (creates >= MAX_CREATES_PER_ROUND) break;
      creates++;
      const name = `bench-${RUN}-${++nameSeq}`;
      note(
        'CreateRole',
        await client.query('iam', 'CreateRole', {
          RoleName: name,
          Path: '/bench/',
          AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
        }),
      );
      note('GetRole', await client.query('iam', 'GetRole', { RoleName: name }));
      note('ListRoles', await client.query('iam', 'ListRoles', { MaxItems: '20' }));
    }
  };
  await Promise.all(Array.from({ length: clients }, loop));
  const elapsed = (performance.now() - t0) / 1000;
  const serverCpu = (cpuMsOf(serverPid) - cpu0) / lat.length;
  const own = process.cpuUsage(own0);
  const clientCpu = (own.user + own.system) / 1000 / lat.length;
  lat.sort((a, b) => a - b);
  return { rps: lat.length / elapsed, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), requests: lat.length, errors, ...(firstError ? { firstError } : {}), byOp, serverCpu, clientCpu };
}

/** Clear the bench roles (untimed). */
async function clearGatehouseRoles(client: Client): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const r = await client.query('iam', 'ListRoles', { PathPrefix: '/bench/', MaxItems: '1000' });
    const names = [...r.body.matchAll(/<RoleName>([^<]+)<\/RoleName>/g)].map((m) => m[1]!);
    if (names.length === 0) return;
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < names.length) await client.query('iam', 'DeleteRole', { RoleName: names[next++]! });
      }),
    );
  }
}

async function clearMoto(port: number): Promise<void> {
  await send(port, 'POST', '/moto-api/reset', { 'content-length': '0' }, '');
}

// -------------------------------------------------------------------------------------------
// Seeding through the Store API (the server is not running while this writes).

const policyDoc = (i: number, allowIam: boolean): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      allowIam
        ? { Sid: `Iam${i}`, Effect: 'Allow', Action: ['iam:CreateRole', 'iam:GetRole', 'iam:ListRoles', 'iam:DeleteRole', 'iam:TagRole'], Resource: '*' }
        : { Sid: `S3${i}`, Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [`arn:aws:s3:::bucket-${i}`, `arn:aws:s3:::bucket-${i}/*`] },
      { Sid: `Deny${i}`, Effect: 'Deny', Action: 'iam:DeleteRole', Resource: `arn:aws:iam::${ACCOUNT}:role/protected-${i}-*` },
      {
        Sid: `Cond${i}`,
        Effect: 'Allow',
        Action: ['ec2:Describe*', 'cloudtrail:LookupEvents'],
        Resource: '*',
        Condition: { IpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '10.0.0.0/8'] }, StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } },
      },
    ],
  });

async function putPolicy(tx: Tx, name: string, doc: string, now: string, attachments: number): Promise<string> {
  const arn = `arn:aws:iam::${ACCOUNT}:policy/${name}`;
  const rec: ManagedPolicyRecord = {
    PolicyName: name,
    PolicyId: awsId('ANPA'),
    Arn: arn,
    Path: '/',
    DefaultVersionId: 'v1',
    AttachmentCount: attachments,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    CreateDate: now,
    UpdateDate: now,
    Tags: [],
    NextVersion: 2,
  };
  await tx.insert(ACCOUNT, KIND.policy, arn, rec, { name });
  const v: PolicyVersionRecord = { Document: doc, VersionId: 'v1', IsDefaultVersion: true, CreateDate: now };
  await tx.insert(ACCOUNT, KIND.policyVersion, `${arn}#v1`, v, { parent: arn });
  return arn;
}

/** A user with `attach` customer managed policies attached and one inline policy; returns its keys and caller. */
async function seedUser(tx: Tx, credentials: Credentials, userName: string, attach: readonly string[], now: string): Promise<{ keys: Keys; caller: Caller }> {
  const userId = awsId('AIDA');
  const arn = `arn:aws:iam::${ACCOUNT}:user/${userName}`;
  const user: UserRecord = {
    UserName: userName,
    UserId: userId,
    Arn: arn,
    Path: '/',
    CreateDate: now,
    Tags: [{ Key: 'team', Value: 'bench' }],
    AttachedPolicies: attach.map((a) => ({ PolicyArn: a, PolicyName: a.slice(a.lastIndexOf('/') + 1) })),
    Groups: [],
  };
  await tx.insert(ACCOUNT, KIND.user, userId, user, { name: userName });
  await tx.insert(ACCOUNT, KIND.userPolicy, `${userId}:inline`, { PolicyName: 'inline', PolicyDocument: policyDoc(-1, false) }, { parent: userId });
  const accessKeyId = awsId('AKIA');
  const secret = newSecret();
  const key: AccessKeyRecord = { UserName: userName, UserId: userId, AccessKeyId: accessKeyId, Status: 'Active', CreateDate: now };
  await tx.insert(ACCOUNT, KIND.accessKey, accessKeyId, key, { parent: userId });
  const caller = { account: ACCOUNT, type: 'User' as const, arn, userId, userName };
  await credentials.put(tx, { accessKeyId, account: ACCOUNT, kind: 'user', status: 'Active', secret, caller, userId });
  return { keys: { accessKeyId, secretAccessKey: secret }, caller: { ...caller, accessKeyId } };
}

async function openSeedStore(dataDir: string): Promise<{ store: Store; credentials: Credentials }> {
  const store = await Store.open(join(dataDir, 'gatehouse.db'));
  const credentials = new Credentials(SecretBox.open(join(dataDir, 'secret.key')));
  return { store, credentials };
}

// -------------------------------------------------------------------------------------------
// Part 1.

interface Target {
  readonly name: string;
  readonly client: Client;
  readonly clear: () => Promise<void>;
  readonly pid: number;
  /** The workloads it answers (the floor only answers sts). */
  readonly workloads: readonly Workload[];
}

interface Summary {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
  firstError?: string;
  opP99: Map<string, number>;
  serverCpu: number;
  clientCpu: number;
}

function summarise(rs: readonly RoundResult[]): Summary {
  const ops = new Set(rs.flatMap((r) => [...r.byOp.keys()]));
  const opP99 = new Map<string, number>();
  for (const op of ops) opP99.set(op, median(rs.map((r) => quantile([...(r.byOp.get(op) ?? [])].sort((a, b) => a - b), 0.99))));
  const firstError = rs.find((r) => r.firstError)?.firstError;
  return {
    rps: median(rs.map((r) => r.rps)),
    serverCpu: median(rs.map((r) => r.serverCpu)),
    clientCpu: median(rs.map((r) => r.clientCpu)),
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
    errors: rs.reduce((n, r) => n + r.errors, 0),
    requests: rs.reduce((n, r) => n + r.requests, 0),
    ...(firstError ? { firstError } : {}),
    opP99,
  };
}

async function part1(): Promise<{ minRatio: number; failures: string[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const failures: string[] = [];
  const fsync = fsyncProbe(dataDir);
  console.log(`fsync on the data folder's file system: p50 ${f2(fsync.p50)} ms, p99 ${f2(fsync.p99)} ms (every acknowledged write waits for one: synchronous = FULL)`);
  let gh: Proc | undefined;
  let moto: Proc | undefined;
  let floor: Proc | undefined;
  try {
    // The IAM user the second Gatehouse client signs as (seeded: see the header).
    const { store, credentials } = await openSeedStore(dataDir);
    const now = new Date().toISOString();
    const user = await store.transaction(async (tx) => {
      const a = await putPolicy(tx, 'bench-iam', policyDoc(0, true), now, 1);
      const b = await putPolicy(tx, 'bench-other', policyDoc(1, false), now, 1);
      return seedUser(tx, credentials, 'bench-user', [a, b], now);
    });
    await store.close();

    [gh, moto, floor] = await Promise.all([startGatehouse(dataDir), startMoto(), startFloor()]);
    console.log(`gatehouse pid ${gh.child.pid} port ${gh.port} (startupMs ${gh.startupMs}), moto pid ${moto.child.pid} port ${moto.port}`);
    const ghRoot = new Client(gh.port, ROOT);
    const ghUser = new Client(gh.port, user.keys);
    const motoClient = new Client(moto.port, ROOT);
    const motoPort = moto.port;
    const both: readonly Workload[] = ['iam', 'sts'];
    const targets: Target[] = [
      { name: 'gatehouse (root)', client: ghRoot, clear: () => clearGatehouseRoles(ghRoot), pid: gh.child.pid!, workloads: both },
      { name: 'gatehouse (IAM user)', client: ghUser, clear: () => clearGatehouseRoles(ghRoot), pid: gh.child.pid!, workloads: both },
      { name: 'moto', client: motoClient, clear: () => clearMoto(motoPort), pid: moto.child.pid!, workloads: both },
      { name: FLOOR, client: new Client(floor.port, ROOT), clear: () => Promise.resolve(), pid: floor.child.pid!, workloads: ['sts'] },
    ];
    // Sanity: each target answers each workload.
    for (const t of targets) {
      const r = await t.client.query('sts', 'GetCallerIdentity');
      if (r.status !== 200) throw new Error(`${t.name}: GetCallerIdentity ${r.status} ${r.body}`);
    }

    const results = new Map<string, Summary>();
    const key = (t: string, w: Workload, c: number): string => `${t}|${w}|${c}`;
    for (const clients of [1, CONCURRENCY]) {
      for (const workload of ['iam', 'sts'] as const) {
        const those = targets.filter((t) => t.workloads.includes(workload));
        for (const t of those) {
          await round(t.client, t.pid, workload, clients, WARMUP_MS);
          if (workload === 'iam') await t.clear();
        }
        const per = new Map<string, RoundResult[]>();
        for (let i = 0; i < ROUNDS; i++) {
          // Alternate the order so drift on a noisy machine hits every server alike.
          const order = i % 2 === 0 ? those : [...those].reverse();
          for (const t of order) {
            const r = await round(t.client, t.pid, workload, clients, ROUND_MS);
            if (workload === 'iam') await t.clear();
            let a = per.get(t.name);
            if (!a) per.set(t.name, (a = []));
            a.push(r);
          }
        }
        for (const t of those) results.set(key(t.name, workload, clients), summarise(per.get(t.name)!));
      }
    }
    const ghMem = rssOf(gh.child.pid!);
    const motoMem = rssOf(moto.child.pid!);

    console.log(`\nPart 1: medians of ${ROUNDS} rounds of ${ROUND_MS} ms each (requests/s; latency in ms; cpu/req: the server process's CPU ms per request; client: this process's)`);
    console.log(
      `${'workload'.padEnd(10)}${'clients'.padStart(8)}  ${'server'.padEnd(22)}${'req/s'.padStart(9)}${'p50'.padStart(8)}${'p99'.padStart(8)}${'errors'.padStart(10)}${'cpu/req'.padStart(9)}${'client'.padStart(8)}  ratio vs moto (req/s; p99)`,
    );
    let minRatio = Infinity;
    for (const clients of [1, CONCURRENCY]) {
      for (const workload of ['iam', 'sts'] as const) {
        const m = results.get(key('moto', workload, clients))!;
        for (const t of targets.filter((x) => x.workloads.includes(workload))) {
          const s = results.get(key(t.name, workload, clients))!;
          const ratio = s.rps / m.rps;
          const isMoto = t.name === 'moto' || t.name === FLOOR;
          if (!isMoto && clients === CONCURRENCY) minRatio = Math.min(minRatio, ratio);
          console.log(
            `${workload.padEnd(10)}${String(clients).padStart(8)}  ${t.name.padEnd(22)}${f1(s.rps).padStart(9)}${f2(s.p50).padStart(8)}${f2(s.p99).padStart(8)}${`${s.errors}/${s.requests}`.padStart(10)}${f2(s.serverCpu).padStart(9)}${f2(s.clientCpu).padStart(8)}  ${isMoto ? '' : `${f1(ratio)}x; moto p99 / ours ${f1(m.p99 / s.p99)}x`}`,
          );
          if (s.firstError) console.log(`${' '.repeat(20)}first error: ${s.firstError.replace(/\s+/g, ' ')}`);
          if (!isMoto && s.errors > 0) failures.push(`${t.name} ${workload} x${clients}: ${s.errors} errors`);
          if (!isMoto && clients === CONCURRENCY && s.p99 >= 5) {
            const fl = results.get(key(FLOOR, 'sts', clients))!;
            failures.push(`${t.name} ${workload} x${clients}: p99 ${f2(s.p99)} ms >= 5 ms (the floor, a server doing no work, measures p99 ${f2(fl.p99)} ms here)`);
          }
        }
      }
    }
    console.log(`\nPer-operation p99 at ${CONCURRENCY} clients, iam workload (ms):`);
    for (const t of targets.filter((x) => x.workloads.includes('iam'))) {
      const s = results.get(key(t.name, 'iam', CONCURRENCY))!;
      console.log(`  ${t.name.padEnd(22)}${[...s.opP99].map(([op, v]) => `${op} ${f2(v)}`).join('   ')}`);
    }
    const fsyncAfter = fsyncProbe(dataDir);
    console.log(`fsync after part 1: p50 ${f2(fsyncAfter.p50)} ms, p99 ${f2(fsyncAfter.p99)} ms`);
    console.log(`RSS after part 1: gatehouse ${f1(ghMem.rssMb)} MB (peak ${f1(ghMem.hwmMb)}), moto ${f1(motoMem.rssMb)} MB (peak ${f1(motoMem.hwmMb)})`);
    if (minRatio < 5) failures.push(`throughput ratio ${f1(minRatio)}x < 5x`);
    return { minRatio, failures };
  } finally {
    await Promise.all([gh?.stop(), moto?.stop(), floor?.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// -------------------------------------------------------------------------------------------
// Part 2.

async function part2(): Promise<string[]> {
  const failures: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-scale-'));
  let gh: Proc | undefined;
  try {
    const { store, credentials } = await openSeedStore(dataDir);
    const now = new Date().toISOString();
    const t0 = performance.now();
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    const user = await store.transaction(async (tx) => {
      const attached: string[] = [];
      for (let i = 0; i < SCALE_POLICIES; i++) {
        const arn = await putPolicy(tx, `scale-policy-${i}`, policyDoc(i, i === 0), now, i < SCALE_ATTACHED ? 1 : 0);
        if (i < SCALE_ATTACHED) attached.push(arn);
      }
      for (let i = 0; i < SCALE_ROLES; i++) {
        const name = `scale-role-${i}`;
        const role: RoleRecord = {
          RoleName: name,
          RoleId: awsId('AROA'),
          Arn: `arn:aws:iam::${ACCOUNT}:role/app/${name}`,
          Path: '/app/',
          CreateDate: now,
          AssumeRolePolicyDocument: trust,
          MaxSessionDuration: 3600,
          Tags: [{ Key: 'n', Value: String(i) }],
          AttachedPolicies: [],
        };
        await tx.insert(ACCOUNT, KIND.role, role.RoleId, role, { name });
      }
      return seedUser(tx, credentials, 'scale-user', attached, now);
    });
    const seedMs = performance.now() - t0;
    console.log(`\nPart 2: ${SCALE_ROLES} roles, ${SCALE_POLICIES} customer managed policies (+ their versions), a user with ${SCALE_ATTACHED} attached + 1 inline; seeded through the Store API in ${f1(seedMs / 1000)} s`);

    // Authorizer.decide in process, against this store.
    const authorizer = new Authorizer(new IamPolicySource());
    const facts = (): RequestFacts => ({ sourceIp: '127.0.0.1', secureTransport: false, region: REGION, now: new Date(), userAgent: 'bench' });
    const decide = async (i: number): Promise<number> => {
      const t = performance.now();
      const { evaluation } = await authorizer.decide(store, user.caller, 'iam:GetRole', `arn:aws:iam::${ACCOUNT}:role/app/scale-role-${i % SCALE_ROLES}`, facts());
      const ms = performance.now() - t;
      if (evaluation.decision !== 'allowed') throw new Error(`decide: ${evaluation.decision}`);
      return ms;
    };
    for (let i = 0; i < 300; i++) await decide(i); // warm-up (JIT, page cache)
    const hit: number[][] = [];
    const miss: number[][] = [];
    const missCpu: number[][] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const h: number[] = [];
      for (let i = 0; i < DECIDE_SAMPLES; i++) h.push(await decide(i * 7));
      const m: number[] = [];
      const mc: number[] = [];
      for (let i = 0; i < DECIDE_MISS_SAMPLES; i++) {
        iamChanged(); // as after any IAM write: the cached policy set is stale
        const c0 = process.cpuUsage();
        m.push(await decide(i * 13));
        const c = process.cpuUsage(c0);
        mc.push((c.user + c.system) / 1000);
      }
      hit.push(h.sort((a, b) => a - b));
      miss.push(m.sort((a, b) => a - b));
      missCpu.push(mc.sort((a, b) => a - b));
    }
    const hitP50 = median(hit.map((x) => quantile(x, 0.5)));
    const hitP99 = median(hit.map((x) => quantile(x, 0.99)));
    const missP50 = median(miss.map((x) => quantile(x, 0.5)));
    const missP99 = median(miss.map((x) => quantile(x, 0.99)));
    const missP90 = median(miss.map((x) => quantile(x, 0.9)));
    await store.close();
    console.log(`  Authorizer.decide (in process, iam:GetRole as the user), medians of ${ROUNDS} rounds:`);
    console.log(`    cached policy set:            p50 ${f3(hitP50)} ms  p99 ${f3(hitP99)} ms  (${DECIDE_SAMPLES} decisions a round)`);
    console.log(`    after an IAM write (reload):  p50 ${f3(missP50)} ms  p90 ${f3(missP90)} ms  p99 ${f3(missP99)} ms  (${DECIDE_MISS_SAMPLES} decisions a round)`);
    console.log(
      `      the same, CPU time only:     p50 ${f3(median(missCpu.map((x) => quantile(x, 0.5))))} ms  p90 ${f3(median(missCpu.map((x) => quantile(x, 0.9))))} ms  p99 ${f3(median(missCpu.map((x) => quantile(x, 0.99))))} ms  (this process's CPU time: leaves out waiting for a CPU on a busy machine)`,
    );
    if (hitP99 >= 1) failures.push(`authorization p99 (cached) ${f3(hitP99)} ms >= 1 ms`);
    if (missP99 >= 1) failures.push(`authorization p99 (after a write) ${f3(missP99)} ms >= 1 ms`);

    // The server on that data.
    gh = await startGatehouse(dataDir);
    const pid = gh.child.pid!;
    const after = { start: rssOf(pid) };
    console.log(`  server started in ${gh.startupMs} ms on that store; RSS ${f1(after.start.rssMb)} MB`);
    const client = new Client(gh.port, user.keys);
    const rnd = (): string => `scale-role-${Math.floor(Math.random() * SCALE_ROLES)}`;
    const getRoles = async (clients: number, ms: number): Promise<{ rps: number; p50: number; p99: number; errors: number; cpu: number }> => {
      const lat: number[] = [];
      let errors = 0;
      const cpu0 = cpuMsOf(pid);
      const t = performance.now();
      const deadline = t + ms;
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (performance.now() < deadline) {
            const r = await client.query('iam', 'GetRole', { RoleName: rnd() });
            if (r.status !== 200) errors++;
            lat.push(r.ms);
          }
        }),
      );
      const rps = lat.length / ((performance.now() - t) / 1000);
      const cpu = (cpuMsOf(pid) - cpu0) / lat.length;
      lat.sort((a, b) => a - b);
      return { rps, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), errors, cpu };
    };
    await getRoles(4, WARMUP_MS);
    for (const clients of [1, CONCURRENCY]) {
      const rs: { rps: number; p50: number; p99: number; errors: number; cpu: number }[] = [];
      for (let r = 0; r < ROUNDS; r++) rs.push(await getRoles(clients, 800));
      const errors = rs.reduce((n, r) => n + r.errors, 0);
      console.log(
        `  GetRole over HTTP as the user, ${String(clients).padStart(2)} client(s): ${f1(median(rs.map((r) => r.rps)))} req/s  p50 ${f2(median(rs.map((r) => r.p50)))} ms  p99 ${f2(median(rs.map((r) => r.p99)))} ms  server CPU ${f2(median(rs.map((r) => r.cpu)))} ms/req  errors ${errors}`,
      );
      if (errors) failures.push(`scale GetRole x${clients}: ${errors} errors`);
    }
    const list: number[] = [];
    let listed = 0;
    for (let i = 0; i < 15; i++) {
      const r = await client.query('iam', 'ListRoles', { MaxItems: '100' });
      if (r.status === 200) listed = [...r.body.matchAll(/<RoleName>/g)].length;
      list.push(r.ms);
    }
    list.sort((a, b) => a - b);
    console.log(`  ListRoles(MaxItems=100) over ${SCALE_ROLES} roles: p50 ${f2(quantile(list, 0.5))} ms  max ${f2(list[list.length - 1]!)} ms (${listed} returned)`);
    const mem = rssOf(pid);
    console.log(`  server RSS after the load: ${f1(mem.rssMb)} MB (peak ${f1(mem.hwmMb)} MB)`);
    if (mem.hwmMb >= 500) failures.push(`server peak RSS ${f1(mem.hwmMb)} MB >= 500 MB`);
    return failures;
  } finally {
    await gh?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// -------------------------------------------------------------------------------------------

const started = performance.now();
console.log(`node ${process.version}, ${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
// BENCH_PARTS=2 runs the scale part alone (for profiling); the default runs both.
const parts = (process.env.BENCH_PARTS ?? '1,2').split(',');
const { minRatio, failures } = parts.includes('1') ? await part1() : { minRatio: NaN, failures: [] as string[] };
if (parts.includes('2')) failures.push(...(await part2()));
agent.destroy();
console.log(`\ntotal ${f1((performance.now() - started) / 1000)} s; load average now ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
if (failures.length) console.log(`targets missed:\n  ${failures.join('\n  ')}`);
else console.log('targets met: >= 5x moto at 16 clients, p99 < 5 ms, authorization p99 < 1 ms, RSS < 500 MB');
console.log(`ratio vs moto: ${f1(minRatio)}x`);
