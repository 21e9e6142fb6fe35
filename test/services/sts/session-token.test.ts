/**
 * GetSessionToken, GetFederationToken, GetAccessKeyInfo and DecodeAuthorizationMessage:
 * values checked, and the sessions' permissions really applied.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GetUserCommand, type IAMClient } from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  DecodeAuthorizationMessageCommand,
  GetAccessKeyInfoCommand,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  GetSessionTokenCommand,
  type Credentials,
} from '@aws-sdk/client-sts';
import { ACCOUNT, awsCli, startServer, type Keys, type Running } from '../../helpers/server.js';
import { encodeAuthorizationMessage, type AuthorizationMessage } from '../../../src/services/sts/index.js';
import { sessionAccessKeyId } from '../../../src/services/sts/common.js';
import { allow, iamClient, policyDoc, rejects, role, roleArn, stsClient, trust, userArn, userWithKey } from './helpers.js';

const keysOf = (c: Credentials | undefined): Keys => ({ accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! });
const near = (d: Date | undefined, seconds: number): void => assert.ok(d && Math.abs(d.getTime() - (Date.now() + seconds * 1000)) < 5_000, `expiration ${d?.toISOString()} ~ +${seconds}s`);

describe('sts session tokens', () => {
  let server: Running;
  let root: IAMClient;
  let dave: Keys;

  before(async () => {
    server = await startServer();
    root = iamClient(server.endpoint);
    // dave may read users only with MFA, and may use STS's own permissions.
    dave = await userWithKey(
      root,
      'dave',
      policyDoc(
        allow('iam:GetUser', '*', { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }),
        allow(['sts:GetFederationToken', 'sts:GetAccessKeyInfo', 'sts:DecodeAuthorizationMessage', 'sts:AssumeRole']),
      ),
    );
  });
  after(() => server.close());

  it('GetSessionToken: the same user, temporary, 12 hours by default', async () => {
    const out = await stsClient(server.endpoint, dave).send(new GetSessionTokenCommand({}));
    assert.match(out.Credentials!.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
    near(out.Credentials!.Expiration, 43200);
    const session = keysOf(out.Credentials);
    const me = await stsClient(server.endpoint, session).send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, userArn('dave'));
    // No MFA: aws:MultiFactorAuthPresent is false.
    await rejects(iamClient(server.endpoint, session).send(new GetUserCommand({ UserName: 'dave' })), 'AccessDenied', /is not authorized to perform: iam:GetUser/);
    // Not from session credentials.
    await rejects(stsClient(server.endpoint, session).send(new GetSessionTokenCommand({})), 'AccessDenied', 'Cannot call GetSessionToken with session credentials', 403);
    // A session of this kind may still assume a role.
    await role(root, 'from-session', trust({ AWS: userArn('dave') }));
    const assumed = await stsClient(server.endpoint, session).send(new AssumeRoleCommand({ RoleArn: roleArn('from-session'), RoleSessionName: 'ss' }));
    assert.equal(assumed.AssumedRoleUser!.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/from-session/ss`);
  });

  it('GetSessionToken with an MFA code: the session is MFA-authenticated', async () => {
    const out = await stsClient(server.endpoint, dave).send(new GetSessionTokenCommand({ DurationSeconds: 900, SerialNumber: `arn:aws:iam::${ACCOUNT}:mfa/dave`, TokenCode: '123456' }));
    near(out.Credentials!.Expiration, 900);
    const user = await iamClient(server.endpoint, keysOf(out.Credentials)).send(new GetUserCommand({ UserName: 'dave' }));
    assert.equal(user.User!.Arn, userArn('dave'));
    await rejects(stsClient(server.endpoint, dave).send(new GetSessionTokenCommand({ TokenCode: '123456' })), 'AccessDenied', 'MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.');
    await rejects(
      stsClient(server.endpoint, dave).send(new GetSessionTokenCommand({ DurationSeconds: 129601 })),
      'ValidationError',
      "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600",
    );
  });

  it('GetSessionToken for the root user lasts an hour at most', async () => {
    const out = await stsClient(server.endpoint).send(new GetSessionTokenCommand({ DurationSeconds: 7200 }));
    near(out.Credentials!.Expiration, 3600);
    const me = await stsClient(server.endpoint, keysOf(out.Credentials)).send(new GetCallerIdentityCommand({}));
    assert.deepEqual([me.Arn, me.UserId], [`arn:aws:iam::${ACCOUNT}:root`, ACCOUNT]);
  });

  it('GetFederationToken: a federated user cut from the calling user, by the session policy', async () => {
    const sts = stsClient(server.endpoint, dave);
    const out = await sts.send(new GetFederationTokenCommand({ Name: 'fed-app', DurationSeconds: 3600, Policy: policyDoc(allow('sts:GetAccessKeyInfo')) }));
    assert.deepEqual(out.FederatedUser, { FederatedUserId: `${ACCOUNT}:fed-app`, Arn: `arn:aws:sts::${ACCOUNT}:federated-user/fed-app` });
    assert.ok(out.PackedPolicySize! > 0 && out.PackedPolicySize! <= 100);
    near(out.Credentials!.Expiration, 3600);
    const fed = stsClient(server.endpoint, keysOf(out.Credentials));
    const me = await fed.send(new GetCallerIdentityCommand({}));
    assert.deepEqual([me.Arn, me.UserId], [`arn:aws:sts::${ACCOUNT}:federated-user/fed-app`, `${ACCOUNT}:fed-app`]);
    // Allowed by both dave's policy and the session policy.
    assert.equal((await fed.send(new GetAccessKeyInfoCommand({ AccessKeyId: dave.accessKeyId }))).Account, ACCOUNT);
    // Allowed by dave's policy, not by the session policy.
    await rejects(
      fed.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'abc' })),
      'AccessDenied',
      `User: arn:aws:sts::${ACCOUNT}:federated-user/fed-app is not authorized to perform: sts:DecodeAuthorizationMessage on resource: *`,
    );
    // Federated users cannot call these.
    await rejects(fed.send(new GetFederationTokenCommand({ Name: 'again' })), 'AccessDenied', 'Cannot call GetFederationToken with session credentials');
    await rejects(fed.send(new AssumeRoleCommand({ RoleArn: roleArn('from-session'), RoleSessionName: 'ss' })), 'AccessDenied', /is not authorized to perform: sts:AssumeRole/);
  });

  it('GetFederationToken without a session policy grants nothing', async () => {
    const out = await stsClient(server.endpoint, dave).send(new GetFederationTokenCommand({ Name: 'no-policy' }));
    near(out.Credentials!.Expiration, 43200);
    assert.equal(out.PackedPolicySize, undefined);
    await rejects(
      stsClient(server.endpoint, keysOf(out.Credentials)).send(new GetAccessKeyInfoCommand({ AccessKeyId: dave.accessKeyId })),
      'AccessDenied',
      `User: arn:aws:sts::${ACCOUNT}:federated-user/no-policy is not authorized to perform: sts:GetAccessKeyInfo on resource: *`,
    );
    // A user without sts:GetFederationToken is refused.
    const erin = await userWithKey(root, 'erin');
    await rejects(
      stsClient(server.endpoint, erin).send(new GetFederationTokenCommand({ Name: 'x1' })),
      'AccessDenied',
      `User: ${userArn('erin')} is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::${ACCOUNT}:federated-user/x1`,
    );
  });

  it('GetAccessKeyInfo: the account of any key, from its record or its id', async () => {
    const sts = stsClient(server.endpoint, dave);
    const session = await sts.send(new GetSessionTokenCommand({}));
    assert.equal((await sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: session.Credentials!.AccessKeyId! }))).Account, ACCOUNT);
    // A key Gatehouse never issued: the account its id encodes, as AWS reads it.
    assert.equal((await sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: 'ASIAY34FZKBOKMUTVV7A' }))).Account, '609629065308');
    assert.equal((await sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: sessionAccessKeyId('123456789012') }))).Account, '123456789012');
    const erinLess = await userWithKey(root, 'frank');
    await rejects(stsClient(server.endpoint, erinLess).send(new GetAccessKeyInfoCommand({ AccessKeyId: dave.accessKeyId })), 'AccessDenied', `User: ${userArn('frank')} is not authorized to perform: sts:GetAccessKeyInfo on resource: *`);
    const cli = await awsCli(server.endpoint, ['sts', 'get-access-key-info', '--access-key-id', dave.accessKeyId], dave);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(JSON.parse(cli.stdout), { Account: ACCOUNT });
  });

  it('DecodeAuthorizationMessage reveals messages Gatehouse encoded for the account', async () => {
    const message: AuthorizationMessage = {
      allowed: false,
      explicitDeny: true,
      matchedStatements: { items: [{ statementId: 'DenyRun', effect: 'DENY', sourcePolicyId: 'inline', sourcePolicyType: 'identity' }] },
      failures: { items: [] },
      context: {
        principal: { id: 'AIDAEXAMPLE', name: 'dave', arn: userArn('dave') },
        action: 'ec2:RunInstances',
        resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*`,
        conditions: { items: [{ key: 'ec2:InstanceType', values: { items: [{ value: 't3.micro' }] } }] },
      },
    };
    const encoded = encodeAuthorizationMessage(ACCOUNT, message);
    const out = await stsClient(server.endpoint, dave).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }));
    assert.deepEqual(JSON.parse(out.DecodedMessage!), message);
    const invalid = 'The encoded authorization message is invalid or was not issued for this account.';
    await rejects(stsClient(server.endpoint, dave).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: `${encoded.slice(0, -4)}AAAA` })), 'InvalidAuthorizationMessageException', invalid, 400);
    // Another account's message does not decode here.
    await rejects(stsClient(server.endpoint, dave).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encodeAuthorizationMessage('111122223333', message) })), 'InvalidAuthorizationMessageException', invalid);
    const erin = await userWithKey(root, 'gina');
    await rejects(stsClient(server.endpoint, erin).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded })), 'AccessDenied', `User: ${userArn('gina')} is not authorized to perform: sts:DecodeAuthorizationMessage on resource: *`);
  });
});
