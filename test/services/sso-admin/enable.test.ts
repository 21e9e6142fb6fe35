/**
 * Enabling IAM Identity Center for an organization (shared/seeds 004): Gatehouse's
 * `sso/EnableIdentityCenter` stands in for the console's Enable button in the management
 * account. It enables trusted access, creates the instance and its identity store, and
 * creates AWSServiceRoleForSSO (with AWSSSOServiceRolePolicy) in every member account
 * and in every account that joins later, but not in the management account. CreateInstance
 * keeps AWS's rule: account instances only outside the management account.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AcceptHandshakeCommand, CreateAccountCommand, CreateOrganizationCommand, InviteAccountToOrganizationCommand, ListAWSServiceAccessForOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { CreateInstanceCommand, ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { ACCOUNT, clientConfig, startServer, type Keys, type Running } from '../../helpers/server.js';
import { signedRequest } from '../../helpers/sign.js';

const A = { id: '111111111111', accessKeyId: 'AKIAMEMBERAROOT00001', secretAccessKey: 'member-a' };
const B = { id: '222222222222', accessKeyId: 'AKIAMEMBERBROOT00002', secretAccessKey: 'member-b' };
const C = { id: '333333333333', accessKeyId: 'AKIASTANDALONEROOT03', secretAccessKey: 'standalone-c' };
const keys = (a: { accessKeyId: string; secretAccessKey: string }): Keys => ({ accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey });

describe('IAM Identity Center: enabling it for an organization', () => {
  let server: Running;
  let admin: Keys;
  const enable = (as: Keys, body: object = {}): Promise<{ status: number; body: Record<string, unknown> }> =>
    signedRequest(server.endpoint, { service: 'sso', path: '/_gatehouse/sso/EnableIdentityCenter', credentials: as, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => ({ status: r.status, body: JSON.parse(r.body) as Record<string, unknown> }));
  const ssoRole = async (account: Keys): Promise<{ path?: string; policies: string[] } | undefined> => {
    const iam = new IAMClient(clientConfig(server.endpoint, account));
    try {
      const role = (await iam.send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForSSO' }))).Role!;
      const policies = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'AWSServiceRoleForSSO' }))).AttachedPolicies!.map((p) => p.PolicyArn!);
      return { ...(role.Path ? { path: role.Path } : {}), policies };
    } catch {
      return undefined;
    }
  };

  before(async () => {
    server = await startServer({ accounts: [{ id: ACCOUNT, accessKeyId: 'test', secretAccessKey: 'test' }, A, B, C] });
    const org = new OrganizationsClient(clientConfig(server.endpoint));
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const h = (await org.send(new InviteAccountToOrganizationCommand({ Target: { Id: A.id, Type: 'ACCOUNT' } }))).Handshake!;
    await new OrganizationsClient(clientConfig(server.endpoint, keys(A))).send(new AcceptHandshakeCommand({ HandshakeId: h.Id! }));
    const iam = new IAMClient(clientConfig(server.endpoint));
    await iam.send(new CreateUserCommand({ UserName: 'it-admin' }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'it-admin', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'it-admin' }))).AccessKey!;
    admin = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
  });
  after(async () => server.close());

  it('a member account cannot enable it for the organization', async () => {
    const r = await enable(keys(A));
    assert.deepEqual([r.status, r.body.__type], [400, 'ValidationException']);
  });

  it('the management account\'s administrator enables it: instance, identity store, trusted access, and the role in each member account but not the management account', async () => {
    // Through the command (`gatehouse identity-center enable`), signed with the administrator's keys.
    const { stdout } = await promisify(execFile)(process.execPath, ['dist/src/cli/index.js', 'identity-center', 'enable', '--endpoint-url', server.endpoint, '--name', 'corp'], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: admin.accessKeyId, AWS_SECRET_ACCESS_KEY: admin.secretAccessKey, AWS_SESSION_TOKEN: '' },
    });
    const r = { body: JSON.parse(stdout) as Record<string, unknown> };
    assert.match(String(r.body.InstanceArn), /^arn:aws:sso:::instance\/ssoins-[0-9a-f]{16}$/);
    assert.deepEqual(r.body.MemberAccountsWithRole, [A.id]);
    const instances = (await new SSOAdminClient(clientConfig(server.endpoint)).send(new ListInstancesCommand({}))).Instances!;
    assert.deepEqual(instances.map((i) => [i.InstanceArn, i.OwnerAccountId, i.Status, i.Name]), [[r.body.InstanceArn, ACCOUNT, 'ACTIVE', 'corp']]);
    assert.match(instances[0]!.IdentityStoreId!, /^d-[0-9a-f]{10}$/);
    const access = (await new OrganizationsClient(clientConfig(server.endpoint)).send(new ListAWSServiceAccessForOrganizationCommand({}))).EnabledServicePrincipals!;
    assert.ok(access.some((p) => p.ServicePrincipal === 'sso.amazonaws.com'));
    assert.deepEqual(await ssoRole(keys(A)), { path: '/aws-service-role/sso.amazonaws.com/', policies: ['arn:aws:iam::aws:policy/aws-service-role/AWSSSOServiceRolePolicy'] });
    assert.equal(await ssoRole({ accessKeyId: 'test', secretAccessKey: 'test' }), undefined);
    // CloudTrail: the administrator enabled trusted access; Identity Center made the member's role.
    const trail = new CloudTrailClient(clientConfig(server.endpoint));
    const enabled = JSON.parse((await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'EnableAWSServiceAccess' }] }))).Events![0]!.CloudTrailEvent!) as { userIdentity: { type: string; userName?: string } };
    assert.deepEqual([enabled.userIdentity.type, enabled.userIdentity.userName], ['IAMUser', 'it-admin']);
    const made = JSON.parse((await new CloudTrailClient(clientConfig(server.endpoint, keys(A))).send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateServiceLinkedRole' }] }))).Events![0]!.CloudTrailEvent!) as { userIdentity: { invokedBy?: string } };
    assert.equal(made.userIdentity.invokedBy, 'sso.amazonaws.com');
    assert.equal((await enable(admin)).body.__type, 'ConflictException');
  });

  it('accounts that join later get the role: by invitation, and by CreateAccount', async () => {
    const org = new OrganizationsClient(clientConfig(server.endpoint));
    const h = (await org.send(new InviteAccountToOrganizationCommand({ Target: { Id: B.id, Type: 'ACCOUNT' } }))).Handshake!;
    assert.equal(await ssoRole(keys(B)), undefined);
    await new OrganizationsClient(clientConfig(server.endpoint, keys(B))).send(new AcceptHandshakeCommand({ HandshakeId: h.Id! }));
    assert.equal((await ssoRole(keys(B)))?.path, '/aws-service-role/sso.amazonaws.com/');
    await org.send(new CreateAccountCommand({ Email: 'new@example.com', AccountName: 'New' }));
  });

  it('CreateInstance: refused in the management account, allowed in a standalone account', async () => {
    await assert.rejects(new SSOAdminClient(clientConfig(server.endpoint)).send(new CreateInstanceCommand({ Name: 'x' })), { name: 'ValidationException' });
    const sso = new SSOAdminClient(clientConfig(server.endpoint, keys(C)));
    const arn = (await sso.send(new CreateInstanceCommand({ Name: 'standalone' }))).InstanceArn!;
    assert.deepEqual((await sso.send(new ListInstancesCommand({}))).Instances!.map((i) => [i.InstanceArn, i.OwnerAccountId]), [[arn, C.id]]);
  });
});
