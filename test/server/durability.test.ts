/**
 * Durability of the real server process (`gatehouse serve --data <dir>`): every write the
 * server acknowledged (HTTP 200 received) survives a SIGKILL, and nothing is half-written.
 *
 * A burst of concurrent writes (CreateRole with unique names, and CreateRole+DeleteRole
 * pairs) runs until the server is killed with SIGKILL mid-burst; the server is restarted on
 * the same data folder and every acknowledged write is checked (GetRole, ListRoles, and the
 * SQLite file's own integrity check). Calls in flight when the server died may or may not
 * have happened: both outcomes are allowed, but only whole.
 *
 * CloudTrail events are buffered (flushed every 25 ms) and written after the call is
 * answered, as CloudTrail delivers them after the fact: a SIGKILL may lose the last
 * events. That is allowed and not checked beyond LookupEvents answering after the restart.
 *
 * Also: start-up on an empty store takes under a second, from spawn to the "gatehouse
 * listening" line (and the startupMs the server reports in it), the fastest of three starts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { CreateRoleCommand, DeleteRoleCommand, GetRoleCommand, IAMClient, ListRolesCommand, type Role } from '@aws-sdk/client-iam';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { clientConfig, startProcess, freePort } from '../helpers/server.js';

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stop(child: ChildProcess): Promise<void> {
  const done = exited(child);
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await done;
  clearTimeout(t);
}

const trustFor = (name: string): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: name.replace(/[^A-Za-z0-9]/g, ''), Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

/** What the client learned during a burst. */
interface Ledger {
  /** CreateRole answered 200. */
  readonly created: Set<string>;
  /** CreateRole sent, no answer (the server died): may or may not exist. */
  readonly createInFlight: Set<string>;
  /** DeleteRole answered 200. */
  readonly deleted: Set<string>;
  /** DeleteRole sent, no answer. */
  readonly deleteInFlight: Set<string>;
}

const newLedger = (): Ledger => ({ created: new Set(), createInFlight: new Set(), deleted: new Set(), deleteInFlight: new Set() });

function merge(into: Ledger, from: Ledger): void {
  for (const k of ['created', 'createInFlight', 'deleted', 'deleteInFlight'] as const) for (const x of from[k]) into[k].add(x);
}

/**
 * 16 workers write until the server dies; `killAfter` acknowledged writes, the server is
 * SIGKILLed. Odd workers make CreateRole+DeleteRole pairs, even ones plain CreateRoles.
 */
async function burst(iam: IAMClient, child: ChildProcess, tag: string, killAfter: number, maxCreates: number): Promise<Ledger> {
  const ledger = newLedger();
  let acks = 0;
  let creates = 0;
  let dead = false;
  let unexpected: Error | undefined;
  const died = exited(child).then(() => {
    dead = true;
  });
  const ack = (): void => {
    if (++acks === killAfter) child.kill('SIGKILL');
  };
  const call = async (send: () => Promise<unknown>, name: string, inFlight: Set<string>, done: Set<string>): Promise<boolean> => {
    inFlight.add(name);
    try {
      await send();
    } catch (e) {
      // Only a dead server may refuse a write here; anything else is a failure.
      const err = e as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
      if (err.$metadata?.httpStatusCode === undefined || dead || child.signalCode) return false;
      unexpected ??= e instanceof Error ? e : new Error(JSON.stringify(e));
      inFlight.delete(name);
      return false;
    }
    inFlight.delete(name);
    done.add(name);
    ack();
    return true;
  };
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; !dead && creates < maxCreates; i++) {
      creates++;
      const name = `dur-${tag}-${w}-${i}`;
      const ok = await call(() => iam.send(new CreateRoleCommand({ RoleName: name, Path: `/dur/${tag}/`, AssumeRolePolicyDocument: trustFor(name), Description: `worker ${w}` })), name, ledger.createInFlight, ledger.created);
      if (!ok) return;
      if (w % 2 === 1 && !(await call(() => iam.send(new DeleteRoleCommand({ RoleName: name })), name, ledger.deleteInFlight, ledger.deleted))) return;
    }
  };
  await Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
  if (!dead && !child.signalCode) child.kill('SIGKILL');
  await died;
  if (unexpected) throw unexpected;
  assert.ok(acks >= killAfter, `the server was killed mid-burst (${acks} writes acknowledged, kill after ${killAfter})`);
  return ledger;
}

