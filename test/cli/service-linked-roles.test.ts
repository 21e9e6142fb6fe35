/**
 * Service-linked roles from the shell, with Client VPN's role: creation as AWS makes it,
 * the duplicate error, protection against edits (only the description may change), and
 * asynchronous deletion polled with get-service-linked-role-deletion-status, which
 * SUCCEEDS when nothing uses the role and FAILS, listing the users, when something does.
 *
 * No Client VPN service exists yet to hold the role, so the FAILED case registers a
 * usage check from this process (the server runs in process, so the module is the same
 * one the server uses), standing in for Client VPN's endpoints.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type Running } from '../helpers/server.js';
import { registerRoleUsageCheck } from '../../src/services/iam/service-linked-roles.js';
import { ACCOUNT, aws, doc, EC2_TRUST, expectError, roleArn } from './helpers.js';

const SERVICE = 'clientvpn.amazonaws.com';
const NAME = 'AWSServiceRoleForClientVPN';
const PATH = `/aws-service-role/${SERVICE}/`;
const ARN = roleArn(NAME, PATH);
const POLICY_ARN = 'arn:aws:iam::aws:policy/aws-service-role/ClientVPNServiceRolePolicy';
// As AWS writes it: Action and Service are strings, not lists.
const TRUST = { Version: '2012-10-17', Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: SERVICE } }] };
// AWS's message for protected roles (as quoted in gruntwork-io/cloud-nuke#880 and rebuy-de/aws-nuke#441).
const PROTECTED = `Cannot perform the operation on the protected role '${NAME}' - this role is only modifiable by AWS`;
const TASK = new RegExp(`^task/aws-service-role/${SERVICE.replace(/\./g, '\\.')}/${NAME}/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`);
const ENDPOINT_ARN = `arn:aws:ec2:us-east-1:${ACCOUNT}:client-vpn-endpoint/cvpn-endpoint-0123456789abcdef0`;

const create = ['iam', 'create-service-linked-role', '--aws-service-name', SERVICE];

describe('aws iam: service-linked roles (Client VPN)', () => {
  let server: Running;

  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  /** Delete the role and poll the task until it concludes; the statuses seen, and the last answer. */
  async function deleteAndPoll(): Promise<{ seen: string[]; last: { Status: string; Reason?: unknown } }> {
    const { DeletionTaskId: id } = await aws(server.endpoint, ['iam', 'delete-service-linked-role', '--role-name', NAME]);
    assert.match(id, TASK);
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) {
      const out = await aws(server.endpoint, ['iam', 'get-service-linked-role-deletion-status', '--deletion-task-id', id]);
      seen.push(out.Status);
      assert.ok(['NOT_STARTED', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED'].includes(out.Status), out.Status);
      if (out.Status === 'SUCCEEDED' || out.Status === 'FAILED') return { seen, last: out };
    }
    assert.fail(`the deletion task never concluded: ${seen.join(', ')}`);
  }

  it('create-service-linked-role makes AWSServiceRoleForClientVPN with its path, trust policy and managed policy', async () => {
    const { Role: role } = await aws(server.endpoint, create);
    assert.equal(role.RoleName, NAME);
    assert.equal(role.Path, PATH);
    assert.equal(role.Arn, ARN);
    assert.match(role.RoleId, /^AROA[A-Z2-7]{17}$/);
    assert.deepEqual(role.AssumeRolePolicyDocument, TRUST);
    const [attached, inline] = await Promise.all([
      // --no-paginate: the answer as the server wrote it (the CLI's own pagination drops IsTruncated).
      aws(server.endpoint, ['iam', 'list-attached-role-policies', '--role-name', NAME, '--no-paginate']),
      aws(server.endpoint, ['iam', 'list-role-policies', '--role-name', NAME]),
    ]);
    assert.deepEqual(attached, { AttachedPolicies: [{ PolicyName: 'ClientVPNServiceRolePolicy', PolicyArn: POLICY_ARN }], IsTruncated: false });
    assert.deepEqual(inline, { PolicyNames: [] });
  });

  it('a second create is InvalidInput; the trust policy and the role itself are protected; the description may change', async () => {
    const [, , , described] = await Promise.all([
      expectError(server.endpoint, create, undefined, 'InvalidInput', 'CreateServiceLinkedRole', `Service role name ${NAME} has been taken in this account, please try a different suffix.`),
      expectError(server.endpoint, ['iam', 'update-assume-role-policy', '--role-name', NAME, '--policy-document', EC2_TRUST], undefined, 'UnmodifiableEntity', 'UpdateAssumeRolePolicy', PROTECTED),
      expectError(server.endpoint, ['iam', 'delete-role', '--role-name', NAME], undefined, 'UnmodifiableEntity', 'DeleteRole', PROTECTED),
      aws(server.endpoint, ['iam', 'update-role-description', '--role-name', NAME, '--description', 'Client VPN endpoints']),
    ]);
    assert.equal(described.Role.Arn, ARN);
    assert.equal(described.Role.Description, 'Client VPN endpoints');
    const { Role: role } = await aws(server.endpoint, ['iam', 'get-role', '--role-name', NAME]);
    assert.equal(role.Description, 'Client VPN endpoints');
    assert.deepEqual(role.AssumeRolePolicyDocument, TRUST);
    // Inline policies cannot be added either.
    await expectError(server.endpoint, ['iam', 'put-role-policy', '--role-name', NAME, '--policy-name', 'extra', '--policy-document', doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' })], undefined, 'UnmodifiableEntity', 'PutRolePolicy', PROTECTED);
  });

  it('delete-service-linked-role returns a task that reaches SUCCEEDED, and the role is gone', async () => {
    const { seen, last } = await deleteAndPoll();
    assert.deepEqual(last, { Status: 'SUCCEEDED' });
    assert.equal(seen.filter((s) => s === 'SUCCEEDED').length, 1);
    await expectError(server.endpoint, ['iam', 'get-role', '--role-name', NAME], undefined, 'NoSuchEntity', 'GetRole', `The role with name ${NAME} cannot be found.`);
  });

  it('a deletion FAILS while the service still uses the role, with the Reason and the RoleUsageList; the role stays', async () => {
    const unregister = registerRoleUsageCheck(SERVICE, (account, arn) => Promise.resolve(account === ACCOUNT && arn === ARN ? [{ region: 'us-east-1', resources: [ENDPOINT_ARN] }] : []));
    try {
      assert.equal((await aws(server.endpoint, create)).Role.Arn, ARN);
      const { last } = await deleteAndPoll();
      assert.deepEqual(last, {
        Status: 'FAILED',
        Reason: {
          Reason: `Service-linked role ${NAME} is in use by ${SERVICE}: delete the resources that use it, then try again.`,
          RoleUsageList: [{ Region: 'us-east-1', Resources: [ENDPOINT_ARN] }],
        },
      });
      assert.equal((await aws(server.endpoint, ['iam', 'get-role', '--role-name', NAME])).Role.Arn, ARN);
    } finally {
      unregister();
    }
  });
});
