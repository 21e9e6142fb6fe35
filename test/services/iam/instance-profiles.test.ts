/**
 * Instance profiles against a real server: create, read, list, delete, one role per
 * profile, tags, and the checks around roles (PassRole, protected roles, DeleteRole).
 * [API] is the IAM API Reference page of the operation; [Quotas] "IAM and AWS STS quotas".
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  GetInstanceProfileCommand,
  IAMClient,
  ListInstanceProfilesCommand,
  ListInstanceProfilesForRoleCommand,
  ListInstanceProfileTagsCommand,
  RemoveRoleFromInstanceProfileCommand,
  TagInstanceProfileCommand,
  UntagInstanceProfileCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT, awsCli, boto3, clientConfig, startServer, type Keys, type Running } from '../../helpers/server.js';
import { allow, doc, grant, makeUser, rejects } from './helpers.js';
import { KIND, type RoleRecord } from '../../../src/services/iam/records.js';
import { awsId } from '../../../src/auth/credentials.js';

const EC2_TRUST = doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });

let s: Running;
let iam: IAMClient;
const client = (keys: Keys): IAMClient => new IAMClient(clientConfig(s.endpoint, keys));

before(async () => {
  s = await startServer();
  iam = client({ accessKeyId: 'test', secretAccessKey: 'test' });
  await iam.send(new CreateRoleCommand({ RoleName: 'WebServer', Path: '/app/', AssumeRolePolicyDocument: EC2_TRUST, Description: 'web' }));
  await iam.send(new CreateRoleCommand({ RoleName: 'Worker', AssumeRolePolicyDocument: EC2_TRUST }));
});
after(async () => {
  iam?.destroy();
  await s?.close();
});

describe('CreateInstanceProfile / GetInstanceProfile / ListInstanceProfiles', () => {
  it('[API] creates a profile with its path, id and tags; GetInstanceProfile returns it', async () => {
    const created = (await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'Web', Path: '/app/', Tags: [{ Key: 'tier', Value: 'web' }] }))).InstanceProfile!;
    assert.equal(created.Arn, `arn:aws:iam::${ACCOUNT}:instance-profile/app/Web`);
    assert.equal(created.Path, '/app/');
    assert.match(created.InstanceProfileId!, /^AIPA[A-Z2-7]{17}$/);
    assert.deepEqual(created.Roles, []);
    assert.deepEqual(created.Tags, [{ Key: 'tier', Value: 'web' }]);
    const got = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'web' }))).InstanceProfile!;
    assert.equal(got.InstanceProfileName, 'Web');
    assert.equal(got.InstanceProfileId, created.InstanceProfileId);
    assert.deepEqual(got.CreateDate, created.CreateDate);
    assert.deepEqual(got.Tags, [{ Key: 'tier', Value: 'web' }]);
  });

  it('[API] duplicate names (any case) are EntityAlreadyExists; unknown ones NoSuchEntity', async () => {
    await rejects(iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'WEB' })), 'EntityAlreadyExists', 'Instance Profile WEB already exists.');
    await rejects(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'Nope' })), 'NoSuchEntity', 'Instance Profile Nope cannot be found.');
    await rejects(iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'Nope' })), 'NoSuchEntity', 'Instance Profile Nope cannot be found.');
  });

  it('[API] ListInstanceProfiles sorts by name, filters by path prefix, pages, and leaves tags out', async () => {
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'batch' }));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'Api', Path: '/app/' }));
    const all = await iam.send(new ListInstanceProfilesCommand({}));
    assert.deepEqual(all.InstanceProfiles!.map((p) => p.InstanceProfileName), ['Api', 'batch', 'Web']);
    assert.ok(all.InstanceProfiles!.every((p) => p.Tags === undefined));
    const app = await iam.send(new ListInstanceProfilesCommand({ PathPrefix: '/app/' }));
    assert.deepEqual(app.InstanceProfiles!.map((p) => p.InstanceProfileName), ['Api', 'Web']);
    const first = await iam.send(new ListInstanceProfilesCommand({ MaxItems: 2 }));
    assert.deepEqual([first.InstanceProfiles!.length, first.IsTruncated], [2, true]);
    const rest = await iam.send(new ListInstanceProfilesCommand({ Marker: first.Marker }));
    assert.deepEqual([rest.InstanceProfiles!.map((p) => p.InstanceProfileName), rest.IsTruncated], [['Web'], false]);
  });
});

describe('Roles in instance profiles', () => {
  it('[API] AddRoleToInstanceProfile puts the role in the profile; GetInstanceProfile and ListInstanceProfilesForRole show it', async () => {
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'Web', RoleName: 'WebServer' }));
    const p = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'Web' }))).InstanceProfile!;
    assert.equal(p.Roles!.length, 1);
    const role = p.Roles![0]!;
    assert.deepEqual([role.RoleName, role.Path, role.Arn, role.Description], ['WebServer', '/app/', `arn:aws:iam::${ACCOUNT}:role/app/WebServer`, 'web']);
    assert.equal(decodeURIComponent(role.AssumeRolePolicyDocument!), EC2_TRUST);
    const forRole = await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'WebServer' }));
    assert.deepEqual(forRole.InstanceProfiles!.map((x) => x.InstanceProfileName), ['Web']);
    assert.deepEqual((await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'Worker' }))).InstanceProfiles, []);
    await rejects(iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'Ghost' })), 'NoSuchEntity', 'The role with name Ghost cannot be found.');
  });

  it('[Quotas] one role per instance profile', async () => {
    await rejects(iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'Web', RoleName: 'Worker' })), 'LimitExceeded', 'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1');
    await rejects(iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'Web', RoleName: 'WebServer' })), 'LimitExceeded', 'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1');
    // A role may be in several profiles.
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'Api', RoleName: 'WebServer' }));
    assert.deepEqual((await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'WebServer' }))).InstanceProfiles!.map((x) => x.InstanceProfileName), ['Api', 'Web']);
    await rejects(iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'batch', RoleName: 'Ghost' })), 'NoSuchEntity', 'The role with name Ghost cannot be found.');
    await rejects(iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'Nope', RoleName: 'Worker' })), 'NoSuchEntity', 'Instance Profile Nope cannot be found.');
  });

  it('[API] a profile holding a role cannot be deleted, nor can the role', async () => {
    await rejects(iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'Api' })), 'DeleteConflict', 'Cannot delete entity, must remove roles from instance profile first.');
    await rejects(iam.send(new DeleteRoleCommand({ RoleName: 'WebServer' })), 'DeleteConflict', 'Cannot delete entity, must remove roles from instance profile first.');
    await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'Api', RoleName: 'WebServer' }));
    await rejects(iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'Api', RoleName: 'WebServer' })), 'NoSuchEntity', 'The role with name WebServer cannot be found.');
    await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'Api' }));
    await rejects(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'Api' })), 'NoSuchEntity');
    assert.deepEqual((await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'WebServer' }))).InstanceProfiles!.map((x) => x.InstanceProfileName), ['Web']);
  });

  it('[API] protected roles cannot be added to or removed from a profile', async () => {
    const role: RoleRecord = {
      RoleName: 'AWSServiceRoleForAutoScaling',
      RoleId: awsId('AROA', 17),
      Arn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
      Path: '/aws-service-role/autoscaling.amazonaws.com/',
      CreateDate: new Date().toISOString(),
      AssumeRolePolicyDocument: doc({ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'autoscaling.amazonaws.com' } }),
      MaxSessionDuration: 3600,
      Tags: [],
      AttachedPolicies: [],
      ServiceLinked: 'autoscaling.amazonaws.com',
    };
    await s.gatehouse.store.transaction((tx) => tx.insert(ACCOUNT, KIND.role, role.RoleId, role, { name: role.RoleName }));
    await rejects(
      iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'batch', RoleName: role.RoleName })),
      'UnmodifiableEntity',
      "Cannot perform the operation on the protected role 'AWSServiceRoleForAutoScaling' - this role is only modifiable by AWS",
    );
    await rejects(iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'batch', RoleName: role.RoleName })), 'UnmodifiableEntity');
    assert.deepEqual((await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'batch' }))).InstanceProfile!.Roles, []);
  });

  it('[API] AddRoleToInstanceProfile needs iam:PassRole on the role as well', async () => {
    const keys = await makeUser(iam, 'builder');
    await grant(iam, 'builder', 'profiles', doc(allow(['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile'], `arn:aws:iam::${ACCOUNT}:instance-profile/*`)));
    const builder = client(keys);
    await rejects(
      builder.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'batch', RoleName: 'Worker' })),
      'AccessDenied',
      `User: arn:aws:iam::${ACCOUNT}:user/builder is not authorized to perform: iam:PassRole on resource: arn:aws:iam::${ACCOUNT}:role/Worker because no identity-based policy allows the iam:PassRole action`,
    );
    await grant(iam, 'builder', 'pass', doc(allow('iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/Worker`)));
    await builder.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'batch', RoleName: 'Worker' }));
    await builder.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'batch', RoleName: 'Worker' }));
    builder.destroy();
  });
});

describe('Instance profile tags', () => {
  it('[API] TagInstanceProfile / UntagInstanceProfile / ListInstanceProfileTags; aws:ResourceTag in the context', async () => {
    await iam.send(new TagInstanceProfileCommand({ InstanceProfileName: 'Web', Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'TIER', Value: 'front' }] }));
    assert.deepEqual((await iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: 'Web' }))).Tags, [{ Key: 'TIER', Value: 'front' }, { Key: 'env', Value: 'prod' }]);
    await iam.send(new UntagInstanceProfileCommand({ InstanceProfileName: 'Web', TagKeys: ['tier'] }));
    assert.deepEqual((await iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: 'Web' }))).Tags, [{ Key: 'env', Value: 'prod' }]);
    await rejects(iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: 'Nope' })), 'NoSuchEntity', 'Instance Profile Nope cannot be found.');
    const keys = await makeUser(iam, 'reader');
    await grant(iam, 'reader', 'prod-only', doc(allow('iam:GetInstanceProfile', '*', { Condition: { StringEquals: { 'aws:ResourceTag/env': 'prod' } } })));
    const reader = client(keys);
    assert.equal((await reader.send(new GetInstanceProfileCommand({ InstanceProfileName: 'Web' }))).InstanceProfile!.InstanceProfileName, 'Web');
    await rejects(
      reader.send(new GetInstanceProfileCommand({ InstanceProfileName: 'batch' })),
      'AccessDenied',
      `User: arn:aws:iam::${ACCOUNT}:user/reader is not authorized to perform: iam:GetInstanceProfile on resource: arn:aws:iam::${ACCOUNT}:instance-profile/batch because no identity-based policy allows the iam:GetInstanceProfile action`,
    );
    await rejects(reader.send(new ListInstanceProfilesCommand({})), 'AccessDenied', /iam:ListInstanceProfiles on resource: arn:aws:iam::000000000000:instance-profile\/ because/);
    reader.destroy();
  });
});

describe('Other clients', () => {
  it('AWS CLI v2: create-instance-profile and get-instance-profile', async () => {
    const created = await awsCli(s.endpoint, ['iam', 'create-instance-profile', '--instance-profile-name', 'CliProfile', '--path', '/cli/']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal((JSON.parse(created.stdout) as { InstanceProfile: { Arn: string } }).InstanceProfile.Arn, `arn:aws:iam::${ACCOUNT}:instance-profile/cli/CliProfile`);
    const missing = await awsCli(s.endpoint, ['iam', 'get-instance-profile', '--instance-profile-name', 'Nope']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /\(NoSuchEntity\) when calling the GetInstanceProfile operation: Instance Profile Nope cannot be found\./);
  });

  it('boto3: add a role, read the profile, list profiles for the role', async () => {
    const out = await boto3(
      s.endpoint,
      `iam = client('iam')
iam.add_role_to_instance_profile(InstanceProfileName='CliProfile', RoleName='Worker')
p = iam.get_instance_profile(InstanceProfileName='CliProfile')['InstanceProfile']
names = [x['InstanceProfileName'] for x in iam.list_instance_profiles_for_role(RoleName='Worker')['InstanceProfiles']]
print(json.dumps({'roles': [r['RoleName'] for r in p['Roles']], 'trust': p['Roles'][0]['AssumeRolePolicyDocument'], 'names': names}))`,
    );
    assert.deepEqual(JSON.parse(out), { roles: ['Worker'], trust: JSON.parse(EC2_TRUST), names: ['CliProfile'] });
  });
});
