/**
 * Conformance, output half, for Directory Service: every implemented ds operation called
 * through the AWS SDK v3, its output checked against the model (required members, types,
 * enums) and its values compared; a coverage test fails if an implemented operation is
 * missed. AuthorizeApplication, UnauthorizeApplication and ListAuthorizedApplications are
 * IAM actions without a public operation (not in the model): the service tests exercise
 * them through a Client VPN stand-in (test/services/ds/directories.test.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddTagsToResourceCommand,
  CreateDirectoryCommand,
  CreateMicrosoftADCommand,
  DeleteDirectoryCommand,
  DescribeDirectoriesCommand,
  DescribeDirectoryDataAccessCommand,
  DirectoryServiceClient,
  DisableDirectoryDataAccessCommand,
  EnableDirectoryDataAccessCommand,
  GetDirectoryLimitsCommand,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
  ResetUserPasswordCommand,
} from '@aws-sdk/client-directory-service';
import { clientConfig, startServer, type Running } from '../helpers/server.js';
import { checkOutput } from './model-check.js';
import { FAST_DS_TIMING, setDirectoryServiceTiming } from '../../src/services/ds/timing.js';
import { PERMISSION_ONLY_OPERATIONS } from '../../src/services/ds/index.js';
import { loadModel } from '../../src/models/index.js';
import { network, sleep, waitForStage } from '../services/ds/helpers.js';

describe('Conformance: Directory Service outputs match the model', () => {
  let server: Running;
  let ds: DirectoryServiceClient;
  const called = new Set<string>();
  const check = (operation: string, output: object): void => {
    called.add(operation);
    assert.deepEqual(checkOutput('ds', operation, output as Record<string, unknown>), [], operation);
  };
  before(async () => {
    setDirectoryServiceTiming({ create: 600, delete: 50, dataAccess: 50 });
    server = await startServer();
    ds = new DirectoryServiceClient(clientConfig(server.endpoint));
  });
  after(async () => {
    setDirectoryServiceTiming(FAST_DS_TIMING);
    await server.close();
  });

  it('directories, limits, tags, data access and passwords', async () => {
    const net = await network(server.endpoint);
    const vpc = { VpcId: net.vpcId, SubnetIds: [...net.subnets] };
    const simple = await ds.send(new CreateDirectoryCommand({ Name: 'simple.example.com', Password: 'Str0ng-Passw0rd', Size: 'Large', VpcSettings: vpc, Tags: [{ Key: 'env', Value: 'test' }] }));
    check('CreateDirectory', simple);
    const msad = await ds.send(new CreateMicrosoftADCommand({ Name: 'corp.example.com', ShortName: 'CORP', Password: 'Str0ng-Passw0rd', VpcSettings: vpc }));
    check('CreateMicrosoftAD', msad);
    const creating = await ds.send(new DescribeDirectoriesCommand({}));
    check('DescribeDirectories', creating);
    assert.deepEqual(creating.DirectoryDescriptions!.map((d) => [d.DirectoryId, d.Type, d.Stage]), [
      [simple.DirectoryId, 'SimpleAD', 'Creating'],
      [msad.DirectoryId, 'MicrosoftAD', 'Creating'],
    ]);
    await waitForStage(ds, msad.DirectoryId!, 'Active');
    const active = await ds.send(new DescribeDirectoriesCommand({ DirectoryIds: [msad.DirectoryId!] }));
    check('DescribeDirectories', active);
    assert.deepEqual([active.DirectoryDescriptions![0]!.Edition, active.DirectoryDescriptions![0]!.DnsIpAddrs!.length], ['Enterprise', 2]);
    const limits = await ds.send(new GetDirectoryLimitsCommand({}));
    check('GetDirectoryLimits', limits);
    assert.deepEqual([limits.DirectoryLimits!.CloudOnlyDirectoriesCurrentCount, limits.DirectoryLimits!.CloudOnlyMicrosoftADCurrentCount], [1, 1]);
    check('AddTagsToResource', await ds.send(new AddTagsToResourceCommand({ ResourceId: simple.DirectoryId!, Tags: [{ Key: 'team', Value: 'id' }] })));
    const tags = await ds.send(new ListTagsForResourceCommand({ ResourceId: simple.DirectoryId! }));
    check('ListTagsForResource', tags);
    assert.deepEqual(tags.Tags, [{ Key: 'env', Value: 'test' }, { Key: 'team', Value: 'id' }]);
    check('RemoveTagsFromResource', await ds.send(new RemoveTagsFromResourceCommand({ ResourceId: simple.DirectoryId!, TagKeys: ['env'] })));
    check('EnableDirectoryDataAccess', await ds.send(new EnableDirectoryDataAccessCommand({ DirectoryId: msad.DirectoryId! })));
    const status = await ds.send(new DescribeDirectoryDataAccessCommand({ DirectoryId: msad.DirectoryId! }));
    check('DescribeDirectoryDataAccess', status);
    assert.equal(status.DataAccessStatus, 'Enabling');
    await sleep(80);
    check('DisableDirectoryDataAccess', await ds.send(new DisableDirectoryDataAccessCommand({ DirectoryId: msad.DirectoryId! })));
    check('ResetUserPassword', await ds.send(new ResetUserPasswordCommand({ DirectoryId: msad.DirectoryId!, UserName: 'Admin', NewPassword: 'An0ther-Passw0rd' })));
    const deleted = await ds.send(new DeleteDirectoryCommand({ DirectoryId: simple.DirectoryId! }));
    check('DeleteDirectory', deleted);
    assert.equal(deleted.DirectoryId, simple.DirectoryId);
  });

  it('covers every implemented Directory Service operation of the model', () => {
    const model = loadModel('ds');
    const all = server.gatehouse.implementedOperations().ds ?? [];
    const implemented = all.filter((op) => model.operations[op]);
    assert.deepEqual(implemented.filter((op) => !called.has(op)), []);
    // Handlers outside the model: the non-public APIs other services call (application
    // authorization, and the sign-in an LDAP bind stands for).
    assert.deepEqual(all.filter((op) => !model.operations[op]).sort(), [...PERMISSION_ONLY_OPERATIONS, 'AuthenticateUser'].sort());
  });
});
