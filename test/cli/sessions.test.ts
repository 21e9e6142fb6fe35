/**
 * STS sessions from the shell: `aws sts assume-role --policy` returns credentials the CLI
 * then uses (AWS_SESSION_TOKEN); the session policy caps the role's permissions ("...
 * because no session policy allows ..."); get-caller-identity names the assumed role. And
 * the credential errors the CLI prints: a wrong secret (SignatureDoesNotMatch), a forged
 * session token (InvalidClientTokenId) and an expired session (ExpiredToken).
 *
 * Expiry without waiting: the server runs on a clock the test moves (GatehouseOptions.now).
 * The CLI signs with the real time; at +13 minutes that is within SigV4's 15-minute window,
 * and at +15 minutes the server refuses the expired token before it looks at the
 * signature's time (src/server/pipeline.ts resolves credentials, then verifies).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type Keys, type Running } from '../helpers/server.js';
import { ACCOUNT, allow, aws, denied, doc, expectError, keysOf, roleArn } from './helpers.js';

/** The server's clock: real time plus an offset the test moves. */
class Clock {
  offsetMs = 0;
  readonly now = (): Date => new Date(Date.now() + this.offsetMs);
}

const SESSION_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/app/cli`;
const TRUST_ACCOUNT = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' });
const SESSION_POLICY = doc(allow('iam:ListRoles'));
// AWS's messages (AWS STS API reference, "Common Errors"; the CLI prints them verbatim).
const INVALID_TOKEN = 'The security token included in the request is invalid.';
const EXPIRED = 'The security token included in the request is expired';
const BAD_SIGNATURE = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

describe('aws sts assume-role: session policies, and credential errors', () => {
  const clock = new Clock();
  let server: Running;
  let roleId: string;
  let session: Keys;

  before(async () => {
    server = await startServer({ now: clock.now });
  });
  after(() => server.close());

  it('as root: a role trusting the account, and a user ops who may assume roles', async () => {
    const [role] = await Promise.all([
      aws(server.endpoint, ['iam', 'create-role', '--role-name', 'app', '--assume-role-policy-document', TRUST_ACCOUNT]),
      aws(server.endpoint, ['iam', 'create-user', '--user-name', 'ops']),
    ]);
    roleId = role.Role.RoleId;
    const [, , key] = await Promise.all([
      aws(server.endpoint, ['iam', 'put-role-policy', '--role-name', 'app', '--policy-name', 'permissions', '--policy-document', doc(allow(['s3:*', 'iam:List*', 'iam:Get*']))]),
      aws(server.endpoint, ['iam', 'put-user-policy', '--user-name', 'ops', '--policy-name', 'assume', '--policy-document', doc(allow('sts:AssumeRole'))]),
      aws(server.endpoint, ['iam', 'create-access-key', '--user-name', 'ops']),
    ]);
    const out = await aws(server.endpoint, ['sts', 'assume-role', '--role-arn', roleArn('app'), '--role-session-name', 'cli', '--duration-seconds', '900', '--policy', SESSION_POLICY], keysOf(key));
    assert.deepEqual(out.AssumedRoleUser, { AssumedRoleId: `${roleId}:cli`, Arn: SESSION_ARN });
    assert.match(out.Credentials.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    const expires = Date.parse(out.Credentials.Expiration);
    assert.ok(Math.abs(expires - (clock.now().getTime() + 900_000)) < 30_000, `Expiration ${out.Credentials.Expiration}`);
    assert.equal(typeof out.PackedPolicySize, 'number');
    session = keysOf(out);
  });

  it('with the session credentials: list-roles works, get-role is refused by the session policy, get-caller-identity names the session', async () => {
    const [roles, , me] = await Promise.all([
      aws(server.endpoint, ['iam', 'list-roles'], session),
      expectError(server.endpoint, ['iam', 'get-role', '--role-name', 'app'], session, 'AccessDenied', 'GetRole', denied(SESSION_ARN, 'iam:GetRole', roleArn('app'), 'because no session policy allows the iam:GetRole action')),
      aws(server.endpoint, ['sts', 'get-caller-identity'], session),
    ]);
    assert.deepEqual(
      roles.Roles.map((r: { RoleName: string; Arn: string }) => [r.RoleName, r.Arn]),
      [['app', roleArn('app')]],
    );
    assert.deepEqual(me, { UserId: `${roleId}:cli`, Account: ACCOUNT, Arn: SESSION_ARN });
  });

  it('a wrong secret is SignatureDoesNotMatch; a forged or missing session token is InvalidClientTokenId', async () => {
    const token = session.sessionToken!;
    const forged = token.slice(0, 40) + (token[40] === 'A' ? 'B' : 'A') + token.slice(41);
    const wrongSecret = (session.secretAccessKey[0] === 'A' ? 'B' : 'A') + session.secretAccessKey.slice(1);
    await Promise.all([
      expectError(server.endpoint, ['sts', 'get-caller-identity'], { ...session, secretAccessKey: wrongSecret }, 'SignatureDoesNotMatch', 'GetCallerIdentity', BAD_SIGNATURE),
      expectError(server.endpoint, ['sts', 'get-caller-identity'], { ...session, sessionToken: forged }, 'InvalidClientTokenId', 'GetCallerIdentity', INVALID_TOKEN),
      expectError(server.endpoint, ['iam', 'list-roles'], { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }, 'InvalidClientTokenId', 'ListRoles', INVALID_TOKEN),
    ]);
  });

  it('the session expires after --duration-seconds: ExpiredToken', async () => {
    try {
      // 13 minutes on: still valid.
      clock.offsetMs = 780_000;
      assert.equal((await aws(server.endpoint, ['sts', 'get-caller-identity'], session)).Arn, SESSION_ARN);
      // 15 minutes and a second on: expired, for STS and IAM alike.
      clock.offsetMs = 901_000;
      await Promise.all([
        expectError(server.endpoint, ['sts', 'get-caller-identity'], session, 'ExpiredToken', 'GetCallerIdentity', EXPIRED),
        expectError(server.endpoint, ['iam', 'list-roles'], session, 'ExpiredToken', 'ListRoles', EXPIRED),
      ]);
    } finally {
      clock.offsetMs = 0;
    }
  });

  // Known server bug (reported, not fixed here): the filter matches the session name, the
  // output's Username shows the role's name.
  it('lookup-events names the session as its Username', async () => {
    // The AWS CLI's own lookup-events example (aws/aws-cli, awscli/examples/cloudtrail/
    // lookup-events.rst): an AssumedRole event's Username is the session name ("my-session-name"),
    // not the role's ("my-role").
    const { Events: events } = await aws(server.endpoint, ['cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=Username,AttributeValue=cli']);
    const seen = (events as { EventName: string; Username: string; CloudTrailEvent: string }[]).map((e): string[] => [e.EventName, e.Username, JSON.parse(e.CloudTrailEvent).userIdentity.arn as string]);
    assert.ok(seen.some(([name]) => name === 'GetRole'), JSON.stringify(seen));
    for (const [, username, arn] of seen) assert.deepEqual([username, arn], ['cli', SESSION_ARN]);
  });
});