/** Every role in the account, through ListRoles paging. */
async function listAll(iam: IAMClient): Promise<Role[]> {
  const roles: Role[] = [];
  let marker: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await iam.send(new ListRolesCommand({ MaxItems: 100, ...(marker ? { Marker: marker } : {}) }));
    roles.push(...(page.Roles ?? []));
    if (!page.IsTruncated) return roles;
    marker = page.Marker;
  }
  throw new Error('ListRoles did not end');
}

/** A role as written: all of its record, its trust policy the one sent for its name. */
function assertWhole(role: Role, where: string): void {
  const name = role.RoleName!;
  assert.match(name, /^dur-/, `${where}: unexpected role ${name}`);
  const tag = name.split('-')[1]!;
  const worker = name.split('-')[2]!;
  assert.match(role.RoleId ?? '', /^AROA[A-Z0-9]{16,17}$/, `${where}: ${name} RoleId`);
  assert.equal(role.Arn, `arn:aws:iam::000000000000:role/dur/${tag}/${name}`, `${where}: ${name} Arn`);
  assert.equal(role.Path, `/dur/${tag}/`, `${where}: ${name} Path`);
  assert.ok(role.CreateDate instanceof Date && !Number.isNaN(role.CreateDate.getTime()), `${where}: ${name} CreateDate`);
  assert.equal(role.Description, `worker ${worker}`, `${where}: ${name} Description`);
  assert.equal(role.MaxSessionDuration, 3600, `${where}: ${name} MaxSessionDuration`);
  assert.deepEqual(JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument ?? '')), JSON.parse(trustFor(name)), `${where}: ${name} trust policy`);
}

async function verify(iam: IAMClient, ledger: Ledger): Promise<{ listed: number; landed: number }> {
  const listed = await listAll(iam);
  const names = new Set<string>();
  for (const r of listed) {
    assertWhole(r, 'ListRoles');
    assert.ok(!names.has(r.RoleName!), `ListRoles lists ${r.RoleName!} twice`);
    names.add(r.RoleName!);
  }
  // Acknowledged creates are there (unless a delete of them was acknowledged or in flight).
  for (const n of ledger.created) {
    if (ledger.deleted.has(n) || ledger.deleteInFlight.has(n)) continue;
    assert.ok(names.has(n), `acknowledged CreateRole ${n} was lost`);
  }
  // Acknowledged deletes stay deleted.
  for (const n of ledger.deleted) assert.ok(!names.has(n), `acknowledged DeleteRole ${n} was undone`);
  // Nothing appears that the client never asked for.
  for (const n of names) assert.ok(ledger.created.has(n) || ledger.createInFlight.has(n), `role ${n} exists but was never created`);
  // GetRole agrees with ListRoles: a sample of each kind, all of the uncertain ones.
  const sample = [...ledger.created].filter((_, i) => i % 7 === 0);
  const uncertain = [...ledger.createInFlight, ...ledger.deleteInFlight];
  for (const n of new Set([...sample, ...uncertain, ...[...ledger.deleted].slice(0, 20)])) {
    try {
      const { Role } = await iam.send(new GetRoleCommand({ RoleName: n }));
      assert.ok(names.has(n), `GetRole finds ${n}, ListRoles does not`);
      assertWhole(Role!, 'GetRole');
    } catch (e) {
      assert.equal((e as Error).name, 'NoSuchEntityException', `GetRole ${n}: ${(e as Error).message}`);
      assert.ok(!names.has(n), `ListRoles lists ${n}, GetRole does not find it`);
    }
  }
  return { listed: listed.length, landed: [...ledger.createInFlight].filter((n) => names.has(n)).length };
}

