/**
 * Directory Service through the SDK (and the AWS CLI and boto3 once each): Simple AD and
 * Managed Microsoft AD creation with the VPC checks, the network Directory Service builds
 * in EC2 on the caller's behalf (security group, controller interfaces, CloudTrail
 * invokedBy), the Creating → Active → Deleting stages, DescribeDirectories paging, limits,
 * tags, Directory Service Data access, ResetUserPassword, IAM denials, and DeleteDirectory
 * refused while Client VPN (a stand-in making Client VPN's calls as its service-linked
 * role) is authorized on the directory.
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
import { DescribeNetworkInterfacesCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { ACCOUNT, awsCli, boto3, clientConfig, startServer, type Keys, type Running } from '../../helpers/server.js';
import { signedRequest } from '../../helpers/sign.js';
import { allow, doc, grant, makeUser, rejects } from '../iam/helpers.js';
import { FAST_DS_TIMING, setDirectoryServiceTiming } from '../../../src/services/ds/timing.js';
import { clientVpnStandIn, dsData, network, sleep, standInParams, waitForStage, type ApiError, type Network } from './helpers.js';

const STAGE_MS = 300;

describe('Directory Service: directories', () => {
  let server: Running;
  let ds: DirectoryServiceClient;
  let ec2: EC2Client;
  let iam: IAMClient;
  let net: Network;
  let msad: string;
  let simple: string;
  const as = (keys: Keys): DirectoryServiceClient => new DirectoryServiceClient(clientConfig(server.endpoint, keys));
  const vpc = (subnets: string[], vpcId = net.vpcId) => ({ VpcId: vpcId, SubnetIds: subnets });
  const trail = async (name: string) =>
    ((await new CloudTrailClient(clientConfig(server.endpoint)).send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }] }))).Events ?? []).map(
      (e) => JSON.parse(e.CloudTrailEvent!) as Record<string, unknown> & { userIdentity: Record<string, unknown> },
    );

  before(async () => {
    setDirectoryServiceTiming({ create: STAGE_MS, delete: STAGE_MS, dataAccess: STAGE_MS });
    server = await startServer({ extraServices: [clientVpnStandIn()] });
    ds = new DirectoryServiceClient(clientConfig(server.endpoint));
    ec2 = new EC2Client(clientConfig(server.endpoint));
    iam = new IAMClient(clientConfig(server.endpoint));
    net = await network(server.endpoint);
  });
  after(async () => {
    setDirectoryServiceTiming(FAST_DS_TIMING);
    await server.close();
  });

  it('CreateMicrosoftAD: Creating, then Active with a DNS server in each subnet; the network is built through EC2 on the caller\'s behalf', async () => {
    msad = (await ds.send(new CreateMicrosoftADCommand({ Name: 'corp.example.com', Password: 'Str0ng-Passw0rd', Description: 'test directory', Edition: 'Standard', VpcSettings: vpc([...net.subnets]), Tags: [{ Key: 'env', Value: 'dev' }] }))).DirectoryId!;
    assert.match(msad, /^d-[0-9a-f]{10}$/);
    const creating = (await ds.send(new DescribeDirectoriesCommand({ DirectoryIds: [msad] }))).DirectoryDescriptions![0]!;
    assert.equal(creating.Stage, 'Creating');
    assert.deepEqual(creating.DnsIpAddrs, []);
    assert.deepEqual(
      [creating.Name, creating.ShortName, creating.Type, creating.Edition, creating.Description, creating.Alias, creating.AccessUrl, creating.DesiredNumberOfDomainControllers, creating.SsoEnabled, creating.NetworkType],
      ['corp.example.com', 'CORP', 'MicrosoftAD', 'Standard', 'test directory', msad, `${msad}.awsapps.com`, 2, false, 'IPv4'],
    );
    assert.deepEqual(creating.RegionsInfo, { PrimaryRegion: 'us-east-1', AdditionalRegions: [] });
    assert.deepEqual(creating.VpcSettings!.SubnetIds, [...net.subnets]);
    assert.deepEqual(creating.VpcSettings!.AvailabilityZones, ['us-east-1a', 'us-east-1b']);
    const sg = creating.VpcSettings!.SecurityGroupId!;
    assert.match(sg, /^sg-[0-9a-f]{17}$/);
    await waitForStage(ds, msad, 'Active');
    const active = (await ds.send(new DescribeDirectoriesCommand({ DirectoryIds: [msad] }))).DirectoryDescriptions![0]!;
    assert.ok(active.StageLastUpdatedDateTime! > active.LaunchTime!);
    const prefix = net.cidr.split('.').slice(0, 2).join('.');
    assert.equal(active.DnsIpAddrs!.length, 2);
    assert.ok(active.DnsIpAddrs![0]!.startsWith(`${prefix}.1.`) && active.DnsIpAddrs![1]!.startsWith(`${prefix}.2.`), String(active.DnsIpAddrs));
    // The security group and the controllers' interfaces exist in EC2.
    const group = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sg] }))).SecurityGroups![0]!;
    assert.equal(group.GroupName, `${msad}_controllers`);
    assert.equal(group.VpcId, net.vpcId);
    assert.ok(group.IpPermissions!.some((p) => p.IpProtocol === 'tcp' && p.FromPort === 389 && p.IpRanges![0]!.CidrIp === net.cidr));
    const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'group-id', Values: [sg] }] }))).NetworkInterfaces!;
    assert.deepEqual(enis.map((n) => n.PrivateIpAddress).sort(), [...active.DnsIpAddrs!].sort());
    assert.equal(enis[0]!.Description, `AWS created network interface for directory ${msad}`);
    // Each EC2 step is its own CloudTrail event, invoked by Directory Service for the caller.
    const [created] = await trail('CreateSecurityGroup');
    assert.equal(created!.eventSource, 'ec2.amazonaws.com');
    assert.equal(created!.userIdentity.invokedBy, 'ds.amazonaws.com');
    assert.equal(created!.userIdentity.arn, `arn:aws:iam::${ACCOUNT}:root`);
    assert.equal(created!.sourceIPAddress, 'ds.amazonaws.com');
    const [own] = await trail('CreateMicrosoftAD');
    assert.equal(own!.eventSource, 'ds.amazonaws.com');
    assert.equal((own!.requestParameters as Record<string, unknown>).password, 'HIDDEN_DUE_TO_SECURITY_REASONS');
  });

  it('CreateDirectory (Simple AD) and the checks on the VPC settings; a refused request leaves nothing in the VPC', async () => {
    const simpleAd = (subnets: string[], vpcId?: string) => ds.send(new CreateDirectoryCommand({ Name: 'simple.example.com', Password: 'Str0ng-Passw0rd', Size: 'Small', VpcSettings: vpc(subnets, vpcId) }));
    await rejects(simpleAd([net.subnets[0]]), 'InvalidParameterException', 'Invalid subnet ID(s). They must correspond to two subnets in different Availability Zones.');
    await rejects(simpleAd([net.subnets[0], 'subnet-0123456789abcdef0']), 'InvalidParameterException', 'Invalid subnet ID(s). They must correspond to two subnets in different Availability Zones.');
    await rejects(simpleAd([net.subnets[0], net.sameZone]), 'ClientException', 'Invalid subnet ID(s). The two subnets must be in different Availability Zones.');
    await rejects(simpleAd([net.subnets[0], net.otherVpcSubnet]), 'InvalidParameterException', `Invalid subnet ID(s). Subnet ${net.otherVpcSubnet} is not in VPC ${net.vpcId}.`);
    await rejects(simpleAd([...net.subnets], 'vpc-0123456789abcdef0'), 'ClientException', 'Invalid VPC ID.');
    await rejects(ds.send(new CreateDirectoryCommand({ Name: 'simple.example.com', Password: 'weak', Size: 'Small', VpcSettings: vpc([...net.subnets]) })), 'ValidationException', /at 'password' failed to satisfy constraint/);
    await rejects(ds.send(new CreateDirectoryCommand({ Name: 'simple.example.com', Password: 'Str0ng-Passw0rd', Size: 'Small' })), 'InvalidParameterException', 'VpcSettings must be specified.');
    simple = (await simpleAd([...net.subnets])).DirectoryId!;
    const d = (await ds.send(new DescribeDirectoriesCommand({ DirectoryIds: [simple] }))).DirectoryDescriptions![0]!;
    assert.deepEqual([d.Type, d.Size, d.ShortName, d.Edition, d.DesiredNumberOfDomainControllers, d.OsVersion], ['SimpleAD', 'Small', 'SIMPLE', undefined, undefined, undefined]);
    const controllers = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [net.vpcId] }] }))).SecurityGroups!.filter((g) => g.GroupName!.endsWith('_controllers'));
    assert.deepEqual(controllers.map((g) => g.GroupName).sort(), [`${msad}_controllers`, `${simple}_controllers`].sort());
  });

  it('DescribeDirectories: by id, unknown ids, an empty list, Limit and NextToken', async () => {
    const all = (await ds.send(new DescribeDirectoriesCommand({}))).DirectoryDescriptions!.map((d) => d.DirectoryId);
    assert.deepEqual(all, [msad, simple]);
    const first = await ds.send(new DescribeDirectoriesCommand({ Limit: 1 }));
    assert.deepEqual(first.DirectoryDescriptions!.map((d) => d.DirectoryId), [msad]);
    assert.ok(first.NextToken);
    const second = await ds.send(new DescribeDirectoriesCommand({ Limit: 1, NextToken: first.NextToken }));
    assert.deepEqual(second.DirectoryDescriptions!.map((d) => d.DirectoryId), [simple]);
    assert.equal(second.NextToken, undefined);
    await rejects(ds.send(new DescribeDirectoriesCommand({ NextToken: first.NextToken, DirectoryIds: [msad] })), 'InvalidNextTokenException', 'The NextToken value is not valid.');
    await rejects(ds.send(new DescribeDirectoriesCommand({ DirectoryIds: ['d-0000000000'] })), 'EntityDoesNotExistException', 'Directory d-0000000000 does not exist.');
    await rejects(ds.send(new DescribeDirectoriesCommand({ DirectoryIds: [] })), 'InvalidParameterException');
  });

  it('GetDirectoryLimits counts the Region\'s directories by type', async () => {
    const l = (await ds.send(new GetDirectoryLimitsCommand({}))).DirectoryLimits!;
    assert.deepEqual(
      [l.CloudOnlyDirectoriesLimit, l.CloudOnlyDirectoriesCurrentCount, l.CloudOnlyDirectoriesLimitReached, l.CloudOnlyMicrosoftADLimit, l.CloudOnlyMicrosoftADCurrentCount, l.ConnectedDirectoriesCurrentCount],
      [10, 1, false, 20, 1, 0],
    );
  });

  it('tags: add and overwrite by key, list, remove; the 50-tag quota; aws: keys are reserved', async () => {
    await ds.send(new AddTagsToResourceCommand({ ResourceId: msad, Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'net' }] }));
    assert.deepEqual((await ds.send(new ListTagsForResourceCommand({ ResourceId: msad }))).Tags, [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'net' }]);
    await ds.send(new RemoveTagsFromResourceCommand({ ResourceId: msad, TagKeys: ['team'] }));
    assert.deepEqual((await ds.send(new ListTagsForResourceCommand({ ResourceId: msad }))).Tags, [{ Key: 'env', Value: 'prod' }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejects(ds.send(new AddTagsToResourceCommand({ ResourceId: msad, Tags: many })), 'TagLimitExceededException');
    await rejects(ds.send(new AddTagsToResourceCommand({ ResourceId: msad, Tags: [{ Key: 'aws:owner', Value: 'x' }] })), 'InvalidParameterException');
    await rejects(ds.send(new ListTagsForResourceCommand({ ResourceId: 'd-0000000000' })), 'EntityDoesNotExistException');
  });

  it('the AWS CLI v2 reads directories and limits', async () => {
    const r = await awsCli(server.endpoint, ['ds', 'describe-directories', '--directory-ids', msad]);
    assert.equal(r.code, 0, r.stderr);
    const d = (JSON.parse(r.stdout) as { DirectoryDescriptions: { DirectoryId: string; Stage: string; DnsIpAddrs: string[]; VpcSettings: { SecurityGroupId: string } }[] }).DirectoryDescriptions[0]!;
    assert.deepEqual([d.DirectoryId, d.Stage, d.DnsIpAddrs.length], [msad, 'Active', 2]);
    const missing = await awsCli(server.endpoint, ['ds', 'delete-directory', '--directory-id', 'd-0000000000']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /An error occurred \(EntityDoesNotExistException\) when calling the DeleteDirectory operation: Directory d-0000000000 does not exist\./);
  });

  it('boto3 (a stricter parser) reads a directory and the limits', async () => {
    const out = await boto3(
      server.endpoint,
      `d = client('ds').describe_directories(DirectoryIds=['${msad}'])['DirectoryDescriptions'][0]\nl = client('ds').get_directory_limits()['DirectoryLimits']\nprint(json.dumps([d['Stage'], d['Edition'], d['LaunchTime'].year > 2000, l['CloudOnlyMicrosoftADCurrentCount']]))`,
    );
    assert.deepEqual(JSON.parse(out), ['Active', 'Standard', true, 1]);
  });

  it('Directory Service Data access: Disabled, Enabling, Enabled, Disabling; only for an Active Managed Microsoft AD', async () => {
    assert.equal((await ds.send(new DescribeDirectoryDataAccessCommand({ DirectoryId: msad }))).DataAccessStatus, 'Disabled');
    await ds.send(new EnableDirectoryDataAccessCommand({ DirectoryId: msad }));
    assert.equal((await ds.send(new DescribeDirectoryDataAccessCommand({ DirectoryId: msad }))).DataAccessStatus, 'Enabling');
    await rejects(ds.send(new EnableDirectoryDataAccessCommand({ DirectoryId: msad })), 'DirectoryInDesiredStateException');
    await sleep(STAGE_MS + 50);
    assert.equal((await ds.send(new DescribeDirectoryDataAccessCommand({ DirectoryId: msad }))).DataAccessStatus, 'Enabled');
    await ds.send(new DisableDirectoryDataAccessCommand({ DirectoryId: msad }));
    assert.equal((await ds.send(new DescribeDirectoryDataAccessCommand({ DirectoryId: msad }))).DataAccessStatus, 'Disabling');
    await rejects(ds.send(new EnableDirectoryDataAccessCommand({ DirectoryId: simple })), 'UnsupportedOperationException');
    await rejects(ds.send(new EnableDirectoryDataAccessCommand({ DirectoryId: 'd-0000000000' })), 'DirectoryDoesNotExistException', 'Directory d-0000000000 does not exist.');
    await sleep(STAGE_MS + 50);
    await ds.send(new EnableDirectoryDataAccessCommand({ DirectoryId: msad }));
  });

  it('ResetUserPassword sets a password and enables the user; complexity, unknown users, Simple AD\'s administrator', async () => {
    await sleep(STAGE_MS + 50);
    const made = await dsData<{ SID: string }>(server.endpoint, `out = call(dd.create_user, DirectoryId='${msad}', SAMAccountName='pat')`);
    assert.match(made.SID, /-1104$/);
    await rejects(ds.send(new ResetUserPasswordCommand({ DirectoryId: msad, UserName: 'pat', NewPassword: 'short' })), 'InvalidPasswordException', 'The new password provided by the user does not meet the password complexity requirements defined in your directory.');
    await rejects(ds.send(new ResetUserPasswordCommand({ DirectoryId: msad, UserName: 'pat', NewPassword: 'Pat-Passw0rd-pat' })), 'InvalidPasswordException');
    await ds.send(new ResetUserPasswordCommand({ DirectoryId: msad, UserName: 'pat', NewPassword: 'Wint3r-is-coming' }));
    const user = await dsData<{ Enabled: boolean }>(server.endpoint, `out = call(dd.describe_user, DirectoryId='${msad}', SAMAccountName='PAT')`);
    assert.equal(user.Enabled, true);
    await rejects(ds.send(new ResetUserPasswordCommand({ DirectoryId: msad, UserName: 'nobody', NewPassword: 'Wint3r-is-coming' })), 'UserDoesNotExistException', `User nobody does not exist in directory ${msad}.`);
    await waitForStage(ds, simple, 'Active');
    await ds.send(new ResetUserPasswordCommand({ DirectoryId: simple, UserName: 'Administrator', NewPassword: 'Wint3r-is-coming' }));
  });

  it('IAM: an identity without ds permissions is denied; without EC2 permissions the on-behalf step fails the call; resource tags in conditions', async () => {
    const reader = await makeUser(iam, 'ds-reader');
    await grant(iam, 'ds-reader', 'read', doc(allow('ds:DescribeDirectories')));
    assert.equal((await as(reader).send(new DescribeDirectoriesCommand({}))).DirectoryDescriptions!.length, 2);
    await rejects(
      as(reader).send(new CreateMicrosoftADCommand({ Name: 'other.example.com', Password: 'Str0ng-Passw0rd', VpcSettings: vpc([...net.subnets]) })),
      'AccessDeniedException',
      'User: arn:aws:iam::000000000000:user/ds-reader is not authorized to perform: ds:CreateMicrosoftAD on resource: * because no identity-based policy allows the ds:CreateMicrosoftAD action',
    );
    const dsOnly = await makeUser(iam, 'ds-only');
    await grant(iam, 'ds-only', 'ds', doc(allow('ds:*'), allow(['ec2:Describe*'])));
    await rejects(as(dsOnly).send(new CreateMicrosoftADCommand({ Name: 'other.example.com', Password: 'Str0ng-Passw0rd', VpcSettings: vpc([...net.subnets]) })), 'ClientException', /not authorized to perform: ec2:CreateSecurityGroup/);
    // Deleting only what is tagged env=dev: the Simple AD has no such tag.
    const tagged = await makeUser(iam, 'ds-tagged');
    await grant(iam, 'ds-tagged', 'tagged', doc(allow('ds:DeleteDirectory', '*', { Condition: { StringEquals: { 'aws:ResourceTag/env': 'dev' } } })));
    await rejects(as(tagged).send(new DeleteDirectoryCommand({ DirectoryId: simple })), 'AccessDeniedException', /ds:DeleteDirectory on resource: arn:aws:ds:us-east-1:000000000000:directory\//);
  });

  it('DeleteDirectory is refused while Client VPN is authorized on the directory, then Deleting, then gone with its network', async () => {
    const standIn = (action: string, params: Record<string, string>) =>
      signedRequest(server.endpoint, { service: 'cvpn-standin', body: standInParams(action, params), headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } });
    const created = await standIn('CreateClientVpnEndpoint', {
      ClientCidrBlock: '10.100.0.0/22',
      ServerCertificateArn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555`,
      'Authentication.1.Type': 'directory-service-authentication',
      'Authentication.1.ActiveDirectory.DirectoryId': msad,
      'ConnectionLogOptions.Enabled': 'false',
    });
    assert.equal(created.status, 200, created.body);
    const endpointId = /<clientVpnEndpointId>([^<]+)</.exec(created.body)![1]!;
    // Client VPN's call is made as its service-linked role.
    const [authorized] = await trail('AuthorizeApplication');
    assert.equal(authorized!.eventSource, 'ds.amazonaws.com');
    assert.equal(authorized!.userIdentity.invokedBy, 'clientvpn.amazonaws.com');
    assert.equal(authorized!.userIdentity.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/AWSServiceRoleForClientVPN/ClientVPN`);
    await rejects(
      ds.send(new DeleteDirectoryCommand({ DirectoryId: msad })),
      'ClientException',
      'Cannot delete the directory because it is still authorized for use by AWS applications: ClientVPN. Remove the directory from those applications first.',
    );
    // AuthorizeApplication is an IAM action, not a public operation.
    const wire = await signedRequest(server.endpoint, { service: 'ds', body: JSON.stringify({ DirectoryId: msad }), headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'DirectoryService_20150416.AuthorizeApplication' } });
    assert.equal(wire.status, 400);
    assert.equal(wire.headers.get('x-amzn-errortype'), 'UnknownOperationException');
    assert.equal((await standIn('DeleteClientVpnEndpoint', { ClientVpnEndpointId: endpointId })).status, 200);
    const sg = (await ds.send(new DescribeDirectoriesCommand({ DirectoryIds: [msad] }))).DirectoryDescriptions![0]!.VpcSettings!.SecurityGroupId!;
    assert.deepEqual(await ds.send(new DeleteDirectoryCommand({ DirectoryId: msad })).then((r) => r.DirectoryId), msad);
    assert.equal((await ds.send(new DescribeDirectoriesCommand({ DirectoryIds: [msad] }))).DirectoryDescriptions![0]!.Stage, 'Deleting');
    await rejects(ds.send(new DeleteDirectoryCommand({ DirectoryId: msad })), 'ClientException', `Directory ${msad} is already being deleted.`);
    await rejects(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sg] })), 'InvalidGroup.NotFound');
    assert.deepEqual((await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'group-id', Values: [sg] }] }))).NetworkInterfaces, []);
    // Directory Service Data no longer reaches it.
    const gone = await dsData<ApiError>(server.endpoint, `out = call(dd.list_users, DirectoryId='${msad}')`);
    assert.deepEqual([gone.error, gone.reason], ['AccessDeniedException', 'DIRECTORY_AUTH']);
    await sleep(STAGE_MS + 50);
    await rejects(ds.send(new DescribeDirectoriesCommand({ DirectoryIds: [msad] })), 'EntityDoesNotExistException');
    assert.deepEqual((await ds.send(new DescribeDirectoriesCommand({}))).DirectoryDescriptions!.map((d) => d.DirectoryId), [simple]);
  });
});
