/**
 * IAM access keys against the real server: a new key authenticates as its user, stops
 * when made inactive or deleted, the two-key quota, last use, and the root user's keys.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  ListAccessKeysCommand,
  ListUsersCommand,
  UpdateAccessKeyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ACCOUNT, boto3, startServer, type Running } from '../../helpers/server.js';
import { allow, iamClient, policyDoc, rejects, stsClient, userWithKey, whoAmI } from './helpers.js';

const INVALID_TOKEN = 'The security token included in the request is invalid.';

describe('IAM access keys', () => {
  let server: Running;
  let iam: IAMClient;
  before(async () => {
    server = await startServer();
    iam = iamClient(server.endpoint);
  });
  after(async () => server.close());

  it('a new key authenticates as its user, until it is made inactive or deleted', async () => {
    const user = (await iam.send(new CreateUserCommand({ UserName: 'keyed', Path: '/svc/' }))).User!;
    const created = (await iam.send(new CreateAccessKeyCommand({ UserName: 'keyed' }))).AccessKey!;
    assert.match(created.AccessKeyId!, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(created.SecretAccessKey!.length, 40);
    assert.deepEqual([created.UserName, created.Status], ['keyed', 'Active']);
    const keys = { accessKeyId: created.AccessKeyId!, secretAccessKey: created.SecretAccessKey! };
    const sts = stsClient(server.endpoint, keys);

    const who = await whoAmI(sts);
    assert.deepEqual([who.Arn, who.UserId, who.Account], [`arn:aws:iam::${ACCOUNT}:user/svc/keyed`, user.UserId, ACCOUNT]);

    await iam.send(new UpdateAccessKeyCommand({ UserName: 'keyed', AccessKeyId: keys.accessKeyId, Status: 'Inactive' }));
    const listed = (await iam.send(new ListAccessKeysCommand({ UserName: 'keyed' }))).AccessKeyMetadata!;
    assert.deepEqual(listed.map((k) => [k.UserName, k.AccessKeyId, k.Status]), [['keyed', keys.accessKeyId, 'Inactive']]);
    await rejects(sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', INVALID_TOKEN, 403);

    await iam.send(new UpdateAccessKeyCommand({ UserName: 'keyed', AccessKeyId: keys.accessKeyId, Status: 'Active' }));
    assert.equal((await whoAmI(sts)).Arn, `arn:aws:iam::${ACCOUNT}:user/svc/keyed`);

    await iam.send(new DeleteAccessKeyCommand({ UserName: 'keyed', AccessKeyId: keys.accessKeyId }));
    assert.deepEqual((await iam.send(new ListAccessKeysCommand({ UserName: 'keyed' }))).AccessKeyMetadata, []);
    await rejects(sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', INVALID_TOKEN, 403);
    await rejects(
      iam.send(new DeleteAccessKeyCommand({ UserName: 'keyed', AccessKeyId: keys.accessKeyId })),
      'NoSuchEntity',
      `The Access Key with id ${keys.accessKeyId} cannot be found.`,
      404,
    );
  });

  it('allows two keys per user', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'two-keys' }));
    const a = (await iam.send(new CreateAccessKeyCommand({ UserName: 'two-keys' }))).AccessKey!;
    const b = (await iam.send(new CreateAccessKeyCommand({ UserName: 'two-keys' }))).AccessKey!;
    await rejects(iam.send(new CreateAccessKeyCommand({ UserName: 'two-keys' })), 'LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2', 409);
    const listed = (await iam.send(new ListAccessKeysCommand({ UserName: 'two-keys' }))).AccessKeyMetadata!;
    assert.deepEqual(listed.map((k) => k.AccessKeyId), [a.AccessKeyId, b.AccessKeyId]);
    const page = await iam.send(new ListAccessKeysCommand({ UserName: 'two-keys', MaxItems: 1 }));
    assert.deepEqual([page.AccessKeyMetadata!.map((k) => k.AccessKeyId), page.IsTruncated], [[a.AccessKeyId], true]);
    await rejects(iam.send(new CreateAccessKeyCommand({ UserName: 'nobody' })), 'NoSuchEntity', 'The user with name nobody cannot be found.');
    // Another user's key is not found under this user.
    await iam.send(new CreateUserCommand({ UserName: 'someone-else' }));
    await rejects(
      iam.send(new UpdateAccessKeyCommand({ UserName: 'someone-else', AccessKeyId: a.AccessKeyId!, Status: 'Inactive' })),
      'NoSuchEntity',
      `The Access Key with id ${a.AccessKeyId!} cannot be found.`,
    );
  });

  it('a user manages its own keys without naming itself', async () => {
    const own = `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`;
    const gina = await userWithKey(iam, server.endpoint, 'gina', policyDoc(allow(['iam:ListAccessKeys', 'iam:CreateAccessKey', 'iam:DeleteAccessKey', 'iam:UpdateAccessKey'], own)));
    const mine = (await gina.iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata!;
    assert.deepEqual(mine.map((k) => [k.UserName, k.AccessKeyId]), [['gina', gina.keys.accessKeyId]]);
    // boto3 as the user: rotate the key.
    const py = await boto3(
      server.endpoint,
      "iam = client('iam')\nk = iam.create_access_key()['AccessKey']\nprint(json.dumps({'user': k['UserName'], 'status': k['Status'], 'keys': [m['AccessKeyId'] for m in iam.list_access_keys()['AccessKeyMetadata']], 'new': k['AccessKeyId']}))",
      gina.keys,
    );
    const out = JSON.parse(py) as { user: string; status: string; keys: string[]; new: string };
    assert.deepEqual([out.user, out.status, out.keys], ['gina', 'Active', [gina.keys.accessKeyId, out.new]]);
    await gina.iam.send(new DeleteAccessKeyCommand({ AccessKeyId: out.new }));
    await rejects(
      gina.iam.send(new ListAccessKeysCommand({ UserName: 'keyed-other' })),
      'AccessDenied',
      `User: arn:aws:iam::${ACCOUNT}:user/gina is not authorized to perform: iam:ListAccessKeys on resource: arn:aws:iam::${ACCOUNT}:user/keyed-other because no identity-based policy allows the iam:ListAccessKeys action`,
    );
  });

  it('reports a key’s last use', async () => {
    const hal = await userWithKey(iam, server.endpoint, 'hal', policyDoc(allow('iam:ListUsers')));
    const before = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: hal.keys.accessKeyId }));
    assert.deepEqual([before.UserName, before.AccessKeyLastUsed], ['hal', { ServiceName: 'N/A', Region: 'N/A' }]);

    const t0 = Date.now();
    await hal.iam.send(new ListUsersCommand({}));
    const used = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: hal.keys.accessKeyId }));
    assert.equal(used.UserName, 'hal');
    assert.equal(used.AccessKeyLastUsed!.ServiceName, 'iam');
    assert.equal(used.AccessKeyLastUsed!.Region, 'us-east-1');
    assert.ok(Math.abs(used.AccessKeyLastUsed!.LastUsedDate!.getTime() - t0) < 10_000);

    await rejects(
      iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: 'AKIAIOSFODNN7EXAMPLE' })),
      'AccessDenied',
      `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key AKIAIOSFODNN7EXAMPLE`,
      403,
    );
  });

  it('the root user has its own keys, within the same quota', async () => {
    const rootKeys = (await iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata!;
    assert.deepEqual(rootKeys.map((k) => [k.AccessKeyId, k.Status, k.UserName]), [['test', 'Active', undefined]]);
    const created = (await iam.send(new CreateAccessKeyCommand({}))).AccessKey!;
    assert.equal(created.UserName, undefined);
    const rootSts = stsClient(server.endpoint, { accessKeyId: created.AccessKeyId!, secretAccessKey: created.SecretAccessKey! });
    assert.deepEqual([(await whoAmI(rootSts)).Arn, (await whoAmI(rootSts)).UserId], [`arn:aws:iam::${ACCOUNT}:root`, ACCOUNT]);
    await rejects(iam.send(new CreateAccessKeyCommand({})), 'LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2');
    assert.deepEqual((await iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata!.map((k) => k.AccessKeyId), ['test', created.AccessKeyId]);
    await iam.send(new DeleteAccessKeyCommand({ AccessKeyId: created.AccessKeyId! }));
    await rejects(rootSts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', INVALID_TOKEN);
    assert.deepEqual((await iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata!.map((k) => k.AccessKeyId), ['test']);
  });
});
