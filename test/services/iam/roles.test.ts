/**
 * ListRoles and ListUsers page in name order (case-insensitive), filtered by path
 * prefix, reading only a page's worth of rows: Marker/MaxItems across pages must give
 * every entity exactly once, in order.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateRoleCommand, CreateUserCommand, ListRolesCommand, ListUsersCommand, type IAMClient } from '@aws-sdk/client-iam';
import { startServer, type Running } from '../../helpers/server.js';
import { iamClient, rejects } from './helpers.js';

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

describe('IAM list paging by name', () => {
  let server: Running;
  let iam: IAMClient;
  const names = ['zeta', 'Alpha', 'beta', 'Gamma', 'delta', 'EPSILON', 'eta'];
  before(async () => {
    server = await startServer();
    iam = iamClient(server.endpoint);
    for (const [i, n] of names.entries()) {
      const path = i % 2 === 0 ? '/apps/' : '/ops/';
      await iam.send(new CreateRoleCommand({ RoleName: n, Path: path, AssumeRolePolicyDocument: TRUST }));
      await iam.send(new CreateUserCommand({ UserName: n, Path: path }));
    }
  });
  after(async () => server.close());

  it('ListRoles pages through every role once, in case-insensitive name order', async () => {
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const out = await iam.send(new ListRolesCommand({ MaxItems: 2, ...(marker ? { Marker: marker } : {}) }));
      seen.push(...out.Roles!.map((r) => r.RoleName!));
      assert.equal(out.IsTruncated, out.Marker !== undefined);
      marker = out.Marker;
      pages++;
    } while (marker);
    assert.deepEqual(seen, [...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
    assert.equal(pages, 4);
  });

  it('a path prefix filters while paging, and the pages still meet up', async () => {
    const first = await iam.send(new ListRolesCommand({ PathPrefix: '/apps/', MaxItems: 3 }));
    assert.deepEqual(first.Roles!.map((r) => r.RoleName), ['beta', 'delta', 'eta']);
    assert.equal(first.IsTruncated, true);
    const rest = await iam.send(new ListRolesCommand({ PathPrefix: '/apps/', MaxItems: 3, Marker: first.Marker! }));
    assert.deepEqual(rest.Roles!.map((r) => r.RoleName), ['zeta']);
    assert.equal(rest.IsTruncated, false);
    const users = await iam.send(new ListUsersCommand({ PathPrefix: '/ops/' }));
    assert.deepEqual(users.Users!.map((u) => u.UserName), ['Alpha', 'EPSILON', 'Gamma']);
  });

  it('a Marker that Gatehouse did not issue is refused', async () => {
    await rejects(iam.send(new ListRolesCommand({ Marker: 'bm90LWEtbWFya2Vy' })), 'InvalidInput', 'Invalid Marker.');
  });
});
