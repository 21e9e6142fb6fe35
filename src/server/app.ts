/**
 * Gatehouse assembled: the store, the accounts and their root keys, the services, the
 * authorizer, CloudTrail, and an HTTP server on node:http in front of the pipeline.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Store } from '../store/index.js';
import { SecretBox } from '../auth/secrets.js';
import { Credentials } from '../auth/credentials.js';
import { Authorizer } from '../auth/authorizer.js';
import { Pipeline, type IncomingCall } from './pipeline.js';
import { Trail } from './trail.js';
import { ensureAccounts, type AccountSpec } from '../auth/accounts.js';
import { iamService, IamPolicySource } from '../services/iam/index.js';
import { stsService } from '../services/sts/index.js';
import { cloudTrailService } from '../services/cloudtrail/index.js';
import { ec2Service } from '../services/ec2/index.js';
import { acmService } from '../services/acm/index.js';
import { kmsService } from '../services/kms/index.js';
import { logsService } from '../services/logs/index.js';
import { lambdaService } from '../services/lambda/index.js';
import { dsService } from '../services/ds/index.js';
import { dsDataService } from '../services/ds-data/index.js';
import { organizationsService, OrganizationsSource } from '../services/organizations/index.js';
import { identityStoreService } from '../services/identitystore/index.js';
import { ssoAdminService } from '../services/sso-admin/index.js';
import { signatureParts } from '../auth/sigv4.js';
import { REALISTIC_TIMING, setClientVpnTiming } from '../services/ec2/client-vpn/timing.js';
import { REALISTIC_DS_TIMING, setDirectoryServiceTiming } from '../services/ds/timing.js';
import { setCreateAccountDelay } from '../services/organizations/create-account.js';
import type { ServiceDefinition } from '../services/types.js';

export interface GatehouseOptions {
  readonly host?: string;
  readonly port?: number;
  /** The data folder (SQLite file and secret key), or undefined for in-memory. */
  readonly dataDir?: string;
  readonly region?: string;
  readonly accounts?: readonly AccountSpec[];
  readonly log?: (msg: string, extra?: object) => void;
  /** The clock requests are judged by (session expiry, signatures); tests move it forward. */
  readonly now?: () => Date;
  /** More services (tests, extensions); later ones take precedence for their signing names. */
  readonly extraServices?: readonly ServiceDefinition[];
  /**
   * AWS-like delays for asynchronous states (Client VPN associations take minutes, a
   * directory twenty): `--realistic-timing`. By default they settle in fractions of a second.
   * The delays are process-wide (one server per process, as `gatehouse serve` runs).
   */
  readonly realisticTiming?: boolean;
}

export const DEFAULT_ACCOUNT: AccountSpec = { id: '000000000000', accessKeyId: 'test', secretAccessKey: 'test' };
const MAX_BODY = 16 * 1024 * 1024;

/**
 * Gatehouse operations also served under the names the docs give them
 * (`POST /_gatehouse/identity-center/enable`); signed for `sso` like the operation itself.
 */
const GATEHOUSE_ALIASES: Readonly<Record<string, string>> = {
  '/_gatehouse/identity-center/enable': '/_gatehouse/sso/EnableIdentityCenter',
  '/_gatehouse/identity-center/sign-in': '/_gatehouse/sso/SignIn',
};

export class Gatehouse {
  private server: Server | undefined;
  private constructor(
    readonly store: Store,
    readonly pipeline: Pipeline,
    readonly trail: Trail,
    readonly credentials: Credentials,
    private readonly options: GatehouseOptions,
    readonly accounts: readonly AccountSpec[],
    private readonly services: readonly ServiceDefinition[],
  ) {}

  /** The operations each service (by model name) implements: what conformance tests walk. */
  implementedOperations(): Record<string, readonly string[]> {
    return Object.fromEntries(this.services.map((s) => [s.model, Object.keys(s.handlers)]));
  }

