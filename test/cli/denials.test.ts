/**
 * Access denied, from the shell: an IAM user's identity policy, a permissions boundary and
 * an explicit deny each decide a real `aws iam` command, and the CLI prints AWS's message
 * naming the policy type that refused (IAM user guide, "Troubleshoot access denied error
 * messages": "... because no identity-based policy allows ...", "... because no
 * permissions boundary allows ...", "... with an explicit deny in an identity-based policy").
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type Keys, type Running } from '../helpers/server.js';
import { ACCOUNT, allow, aws, deny, denied, doc, EC2_TRUST, expectError, keysOf, roleArn, userArn } from './helpers.js';

const DEV = userArn('dev');
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/list-only`;
const createRole = (name: string): string[] => ['iam', 'create-role', '--role-name', name, '--assume-role-policy-document', EC2_TRUST];

describe('aws iam: denials by identity policy, permissions boundary and explicit deny', () => {
  let server: Running;
  let dev: Keys;

  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('as root: a user dev allowed only iam:ListRoles, with an access key', async () => {
    const [user, policy] = await Promise.all([
      aws(server.endpoint, ['iam', 'create-user', '--user-name', 'dev']),
      // The boundary used later: a customer managed policy allowing only iam:List*.
      aws(server.endpoint, ['iam', 'create-policy', '--policy-name', 'list-only', '--policy-document', doc(allow('iam:List*'))]),
    ]);
    assert.equal(user.User.Arn, DEV);
    assert.equal(policy.Policy.Arn, BOUNDARY);
    await aws(server.endpoint, ['iam', 'put-user-policy', '--user-name', 'dev', '--policy-name', 'access', '--policy-document', doc(allow('iam:ListRoles'))]);
    const key = await aws(server.endpoint, ['iam', 'create-access-key', '--user-name', 'dev']);
    assert.equal(key.AccessKey.UserName, 'dev');
    assert.equal(key.AccessKey.Status, 'Active');
    dev = keysOf(key);
  });

  it('dev: list-roles works; create-role is refused: no identity-based policy allows it', async () => {
    const [roles] = await Promise.all([
      aws(server.endpoint, ['iam', 'list-roles'], dev),
      expectError(server.endpoint, createRole('app'), dev, 'AccessDenied', 'CreateRole', denied(DEV, 'iam:CreateRole', roleArn('app'), 'because no identity-based policy allows the iam:CreateRole action')),
    ]);
    assert.deepEqual(roles, { Roles: [] });
  });

  it('an allow for iam:CreateRole under a boundary allowing only iam:List*: refused by the boundary', async () => {
    await Promise.all([
      aws(server.endpoint, ['iam', 'put-user-policy', '--user-name', 'dev', '--policy-name', 'access', '--policy-document', doc(allow(['iam:ListRoles', 'iam:CreateRole']))]),
      aws(server.endpoint, ['iam', 'put-user-permissions-boundary', '--user-name', 'dev', '--permissions-boundary', BOUNDARY]),
    ]);
    const [user] = await Promise.all([
      aws(server.endpoint, ['iam', 'get-user', '--user-name', 'dev']),
      expectError(server.endpoint, createRole('app'), dev, 'AccessDenied', 'CreateRole', denied(DEV, 'iam:CreateRole', roleArn('app'), 'because no permissions boundary allows the iam:CreateRole action')),
      // The boundary allows iam:List*, the identity policy iam:ListRoles: still allowed.
      aws(server.endpoint, ['iam', 'list-roles'], dev),
    ]);
    assert.deepEqual(user.User.PermissionsBoundary, { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: BOUNDARY });
  });

  it('without the boundary, create-role is allowed', async () => {
    await aws(server.endpoint, ['iam', 'delete-user-permissions-boundary', '--user-name', 'dev']);
    const out = await aws(server.endpoint, createRole('app'), dev);
    assert.equal(out.Role.RoleName, 'app');
    assert.equal(out.Role.Path, '/');
    assert.equal(out.Role.Arn, roleArn('app'));
    assert.match(out.Role.RoleId, /^AROA[A-Z2-7]{17}$/);
    // The CLI decodes the URL-encoded document IAM returns.
    assert.deepEqual(out.Role.AssumeRolePolicyDocument, JSON.parse(EC2_TRUST));
  });

  it('an explicit deny in an identity-based policy overrides the allow', async () => {
    await aws(server.endpoint, ['iam', 'put-user-policy', '--user-name', 'dev', '--policy-name', 'no-roles', '--policy-document', doc(deny('iam:CreateRole'))]);
    await expectError(server.endpoint, createRole('app2'), dev, 'AccessDenied', 'CreateRole', denied(DEV, 'iam:CreateRole', roleArn('app2'), 'with an explicit deny in an identity-based policy'));
  });
});
