/**
 * sts:AssumeRole end to end: the trust policy and the caller's identity policies decide
 * (iam.md §4), the session's credentials really work as the session (its ARN, the role's
 * policies, its session policies and tags), and really stop working when they expire.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreatePolicyCommand, GetRoleCommand, GetUserCommand, ListRolesCommand, type IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ACCOUNT, awsCli, boto3, startServer, type Keys, type Running } from '../../helpers/server.js';
import { allow, assume, Clock, iamClient, policyDoc, rejects, role, roleArn, stsClient, trust, userArn, userWithKey } from './helpers.js';

const ROOT_ARN = `arn:aws:iam::${ACCOUNT}:root`;

describe('sts:AssumeRole', () => {
  const clock = new Clock();
  let server: Running;
  let root: IAMClient;
  /** alice may assume any role (identity policy); bob has no policies. */
  let alice: Keys;
  let bob: Keys;
  let appRoleId: string;

  before(async () => {
    server = await startServer({ now: clock.now });
    root = iamClient(server.endpoint);
    alice = await userWithKey(root, 'alice', policyDoc(allow('sts:AssumeRole'), allow('sts:TagSession'), allow('sts:SetSourceIdentity')));
    bob = await userWithKey(root, 'bob');
    appRoleId = await role(root, 'app', trust({ AWS: [userArn('alice'), userArn('bob')] }, ['sts:AssumeRole', 'sts:SetSourceIdentity']), {
      path: '/service/',
      maxSessionDuration: 7200,
      policy: policyDoc(allow(['iam:GetRole', 'iam:ListRoles'])),
    });
  });
  after(() => server.close());

  it('returns credentials, the assumed-role user and an expiration, and the session acts as the role session', async () => {
    const started = clock.now().getTime();
    const out = await stsClient(server.endpoint, alice).send(new AssumeRoleCommand({ RoleArn: roleArn('app', '/service/'), RoleSessionName: 'deploy-1', DurationSeconds: 1800 }));
    const c = out.Credentials!;
    assert.match(c.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(c.SecretAccessKey!.length, 40);
    assert.ok(c.SessionToken!.length > 300, 'a long opaque session token');
    assert.ok(Math.abs(c.Expiration!.getTime() - (started + 1800_000)) < 5_000, `expiration ${c.Expiration!.toISOString()}`);
    // The session ARN has no path; the role id prefixes the assumed-role id.
    assert.deepEqual(out.AssumedRoleUser, { AssumedRoleId: `${appRoleId}:deploy-1`, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/deploy-1` });
    assert.equal(out.PackedPolicySize, undefined);

    const session = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    const me = await stsClient(server.endpoint, session).send(new GetCallerIdentityCommand({}));
    assert.deepEqual({ Arn: me.Arn, UserId: me.UserId, Account: me.Account }, { Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/deploy-1`, UserId: `${appRoleId}:deploy-1`, Account: ACCOUNT });
    // The role's own policies apply to the session.
    const got = await iamClient(server.endpoint, session).send(new GetRoleCommand({ RoleName: 'app' }));
    assert.equal(got.Role!.Arn, roleArn('app', '/service/'));
    assert.equal(got.Role!.RoleLastUsed?.Region, 'us-east-1');
    assert.ok(got.Role!.RoleLastUsed?.LastUsedDate instanceof Date);
  });

  it('a trust policy naming the caller is enough in the same account (no identity policy needed)', async () => {
    const out = await stsClient(server.endpoint, bob).send(new AssumeRoleCommand({ RoleArn: roleArn('app', '/service/'), RoleSessionName: 'bob' }));
    assert.equal(out.AssumedRoleUser!.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app/bob`);
    // Default duration: one hour.
    assert.ok(Math.abs(out.Credentials!.Expiration!.getTime() - (clock.now().getTime() + 3600_000)) < 5_000);
  });

  it('refuses a caller the trust policy does not name, with AWS message', async () => {
    await role(root, 'only-bob', trust({ AWS: userArn('bob') }));
    await rejects(
      stsClient(server.endpoint, alice).send(new AssumeRoleCommand({ RoleArn: roleArn('only-bob'), RoleSessionName: 'ss' })),
      'AccessDenied',
      `User: ${userArn('alice')} is not authorized to perform: sts:AssumeRole on resource: ${roleArn('only-bob')}`,
      403,
    );
    // A role that does not exist reads the same.
    await rejects(stsClient(server.endpoint, alice).send(new AssumeRoleCommand({ RoleArn: roleArn('nope'), RoleSessionName: 'ss' })), 'AccessDenied', `User: ${userArn('alice')} is not authorized to perform: sts:AssumeRole on resource: ${roleArn('nope')}`);
    // So does the right name with the wrong path: role ARNs match exactly.
    await rejects(stsClient(server.endpoint, bob).send(new AssumeRoleCommand({ RoleArn: roleArn('app'), RoleSessionName: 'ss' })), 'AccessDenied', /on resource: arn:aws:iam::000000000000:role\/app$/);
  });

  it('a trust policy naming the account delegates to the caller identity policies', async () => {
    await role(root, 'account-trust', trust({ AWS: ROOT_ARN }));
    await rejects(
      stsClient(server.endpoint, bob).send(new AssumeRoleCommand({ RoleArn: roleArn('account-trust'), RoleSessionName: 'ss' })),
      'AccessDenied',
      `User: ${userArn('bob')} is not authorized to perform: sts:AssumeRole on resource: ${roleArn('account-trust')}`,
    );
    const out = await stsClient(server.endpoint, alice).send(new AssumeRoleCommand({ RoleArn: roleArn('account-trust'), RoleSessionName: 'ss' }));
    assert.equal(out.AssumedRoleUser!.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/account-trust/ss`);
  });

  it('checks the sts:ExternalId condition', async () => {
    await role(root, 'vendor', trust({ AWS: ROOT_ARN }, 'sts:AssumeRole', { StringEquals: { 'sts:ExternalId': 'Unique-42' } }));
    const sts = stsClient(server.endpoint, alice);
    const denied = `User: ${userArn('alice')} is not authorized to perform: sts:AssumeRole on resource: ${roleArn('vendor')}`;
    await rejects(sts.send(new AssumeRoleCommand({ RoleArn: roleArn('vendor'), RoleSessionName: 'ss' })), 'AccessDenied', denied);
    await rejects(sts.send(new AssumeRoleCommand({ RoleArn: roleArn('vendor'), RoleSessionName: 'ss', ExternalId: 'Unique-43' })), 'AccessDenied', denied);
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn('vendor'), RoleSessionName: 'ss', ExternalId: 'Unique-42' }));
    assert.equal(out.AssumedRoleUser!.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/vendor/ss`);
  });

  it('a session policy limits the session to what both it and the role allow', async () => {
    await role(root, 'admin', trust({ AWS: ROOT_ARN }), { policy: policyDoc(allow('*')) });
    const sts = stsClient(server.endpoint, alice);
    // Without a session policy: everything the role allows.
    const full = iamClient(server.endpoint, await assume(sts, { RoleArn: roleArn('admin'), RoleSessionName: 'full' }));
    await full.send(new ListRolesCommand({}));
    await full.send(new GetUserCommand({ UserName: 'bob' }));

    const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn('admin'), RoleSessionName: 'narrow', Policy: policyDoc(allow('iam:ListRoles')) }));
    assert.ok(out.PackedPolicySize! >= 1 && out.PackedPolicySize! <= 100, `PackedPolicySize ${out.PackedPolicySize}`);
    const c = out.Credentials!;
    const narrow = iamClient(server.endpoint, { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! });
    await narrow.send(new ListRolesCommand({}));
    await rejects(
      narrow.send(new GetUserCommand({ UserName: 'bob' })),
      'AccessDenied',
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/admin/narrow is not authorized to perform: iam:GetUser on resource: ${userArn('bob')} because no session policy allows the iam:GetUser action`,
    );

    // A managed session policy (PolicyArns) caps the session the same way.
    const managed = await root.send(new CreatePolicyCommand({ PolicyName: 'get-user-only', PolicyDocument: policyDoc(allow('iam:GetUser')) }));
    const byArn = iamClient(server.endpoint, await assume(sts, { RoleArn: roleArn('admin'), RoleSessionName: 'by-arn', PolicyArns: [{ arn: managed.Policy!.Arn! }] }));
    await byArn.send(new GetUserCommand({ UserName: 'bob' }));
    await rejects(byArn.send(new ListRolesCommand({})), 'AccessDenied', /because no session policy allows the iam:ListRoles action$/);
  });

  it('the role policies bound the session: a role without policies can do nothing', async () => {
    await role(root, 'empty', trust({ AWS: userArn('alice') }));
    const session = iamClient(server.endpoint, await assume(stsClient(server.endpoint, alice), { RoleArn: roleArn('empty'), RoleSessionName: 'ss' }));
    await rejects(session.send(new ListRolesCommand({})), 'AccessDenied', /assumed-role\/empty\/ss is not authorized to perform: iam:ListRoles on resource: .* because no identity-based policy allows the iam:ListRoles action$/);
  });

  it('validates session policies, durations and the session name', async () => {
    const sts = stsClient(server.endpoint, alice);
    const arn = roleArn('app', '/service/');
    await rejects(sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'ss', Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}' })), 'MalformedPolicyDocumentException', 'Policy statement must contain actions.', 400);
    const huge = policyDoc(...Array.from({ length: 60 }, (_, i) => allow(`iam:GetRole`, `arn:aws:iam::${ACCOUNT}:role/${i}-${'x'.repeat(30)}`)));
    await rejects(sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'ss', Policy: huge })), 'PackedPolicyTooLargeException', /^Packed policy consumes \d+% of allotted space, please use smaller policy\.$/, 400);
    await rejects(sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'ss', DurationSeconds: 7201 })), 'ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    await rejects(
      sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'ss', DurationSeconds: 600 })),
      'ValidationError',
      "1 validation error detected: Value '600' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    );
    await rejects(
      sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'has space' })),
      'ValidationError',
      "1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    );
    await rejects(sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:user/alice-is-no-role', RoleSessionName: 'ss' })), 'ValidationError', 'Request ARN is invalid');
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'ss', DurationSeconds: 7200 }));
    assert.ok(out.Credentials!.Expiration!.getTime() - clock.now().getTime() > 7190_000);
  });

  it('role chaining: a role session may assume a role, for one hour at most', async () => {
    await role(root, 'chained', trust({ AWS: roleArn('app', '/service/') }));
    await role(root, 'chained-si', trust({ AWS: roleArn('app', '/service/') }, ['sts:AssumeRole', 'sts:SetSourceIdentity']));
    const first = await assume(stsClient(server.endpoint, alice), { RoleArn: roleArn('app', '/service/'), RoleSessionName: 'first', SourceIdentity: 'alice-id' });
    const sts = stsClient(server.endpoint, first);
    await rejects(
      sts.send(new AssumeRoleCommand({ RoleArn: roleArn('chained-si'), RoleSessionName: 'second', DurationSeconds: 3601 })),
      'ValidationError',
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
    // The source identity set on the first session carries over: the next role must allow it.
    await rejects(
      sts.send(new AssumeRoleCommand({ RoleArn: roleArn('chained'), RoleSessionName: 'second' })),
      'AccessDenied',
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/app/first is not authorized to perform: sts:SetSourceIdentity on resource: ${roleArn('chained')}`,
    );
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn('chained-si'), RoleSessionName: 'second' }));
    assert.equal(out.AssumedRoleUser!.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/chained-si/second`);
    assert.equal(out.SourceIdentity, 'alice-id');
    const me = await stsClient(server.endpoint, { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! }).send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/chained-si/second`);
  });

  it('the root user cannot assume roles', async () => {
    await rejects(stsClient(server.endpoint).send(new AssumeRoleCommand({ RoleArn: roleArn('app', '/service/'), RoleSessionName: 'ss' })), 'AccessDenied', 'Roles may not be assumed by root accounts.', 403);
  });

  it('session tags need sts:TagSession in the trust policy and become principal tags', async () => {
    // The role may read roles only for sessions tagged team=blue.
    const permissions = policyDoc(allow('iam:GetRole', '*', { StringEquals: { 'aws:PrincipalTag/team': 'blue' } }));
    await role(root, 'no-tags', trust({ AWS: userArn('alice') }), { policy: permissions });
    await role(root, 'tags', trust({ AWS: userArn('alice') }, ['sts:AssumeRole', 'sts:TagSession']), { policy: permissions });
    const sts = stsClient(server.endpoint, alice);
    await rejects(
      sts.send(new AssumeRoleCommand({ RoleArn: roleArn('no-tags'), RoleSessionName: 'ss', Tags: [{ Key: 'team', Value: 'blue' }] })),
      'AccessDenied',
      `User: ${userArn('alice')} is not authorized to perform: sts:TagSession on resource: ${roleArn('no-tags')}`,
    );
    const blue = iamClient(server.endpoint, await assume(sts, { RoleArn: roleArn('tags'), RoleSessionName: 'blue', Tags: [{ Key: 'team', Value: 'blue' }] }));
    await blue.send(new GetRoleCommand({ RoleName: 'tags' }));
    const red = iamClient(server.endpoint, await assume(sts, { RoleArn: roleArn('tags'), RoleSessionName: 'red', Tags: [{ Key: 'team', Value: 'red' }] }));
    await rejects(red.send(new GetRoleCommand({ RoleName: 'tags' })), 'AccessDenied', /because no identity-based policy allows the iam:GetRole action$/);
    await rejects(
      sts.send(new AssumeRoleCommand({ RoleArn: roleArn('tags'), RoleSessionName: 'ss', Tags: [{ Key: 'a', Value: '1' }], TransitiveTagKeys: ['b'] })),
      'ValidationError',
      /transitive tag key b/,
    );
  });

  it('session credentials expire: ExpiredToken after DurationSeconds', async () => {
    const keys = await assume(stsClient(server.endpoint, alice), { RoleArn: roleArn('app', '/service/'), RoleSessionName: 'short', DurationSeconds: 900 });
    try {
      clock.offsetMs = 800_000;
      const me = await stsClient(server.endpoint, keys, clock).send(new GetCallerIdentityCommand({}));
      assert.equal(me.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app/short`);
      clock.offsetMs = 901_000;
      await rejects(stsClient(server.endpoint, keys, clock).send(new GetCallerIdentityCommand({})), 'ExpiredToken', 'The security token included in the request is expired', 403);
      await rejects(iamClient(server.endpoint, keys, clock).send(new GetRoleCommand({ RoleName: 'app' })), 'ExpiredToken', 'The security token included in the request is expired', 403);
    } finally {
      clock.offsetMs = 0;
    }
  });

  it('refuses a forged or missing session token', async () => {
    const keys = await assume(stsClient(server.endpoint, alice), { RoleArn: roleArn('app', '/service/'), RoleSessionName: 'forged' });
    const token = keys.sessionToken!;
    const forged = token.slice(0, 100) + (token[100] === 'A' ? 'B' : 'A') + token.slice(101);
    const invalid = 'The security token included in the request is invalid.';
    await rejects(stsClient(server.endpoint, { ...keys, sessionToken: forged }).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', invalid, 403);
    await rejects(stsClient(server.endpoint, { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey }).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', invalid, 403);
    // A real token with another session's key.
    const other = await assume(stsClient(server.endpoint, alice), { RoleArn: roleArn('app', '/service/'), RoleSessionName: 'other' });
    await rejects(stsClient(server.endpoint, { ...keys, sessionToken: other.sessionToken! }).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', invalid, 403);
  });

  it('works from the AWS CLI and boto3', async () => {
    const cli = await awsCli(server.endpoint, ['sts', 'assume-role', '--role-arn', roleArn('app', '/service/'), '--role-session-name', 'cli', '--duration-seconds', '900'], alice);
    assert.equal(cli.code, 0, cli.stderr);
    const out = JSON.parse(cli.stdout) as { Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string }; AssumedRoleUser: { Arn: string; AssumedRoleId: string } };
    assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app/cli`);
    assert.equal(out.AssumedRoleUser.AssumedRoleId, `${appRoleId}:cli`);
    const session = { accessKeyId: out.Credentials.AccessKeyId, secretAccessKey: out.Credentials.SecretAccessKey, sessionToken: out.Credentials.SessionToken };
    const who = JSON.parse(await boto3(server.endpoint, `print(json.dumps(client('sts').get_caller_identity()['Arn']))`, session)) as string;
    assert.equal(who, `arn:aws:sts::${ACCOUNT}:assumed-role/app/cli`);
    const denied = await awsCli(server.endpoint, ['sts', 'assume-role', '--role-arn', roleArn('only-bob'), '--role-session-name', 'cli'], alice);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /\(AccessDenied\) when calling the AssumeRole operation: User: arn:aws:iam::000000000000:user\/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role\/only-bob/);
  });
});

describe('sts:AssumeRole across accounts', () => {
  const B = '111122223333';
  const rootB = { accessKeyId: 'rootB', secretAccessKey: 'rootB-secret' };
  let server: Running;

  before(async () => {
    server = await startServer({ accounts: [{ id: ACCOUNT, accessKeyId: 'test', secretAccessKey: 'test' }, { id: B, ...rootB }] });
  });
  after(() => server.close());

  it('needs both the trust policy of the role and the identity policy of the caller', async () => {
    const iamA = iamClient(server.endpoint);
    const iamB = iamClient(server.endpoint, rootB);
    const target = `arn:aws:iam::${B}:role/cross`;
    const roleId = await role(iamB, 'cross', trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }, 'sts:AssumeRole', { StringEquals: { 'sts:ExternalId': 'ext-1' } }), { policy: policyDoc(allow('iam:GetRole')) });
    const allowed = await userWithKey(iamA, 'traveller', policyDoc(allow('sts:AssumeRole', target)));
    const stay = await userWithKey(iamA, 'homebody');
    // Trusted account, no identity allow: refused.
    await rejects(
      stsClient(server.endpoint, stay).send(new AssumeRoleCommand({ RoleArn: target, RoleSessionName: 'ss', ExternalId: 'ext-1' })),
      'AccessDenied',
      `User: ${userArn('homebody')} is not authorized to perform: sts:AssumeRole on resource: ${target}`,
    );
    // Identity allow, trust condition unmet: refused.
    await rejects(stsClient(server.endpoint, allowed).send(new AssumeRoleCommand({ RoleArn: target, RoleSessionName: 'ss' })), 'AccessDenied', /is not authorized to perform: sts:AssumeRole/);
    const out = await stsClient(server.endpoint, allowed).send(new AssumeRoleCommand({ RoleArn: target, RoleSessionName: 'visit', ExternalId: 'ext-1' }));
    assert.deepEqual(out.AssumedRoleUser, { AssumedRoleId: `${roleId}:visit`, Arn: `arn:aws:sts::${B}:assumed-role/cross/visit` });
    const session = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
    const me = await stsClient(server.endpoint, session).send(new GetCallerIdentityCommand({}));
    assert.equal(me.Account, B);
    // The session acts in account B with the role's permissions.
    const got = await iamClient(server.endpoint, session).send(new GetRoleCommand({ RoleName: 'cross' }));
    assert.equal(got.Role!.Arn, target);
  });
});