  static async create(options: GatehouseOptions = {}): Promise<Gatehouse> {
    if (options.realisticTiming) {
      setClientVpnTiming(REALISTIC_TIMING);
      setDirectoryServiceTiming(REALISTIC_DS_TIMING);
      setCreateAccountDelay(2 * 60_000);
    }
    const store = await Store.open(options.dataDir ? join(options.dataDir, 'gatehouse.db') : ':memory:');
    const box = SecretBox.open(options.dataDir ? join(options.dataDir, 'secret.key') : undefined);
    const credentials = new Credentials(box);
    const accounts = options.accounts?.length ? options.accounts : [DEFAULT_ACCOUNT];
    await ensureAccounts(store, credentials, accounts);
    const trail = new Trail(store);
    const authorizer = new Authorizer(new IamPolicySource(), new OrganizationsSource());
    const log = options.log ?? ((msg: string, extra?: object) => console.error(JSON.stringify({ level: 'error', msg, ...extra })));
    const services: ServiceDefinition[] = [stsService(credentials), iamService(credentials), cloudTrailService(trail, store), ec2Service(), acmService(box), kmsService(box), logsService(), lambdaService(), dsService(), dsDataService(), organizationsService(credentials, (a) => log('account created by Organizations CreateAccount: its root keys', { level: 'info', account: a.id, accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey })), identityStoreService(), ssoAdminService(box), ...(options.extraServices ?? [])];
    const pipeline = new Pipeline({ store, credentials, authorizer, trail, services, host: { accountId: accounts[0]!.id }, log, ...(options.now ? { now: options.now } : {}) });
    return new Gatehouse(store, pipeline, trail, credentials, options, accounts, services);
  }

  /** Start listening; resolves with the bound port (0 picks a free one). */
  async listen(): Promise<number> {
    const server = createServer((req, res) => void this.serve(req, res));
    server.keepAliveTimeout = 65_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 4566, this.options.host ?? '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await readBody(req);
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const rawPath = q < 0 ? url : url.slice(0, q);
      const rawQuery = q < 0 ? '' : url.slice(q + 1);
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
      const call: IncomingCall = {
        method: req.method ?? 'GET',
        path: decodeURIComponent(rawPath),
        rawPath,
        rawQuery,
        query: new URLSearchParams(rawQuery),
        headers,
        body,
        sourceIp: normalizeIp(req.socket.remoteAddress ?? '127.0.0.1'),
        secure: false,
      };
      const path = GATEHOUSE_ALIASES[rawPath] ?? rawPath;
      const operation = /^\/_gatehouse\/([a-z0-9-]+)\/([A-Za-z]+)$/.exec(path);
      if (operation && req.method === 'POST' && operation[1] !== 'reset') {
        const out = await this.pipeline.handleGatehouse(call, operation[1]!, operation[2]!);
        res.writeHead(out.status, out.headers);
        res.end(out.body);
        return;
      }
      if (rawPath.startsWith('/_gatehouse/')) return await this.admin(rawPath, req, res, { rawPath, rawQuery, headers, body });
      const out = await this.pipeline.handle(call);
      res.writeHead(out.status, out.headers);
      res.end(out.body);
    } catch (e) {
      if (!res.headersSent) res.writeHead(e instanceof BodyTooLarge ? 413 : 500, { 'content-type': 'text/plain' });
      res.end(e instanceof BodyTooLarge ? 'Request entity too large' : 'Internal error');
    }
  }

  /** `GET /_gatehouse/health`; `POST /_gatehouse/reset` (root credentials of a configured account only). */
  private async admin(path: string, req: IncomingMessage, res: ServerResponse, signed: { rawPath: string; rawQuery: string; headers: Record<string, string | undefined>; body: Buffer }): Promise<void> {
    const json = (status: number, body: object): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/_gatehouse/health' && req.method === 'GET') return json(200, { status: 'ok', accounts: this.accounts.map((a) => a.id) });
    if (path === '/_gatehouse/reset' && req.method === 'POST') {
      const parts = signatureParts({ method: 'POST', ...signed }, new URLSearchParams(signed.rawQuery));
      if (!parts) return json(403, { error: 'MissingAuthenticationToken' });
      try {
        const r = await this.pipeline.authenticate({ method: 'POST', ...signed }, parts, new Date());
        if (r.caller.type !== 'Account') return json(403, { error: 'AccessDenied', message: 'Only an account root user may reset Gatehouse.' });
      } catch {
        return json(403, { error: 'AccessDenied' });
      }
      await this.trail.flush();
      await this.store.reset();
      await ensureAccounts(this.store, this.credentials, this.accounts);
      return json(200, { status: 'reset' });
    }
    json(404, { error: 'NotFound' });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
    for (const s of this.services) await s.close?.();
    await this.trail.flush();
    await this.store.close();
  }
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new BodyTooLarge());
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** `::ffff:127.0.0.1` (a dual-stack socket's view of IPv4) is reported as `127.0.0.1`, as AWS would. */
function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}
