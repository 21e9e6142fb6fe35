/**
 * The shared iam:PassRole check, with the real authorizer over a real server's store:
 * roles created through the API, a user whose policy narrows PassRole with
 * iam:PassedToService and iam:AssociatedResourceArn, and the consuming service's errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateRoleCommand, CreateServiceLinkedRoleCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { ACCOUNT, clientConfig, startServer, type Running } from '../helpers/server.js';
import { checkPassRole, roleTrustsService, type PassRoleContext, type PassRoleOptions } from '../../src/auth/pass-role.js';
import { Authorizer, type AuthorizeOptions } from '../../src/auth/authorizer.js';
import { awsId } from '../../src/auth/credentials.js';
import type { Caller } from '../../src/auth/caller.js';
import { denialMessage } from '../../src/policy/index.js';
import { AwsError, COMMON_ERRORS } from '../../src/models/errors.js';
import { IamPolicySource, iamService } from '../../src/services/iam/index.js';
import { iamChanged } from '../../src/services/iam/policy-source.js';
import { KIND } from '../../src/services/iam/records.js';
// Loading IAM's service-linked-roles module registers its role lookup (the server loads it too).
import '../../src/services/iam/service-linked-roles.js';

const OTHER = '111111111111';
const trustFor = (service: string): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });
const roleArn = (name: string, account = ACCOUNT): string => `arn:aws:iam::${account}:role/${name}`;
const INSTANCE_A = `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`;
const INSTANCE_B = `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0fedcba9876543210`;

/** EC2's wording, as a consuming service would supply it. */
const ec2Errors: Pick<PassRoleOptions, 'notFound' | 'untrusted'> = {
  notFound: (arn) => new AwsError('InvalidParameterValue', `Value (${arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`),
  untrusted: (arn) => new AwsError('InvalidParameterValue', `The role ${arn} cannot be assumed by the service.`),
};

/** The caller's failure: code and message. */
async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AwsError) return { code: e.code, message: e.message };
    throw e;
  }
  assert.fail('the check passed');
}

