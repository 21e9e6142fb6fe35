/**
 * sts:AssumeRoleWithWebIdentity: unsigned, the token checked against the account's IAM
 * OIDC provider, the role's trust policy deciding with the token's claims.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateOpenIDConnectProviderCommand, GetRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import type { KeyObject } from 'node:crypto';
import { ACCOUNT, awsCli, clientConfig, REGION, startServer, type Running } from '../../helpers/server.js';
import { allow, iamClient, mintJwt, policyDoc, rejects, role, roleArn, rsaKey, stsClient, trust } from './helpers.js';

const ISSUER = 'https://idp.example.com/tenant-1';
const HOST = 'idp.example.com/tenant-1';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;

describe('sts:AssumeRoleWithWebIdentity', () => {
  let server: Running;
  let root: IAMClient;
  let key: KeyObject;
  /** An STS client without credentials: the operation is unsigned. */
  let anonymous: STSClient;
  let roleId: string;
  const token = (claims: Record<string, unknown> = {}): string => mintJwt(key, { iss: ISSUER, sub: 'alice', aud: 'app-1', ...claims });

  before(async () => {
    server = await startServer();
    root = iamClient(server.endpoint);
    key = rsaKey().privateKey;
    anonymous = new STSClient({ endpoint: server.endpoint, region: REGION, maxAttempts: 1, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } });
    await root.send(new CreateOpenIDConnectProviderCommand({ Url: ISSUER, ClientIDList: ['app-1', 'app-2'], ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'] }));
    roleId = await role(
      root,
      'web',
      trust({ Federated: PROVIDER }, 'sts:AssumeRoleWithWebIdentity', { StringEquals: { [`${HOST}:aud`]: 'app-1', [`${HOST}:sub`]: 'alice' } }),
      { policy: policyDoc(allow('iam:GetRole')) },
    );
  });
  after(() => server.close());

  it('issues a role session for a token the trust policy accepts', async () => {
    const out = await anonymous.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn('web'), RoleSessionName: 'alice-web', WebIdentityToken: token(), DurationSeconds: 900 }));
    assert.equal(out.SubjectFromWebIdentityToken, 'alice');
    assert.equal(out.Provider, PROVIDER);
    assert.equal(out.Audience, 'app-1');
    assert.deepEqual(out.AssumedRoleUser, { AssumedRoleId: `${roleId}:alice-web`, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/web/alice-web` });
    assert.ok(Math.abs(out.Credentials!.Expiration!.getTime() - (Date.now() + 900_000)) < 5_000);
    const keys = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
    const me = await stsClient(server.endpoint, keys).send(new GetCallerIdentityCommand({}));
    assert.deepEqual([me.Arn, me.UserId], [`arn:aws:sts::${ACCOUNT}:assumed-role/web/alice-web`, `${roleId}:alice-web`]);
    const got = await iamClient(server.endpoint, keys).send(new GetRoleCommand({ RoleName: 'web' }));
    assert.equal(got.Role!.RoleName, 'web');
  });

  it('CloudTrail records the call in the role\'s account as a WebIdentityUser named by the token\'s subject', async () => {
    const trail = new CloudTrailClient(clientConfig(server.endpoint));
    const events = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRoleWithWebIdentity' }] }));
    const e = JSON.parse(events.Events!.at(-1)!.CloudTrailEvent!) as { userIdentity: Record<string, unknown>; recipientAccountId: string; errorCode?: string };
    assert.equal(e.errorCode, undefined);
    assert.equal(e.recipientAccountId, ACCOUNT);
    assert.deepEqual(e.userIdentity, { type: 'WebIdentityUser', principalId: `${PROVIDER}:app-1:alice`, userName: 'alice', identityProvider: PROVIDER });
  });

  it('is served without a signature (raw form POST), with AWS wire codes', async () => {
    const post = async (params: Record<string, string>): Promise<{ status: number; body: string }> => {
      const res = await fetch(server.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', ...params }) });
      return { status: res.status, body: await res.text() };
    };
    const ok = await post({ RoleArn: roleArn('web'), RoleSessionName: 'raw', WebIdentityToken: token() });
    assert.equal(ok.status, 200, ok.body);
    assert.match(ok.body, /<AssumedRoleUser><AssumedRoleId>AROA[A-Z2-7]{16,17}:raw<\/AssumedRoleId><Arn>arn:aws:sts::000000000000:assumed-role\/web\/raw<\/Arn><\/AssumedRoleUser>/);
    const expired = await post({ RoleArn: roleArn('web'), RoleSessionName: 'raw', WebIdentityToken: token({ exp: 1_600_000_000 }) });
    assert.equal(expired.status, 400);
    assert.match(expired.body, /<Code>ExpiredTokenException<\/Code><Message>Token expired: current date\/time \d+ must be before the expiration date\/time1600000000<\/Message>/);
    const wrongAudience = await post({ RoleArn: roleArn('web'), RoleSessionName: 'raw', WebIdentityToken: token({ aud: 'other' }) });
    assert.match(wrongAudience.body, /<Code>InvalidIdentityToken<\/Code><Message>Incorrect token audience<\/Message>/);
    // Other operations still need a signature.
    const unsigned = await fetch(server.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
    assert.equal(unsigned.status, 403);
  });

  it('refuses tokens the trust policy does not accept', async () => {
    const denied = 'Not authorized to perform sts:AssumeRoleWithWebIdentity';
    const send = (t: string, name = 'ss', arn = roleArn('web')) => anonymous.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: arn, RoleSessionName: name, WebIdentityToken: t }));
    await rejects(send(token({ sub: 'mallory' })), 'AccessDenied', denied, 403);
    // app-2 is a client of the provider, but the trust policy wants app-1.
    await rejects(send(token({ aud: 'app-2' })), 'AccessDenied', denied, 403);
    await rejects(send(token(), 'ss', roleArn('missing')), 'AccessDenied', denied, 403);
    // A trust policy naming the account does not let a web identity in.
    await role(root, 'account-only', trust({ AWS: ACCOUNT }, ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity']));
    await rejects(send(token(), 'ss', roleArn('account-only')), 'AccessDenied', denied, 403);
  });

  it('validates the token: issuer, audience, expiry, format', async () => {
    const send = (t: string) => anonymous.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn('web'), RoleSessionName: 'ss', WebIdentityToken: t }));
    await rejects(send(token({ aud: 'not-a-client' })), 'InvalidIdentityTokenException', 'Incorrect token audience', 400);
    await rejects(send(token({ iss: 'https://unknown.example.com' })), 'InvalidIdentityTokenException', 'No OpenIDConnect provider found in your account for https://unknown.example.com', 400);
    const now = Math.floor(Date.now() / 1000);
    await rejects(send(token({ exp: now - 10 })), 'ExpiredTokenException', new RegExp(`^Token expired: current date/time \\d+ must be before the expiration date/time${now - 10}$`), 400);
    await rejects(send('not-a-jwt-token'), 'InvalidIdentityTokenException', 'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)', 400);
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: ISSUER, sub: 'alice', aud: 'app-1', exp: now + 60 })).toString('base64url')}.`;
    await rejects(send(unsigned), 'InvalidIdentityTokenException', 'The ID Token provided is not signed.');
  });

  it('session tags from the token need sts:TagSession in the trust policy', async () => {
    const tagged = token({ 'https://aws.amazon.com/tags': { principal_tags: { team: ['blue'] }, transitive_tag_keys: ['team'] } });
    await rejects(anonymous.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn('web'), RoleSessionName: 'ss', WebIdentityToken: tagged })), 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
    await role(root, 'web-tags', trust({ Federated: PROVIDER }, ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'], { StringEquals: { [`${HOST}:sub`]: 'alice' } }), {
      policy: policyDoc(allow('iam:GetRole', '*', { StringEquals: { 'aws:PrincipalTag/team': 'blue' } })),
    });
    const out = await anonymous.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn('web-tags'), RoleSessionName: 'ss', WebIdentityToken: tagged }));
    assert.ok(out.PackedPolicySize! > 0);
    const keys = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
    await iamClient(server.endpoint, keys).send(new GetRoleCommand({ RoleName: 'web-tags' }));
  });

  it('works from the AWS CLI (unsigned)', async () => {
    const cli = await awsCli(server.endpoint, ['sts', 'assume-role-with-web-identity', '--role-arn', roleArn('web'), '--role-session-name', 'cli', '--web-identity-token', token()]);
    assert.equal(cli.code, 0, cli.stderr);
    const out = JSON.parse(cli.stdout) as { AssumedRoleUser: { Arn: string }; Provider: string; SubjectFromWebIdentityToken: string };
    assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/web/cli`);
    assert.equal(out.Provider, PROVIDER);
    assert.equal(out.SubjectFromWebIdentityToken, 'alice');
  });
});