describe('durability (a real server process, SIGKILLed mid-burst)', () => {
  it('keeps every acknowledged write, and nothing half-written, across kills', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-durability-'));
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const all = newLedger();
    const t0 = performance.now();
    let child: ChildProcess | undefined;
    try {
      // Kill points: at the very start of the burst, early, and well into it.
      const points = [
        { killAfter: 1, maxCreates: 120 },
        { killAfter: 30, maxCreates: 200 },
        { killAfter: 100, maxCreates: 250 },
      ];
      for (const [i, p] of points.entries()) {
        child = (await startProcess(dataDir, port)).child;
        const iam = new IAMClient(clientConfig(endpoint));
        try {
          const ledger = await burst(iam, child, `k${i}`, p.killAfter, p.maxCreates);
          console.log(
            `kill ${i + 1} (after ${p.killAfter} acknowledged writes): ${ledger.created.size} creates and ${ledger.deleted.size} deletes acknowledged, ` +
              `${ledger.createInFlight.size} creates and ${ledger.deleteInFlight.size} deletes in flight at the kill`,
          );
          merge(all, ledger);
        } finally {
          iam.destroy();
        }
        // Restart on the same folder: everything acknowledged so far, in every round, is there.
        child = (await startProcess(dataDir, port)).child;
        const check = new IAMClient(clientConfig(endpoint));
        try {
          const { listed, landed } = await verify(check, all);
          assert.ok(listed > 0 || all.created.size === 0);
          console.log(`  restart ${i + 1}: ${listed} roles, all acknowledged writes present; ${landed} of ${all.createInFlight.size} unanswered creates landed (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
          // CloudTrail answers after the restart (events buffered at the kill may be lost).
          const ct = new CloudTrailClient(clientConfig(endpoint));
          try {
            assert.ok(Array.isArray((await ct.send(new LookupEventsCommand({ MaxResults: 5 }))).Events));
          } finally {
            ct.destroy();
          }
        } finally {
          check.destroy();
        }
        await stop(child);
        child = undefined;
      }
      // Acknowledgements count deletes too: at least half of the 131 were creates.
      assert.ok(all.created.size >= 65, `enough writes were acknowledged (${all.created.size} creates)`);
      assert.ok(all.deleted.size > 0, 'some CreateRole+DeleteRole pairs completed');
      // The SQLite file itself is sound.
      const db = new Database(join(dataDir, 'gatehouse.db'), { readonly: true });
      try {
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
        const bad = db.prepare("SELECT count(*) AS n FROM entities WHERE json_valid(data) = 0").get() as { n: number };
        assert.equal(bad.n, 0, 'every stored record is whole JSON');
      } finally {
        db.close();
      }
    } finally {
      if (child) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('starts on an empty store in under a second', { timeout: 30_000 }, async () => {
    const runs: { observedMs: number; startupMs: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-startup-'));
      try {
        const s = await startProcess(dataDir, await freePort());
        runs.push({ observedMs: s.observedMs, startupMs: s.startupMs });
        await stop(s.child);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
    // The machine is shared and noisy (other builds and tests run beside this one): noise
    // only ever adds, so the fastest of three starts is the estimate of the server's own cost.
    const observed = Math.min(...runs.map((r) => r.observedMs));
    const reported = Math.min(...runs.map((r) => r.startupMs));
    console.log(`start-up on an empty store: spawn to "gatehouse listening" ${runs.map((r) => r.observedMs.toFixed(0)).join(', ')} ms; startupMs ${runs.map((r) => r.startupMs).join(', ')}`);
    assert.ok(observed < 1000, `spawn to listening: fastest of three ${observed.toFixed(0)} ms`);
    assert.ok(reported < 1000, `startupMs: fastest of three ${reported} ms`);
    assert.ok(reported <= observed, 'startupMs is within the observed start-up');
  });
});