describe('checkPassRole', () => {
  let server: Running;
  let iam: IAMClient;
  let authorizer: Authorizer;
  let decisions = 0;

  /** A service's request context, authorizing as the pipeline does (AccessDenied with AWS's message). */
  const contextFor = (caller: Caller): PassRoleContext => ({
    caller,
    tx: server.gatehouse.store,
    now: new Date(),
    async authorize(action: string, resource: string, options?: AuthorizeOptions) {
      decisions++;
      const facts = { sourceIp: '127.0.0.1', secureTransport: true, region: 'us-east-1', now: new Date() };
      const { evaluation, context } = await authorizer.decide(server.gatehouse.store, caller, action, resource, facts, options);
      if (evaluation.decision !== 'allowed') throw COMMON_ERRORS.accessDenied(denialMessage({ principal: { type: caller.type, arn: caller.arn, account: caller.account }, action, resource, context }, evaluation));
      return evaluation;
    },
  });
  const root: Caller = { account: ACCOUNT, type: 'Account', arn: `arn:aws:iam::${ACCOUNT}:root`, userId: ACCOUNT, accessKeyId: 'test' };
  let alice: Caller;

  before(async () => {
    server = await startServer({ accounts: [{ id: ACCOUNT, accessKeyId: 'test', secretAccessKey: 'test' }, { id: OTHER, accessKeyId: 'other', secretAccessKey: 'other' }] });
    iam = new IAMClient(clientConfig(server.endpoint));
    authorizer = new Authorizer(new IamPolicySource());
    await iam.send(new CreateRoleCommand({ RoleName: 'ec2-role', AssumeRolePolicyDocument: trustFor('ec2.amazonaws.com') }));
    await iam.send(new CreateRoleCommand({ RoleName: 'lambda-role', AssumeRolePolicyDocument: trustFor('lambda.amazonaws.com') }));
    await iam.send(new CreateRoleCommand({ RoleName: 'pathed', Path: '/app/', AssumeRolePolicyDocument: trustFor('ec2.amazonaws.com') }));
    await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'clientvpn.amazonaws.com' }));
    const other = new IAMClient(clientConfig(server.endpoint, { accessKeyId: 'other', secretAccessKey: 'other' }));
    await other.send(new CreateRoleCommand({ RoleName: 'ec2-role', AssumeRolePolicyDocument: trustFor('ec2.amazonaws.com') }));
    other.destroy();

    // Alice may pass any role of her account, but only to EC2, and for instance A only.
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } },
        { Effect: 'Deny', Action: 'iam:PassRole', Resource: '*', Condition: { ArnLike: { 'iam:AssociatedResourceArn': INSTANCE_B } } },
      ],
    });
    const handlers = iamService(server.gatehouse.credentials).handlers;
    if ('CreateUser' in handlers && 'PutUserPolicy' in handlers) {
      await iam.send(new CreateUserCommand({ UserName: 'alice' }));
      await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'pass', PolicyDocument: policy }));
    } else {
      // Written the way the users family stores users and their inline policies.
      await server.gatehouse.store.transaction(async (tx) => {
        const id = awsId('AIDA', 17);
        await tx.insert(ACCOUNT, KIND.user, id, { UserName: 'alice', UserId: id, Arn: `arn:aws:iam::${ACCOUNT}:user/alice`, Path: '/', CreateDate: new Date().toISOString(), Tags: [], AttachedPolicies: [], Groups: [] }, { name: 'alice' });
        await tx.insert(ACCOUNT, KIND.userPolicy, `${id}#pass`, { PolicyName: 'pass', PolicyDocument: policy }, { parent: id });
      });
      iamChanged();
    }
    const user = await server.gatehouse.store.getByName<{ UserId: string; Arn: string }>(ACCOUNT, KIND.user, 'alice');
    alice = { account: ACCOUNT, type: 'User', arn: user!.Arn, userId: user!.UserId, userName: 'alice', accessKeyId: 'AKIAALICE' };
  });
  after(async () => {
    iam.destroy();
    await server.close();
  });

  it('lets a user pass a role to the service iam:PassedToService names, and returns the role', async () => {
    const before = decisions;
    const role = await checkPassRole(contextFor(alice), roleArn('ec2-role'), { service: 'ec2.amazonaws.com', ...ec2Errors });
    assert.equal(role.arn, roleArn('ec2-role'));
    assert.equal(JSON.parse(role.trustPolicy).Statement[0].Principal.Service, 'ec2.amazonaws.com');
    // One authorization: iam:PassRole (a permission inside the consuming call, no event of its own).
    assert.equal(decisions - before, 1);
  });

  it('refuses the same role passed to another service, with AWS’s AccessDenied message', async () => {
    const e = await failure(checkPassRole(contextFor(alice), roleArn('lambda-role'), { service: 'lambda.amazonaws.com', ...ec2Errors }));
    assert.deepEqual(e, {
      code: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: iam:PassRole on resource: ${roleArn('lambda-role')} because no identity-based policy allows the iam:PassRole action`,
    });
  });

  it('puts iam:AssociatedResourceArn in the context', async () => {
    await checkPassRole(contextFor(alice), roleArn('ec2-role'), { service: 'ec2.amazonaws.com', associatedResourceArn: INSTANCE_A, ...ec2Errors });
    const e = await failure(checkPassRole(contextFor(alice), roleArn('ec2-role'), { service: 'ec2.amazonaws.com', associatedResourceArn: INSTANCE_B, ...ec2Errors }));
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, /iam:PassRole on resource: arn:aws:iam::000000000000:role\/ec2-role with an explicit deny in an identity-based policy$/);
  });

  it('refuses a role of another account, even to an administrator', async () => {
    const e = await failure(checkPassRole(contextFor(root), roleArn('ec2-role', OTHER), { service: 'ec2.amazonaws.com', ...ec2Errors }));
    assert.deepEqual(e, {
      code: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: iam:PassRole on resource: ${roleArn('ec2-role', OTHER)} because no resource-based policy allows the iam:PassRole action`,
    });
  });

  it("answers the consuming service's error for a role that does not exist, or an ARN that is not a role's", async () => {
    assert.deepEqual(await failure(checkPassRole(contextFor(root), roleArn('nosuch'), { service: 'ec2.amazonaws.com', ...ec2Errors })), {
      code: 'InvalidParameterValue',
      message: `Value (${roleArn('nosuch')}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`,
    });
    assert.equal((await failure(checkPassRole(contextFor(root), 'not-an-arn', { service: 'ec2.amazonaws.com', ...ec2Errors }))).code, 'InvalidParameterValue');
    // The path is part of the role's ARN: without it, it names no role.
    assert.equal((await failure(checkPassRole(contextFor(root), roleArn('pathed'), { service: 'ec2.amazonaws.com', ...ec2Errors }))).code, 'InvalidParameterValue');
    assert.equal((await checkPassRole(contextFor(root), roleArn('app/pathed'), { service: 'ec2.amazonaws.com', ...ec2Errors })).arn, roleArn('app/pathed'));
  });

  it("answers the consuming service's error when the trust policy does not trust the service", async () => {
    assert.deepEqual(await failure(checkPassRole(contextFor(root), roleArn('lambda-role'), { service: 'ec2.amazonaws.com', ...ec2Errors })), {
      code: 'InvalidParameterValue',
      message: `The role ${roleArn('lambda-role')} cannot be assumed by the service.`,
    });
    // Without an `untrusted` wording, the not-found one is used.
    assert.equal((await failure(checkPassRole(contextFor(root), roleArn('lambda-role'), { service: 'ec2.amazonaws.com', notFound: ec2Errors.notFound }))).message.startsWith('Value ('), true);
  });

  it('passes a service-linked role only to its own service', async () => {
    const slr = roleArn('aws-service-role/clientvpn.amazonaws.com/AWSServiceRoleForClientVPN');
    const role = await checkPassRole(contextFor(root), slr, { service: 'clientvpn.amazonaws.com', ...ec2Errors });
    assert.equal(role.serviceLinked, 'clientvpn.amazonaws.com');
    assert.equal((await failure(checkPassRole(contextFor(root), slr, { service: 'ec2.amazonaws.com', ...ec2Errors }))).code, 'InvalidParameterValue');
  });

  it('evaluates trust conditions with the context the service would carry', () => {
    const role = {
      arn: roleArn('guarded'),
      roleId: 'AROAEXAMPLEGUARDED01',
      roleName: 'guarded',
      trustPolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': `arn:aws:ec2:*:${ACCOUNT}:instance/*` } } }],
      }),
    };
    const now = new Date();
    assert.equal(roleTrustsService(role, 'ec2.amazonaws.com', { account: ACCOUNT, now, sourceArn: INSTANCE_A }), true);
    assert.equal(roleTrustsService(role, 'ec2.amazonaws.com', { account: ACCOUNT, now }), false);
    assert.equal(roleTrustsService(role, 'ec2.amazonaws.com', { account: OTHER, now, sourceArn: INSTANCE_A }), false);
    assert.equal(roleTrustsService(role, 'lambda.amazonaws.com', { account: ACCOUNT, now, sourceArn: INSTANCE_A }), false);
    assert.equal(roleTrustsService({ ...role, trustPolicy: 'not json' }, 'ec2.amazonaws.com', { account: ACCOUNT, now }), false);
  });
});
