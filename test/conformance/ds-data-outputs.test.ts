/**
 * Conformance, output half, for Directory Service Data (restJson1). No JavaScript SDK
 * client for ds-data is installed, so each call is a raw signed request built from the
 * model (the operation's method and path; members bound to the query string go there,
 * the rest in the JSON body), and the parsed JSON answer is checked against the model
 * with `checkOutput` (ds-data has no timestamps or blobs, so parsed JSON is the SDK's
 * value). boto3, a strict parser, reads the same operations in the service tests.
 * A coverage test fails if an implemented operation is missed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel, shapeOf } from '../../src/models/index.js';
import { startServer, type Running } from '../helpers/server.js';
import { signedRequest } from '../helpers/sign.js';
import { checkOutput } from './model-check.js';
import { FAST_DS_TIMING, setDirectoryServiceTiming } from '../../src/services/ds/timing.js';
import { microsoftAd, network } from '../services/ds/helpers.js';

const model = loadModel('ds-data');

describe('Conformance: Directory Service Data outputs match the model', () => {
  let server: Running;
  let dir: string;
  const called = new Set<string>();

  /** Call `operation` with `input` as the model binds it; the parsed answer, checked against the model. */
  const call = async (operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const op = model.operations[operation]!;
    const shape = shapeOf(model, op.input!);
    const query: Record<string, string> = {};
    const body: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(input)) {
      const ref = shape.members![name]!;
      if (ref.location === 'querystring') query[ref.locationName ?? name] = String(value);
      else body[name] = value;
    }
    const res = await signedRequest(server.endpoint, { service: 'ds-data', method: op.http.method, path: op.http.requestUri, query, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, op.http.responseCode ?? 200, `${operation}: ${res.body}`);
    const out = (res.body ? JSON.parse(res.body) : {}) as Record<string, unknown>;
    called.add(operation);
    assert.deepEqual(checkOutput('ds-data', operation, out), [], operation);
    return out;
  };

  before(async () => {
    setDirectoryServiceTiming({ create: 20, delete: 20, dataAccess: 0 });
    server = await startServer();
    dir = await microsoftAd(server.endpoint, await network(server.endpoint));
  });
  after(async () => {
    setDirectoryServiceTiming(FAST_DS_TIMING);
    await server.close();
  });

  it('users, groups and memberships', async () => {
    const DirectoryId = dir;
    const user = await call('CreateUser', { DirectoryId, SAMAccountName: 'jdoe', GivenName: 'John', Surname: 'Doe', EmailAddress: 'jdoe@example.com', OtherAttributes: { title: { S: 'Engineer' } }, ClientToken: 'c-1' });
    assert.match(user.SID as string, /^S-1-5-21-\d+-\d+-\d+-1104$/);
    const group = await call('CreateGroup', { DirectoryId, SAMAccountName: 'vpn', GroupScope: 'Global', GroupType: 'Security', OtherAttributes: { description: { S: 'VPN users' } } });
    assert.match(group.SID as string, /-1105$/);
    const described = await call('DescribeUser', { DirectoryId, SAMAccountName: 'jdoe', OtherAttributes: ['title'] });
    assert.deepEqual([described.UserPrincipalName, described.Enabled, described.OtherAttributes], ['jdoe@corp.example.com', false, { title: { S: 'Engineer' } }]);
    await call('UpdateUser', { DirectoryId, SAMAccountName: 'jdoe', Surname: 'Roe', UpdateType: 'REPLACE' });
    await call('DisableUser', { DirectoryId, SAMAccountName: 'jdoe' });
    const users = await call('ListUsers', { DirectoryId, MaxResults: 1 });
    assert.ok(users.NextToken);
    await call('ListUsers', { DirectoryId, NextToken: users.NextToken });
    const found = await call('SearchUsers', { DirectoryId, SearchAttributes: ['sn'], SearchString: 'roe' });
    assert.deepEqual((found.Users as { SAMAccountName: string }[]).map((u) => u.SAMAccountName), ['jdoe']);
    const g = await call('DescribeGroup', { DirectoryId, SAMAccountName: 'vpn', OtherAttributes: ['description', 'member'] });
    assert.deepEqual([g.GroupScope, g.OtherAttributes], ['Global', { description: { S: 'VPN users' } }]);
    await call('UpdateGroup', { DirectoryId, SAMAccountName: 'vpn', GroupType: 'Distribution' });
    await call('ListGroups', { DirectoryId });
    await call('SearchGroups', { DirectoryId, SearchAttributes: ['sAMAccountName'], SearchString: 'vp' });
    await call('AddGroupMember', { DirectoryId, GroupName: 'vpn', MemberName: 'jdoe' });
    const members = await call('ListGroupMembers', { DirectoryId, SAMAccountName: 'vpn' });
    assert.deepEqual(members.Members, [{ MemberType: 'USER', SAMAccountName: 'jdoe', SID: user.SID }]);
    const groups = await call('ListGroupsForMember', { DirectoryId, SAMAccountName: 'jdoe' });
    assert.deepEqual(groups.Groups, [{ SAMAccountName: 'vpn', SID: group.SID, GroupScope: 'Global', GroupType: 'Distribution' }]);
    await call('RemoveGroupMember', { DirectoryId, GroupName: 'vpn', MemberName: 'jdoe' });
    await call('DeleteGroup', { DirectoryId, SAMAccountName: 'vpn' });
    await call('DeleteUser', { DirectoryId, SAMAccountName: 'jdoe' });
  });

  it('covers every implemented Directory Service Data operation', () => {
    const implemented = server.gatehouse.implementedOperations()['ds-data'] ?? [];
    assert.equal(implemented.length, Object.keys(model.operations).length, 'every operation of the model is implemented');
    assert.deepEqual(implemented.filter((op) => !called.has(op)), []);
  });
});
