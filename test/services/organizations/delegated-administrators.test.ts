/**
 * Delegated administrators: registering member accounts for services with trusted access,
 * AWS's refusals (the management account, an outsider, a repeat, a service without
 * trusted access, an account not registered), listing with the account's fields, a
 * ServicePrincipal filter and paging, the read access a registration gives, IAM on the
 * account resource with organizations:ServicePrincipal, and a registered account unable to
 * leave. Three Gatehouse accounts: the management account and two members.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AcceptHandshakeCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  DescribeAccountCommand,
  DescribePolicyCommand,
  DeregisterDelegatedAdministratorCommand,
  DescribeOrganizationCommand,
  EnableAWSServiceAccessCommand,
  InviteAccountToOrganizationCommand,
  LeaveOrganizationCommand,
  ListAccountsCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListChildrenCommand,
  ListDelegatedAdministratorsCommand,
  ListDelegatedServicesForAccountCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
  RemoveAccountFromOrganizationCommand,
  ListRootsCommand,
  type DelegatedAdministrator,
} from '@aws-sdk/client-organizations';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { awsCli, boto3, clientConfig, startServer, type Keys, type Running } from '../../helpers/server.js';
import { rejects } from './helpers.js';

const MGMT = '000000000000';
const A = '111111111111';
const B = '222222222222';
const KEYS: Record<string, Keys> = {
  [MGMT]: { accessKeyId: 'test', secretAccessKey: 'test' },
  [A]: { accessKeyId: 'AKIAMEMBERA000000001', secretAccessKey: 'memberAsecret' },
  [B]: { accessKeyId: 'AKIAMEMBERB000000001', secretAccessKey: 'memberBsecret' },
};
const GUARDDUTY = 'guardduty.amazonaws.com';
const CONFIG = 'config.amazonaws.com';

describe('Organizations delegated administrators', () => {
  let server: Running;
  const orgs: Record<string, OrganizationsClient> = {};
  let orgId = '';

  const admins = async (servicePrincipal?: string): Promise<DelegatedAdministrator[]> =>
    (await orgs[MGMT]!.send(new ListDelegatedAdministratorsCommand(servicePrincipal ? { ServicePrincipal: servicePrincipal } : {}))).DelegatedAdministrators!;

  before(async () => {
    server = await startServer({ accounts: [MGMT, A, B].map((id) => ({ id, ...KEYS[id]! })) });
    for (const id of [MGMT, A, B]) orgs[id] = new OrganizationsClient(clientConfig(server.endpoint, KEYS[id]));
    orgId = (await orgs[MGMT]!.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization!.Id!;
    for (const id of [A, B]) {
      const hs = (await orgs[MGMT]!.send(new InviteAccountToOrganizationCommand({ Target: { Id: id, Type: 'ACCOUNT' } }))).Handshake!;
      await orgs[id]!.send(new AcceptHandshakeCommand({ HandshakeId: hs.Id! }));
    }
  });
  after(() => server.close());

  it('a service without trusted access cannot have a delegated administrator (SERVICE_ACCESS_NOT_ENABLED); nothing is registered', async () => {
    assert.deepEqual(await admins(), []);
    // A member that is no delegated administrator reads nothing of the organization's structure.
    await rejects(orgs[A]!.send(new ListAccountsCommand({})), 'AccessDeniedException');
    await rejects(orgs[A]!.send(new ListDelegatedAdministratorsCommand({})), 'AccessDeniedException');
    const e = await rejects(orgs[MGMT]!.send(new RegisterDelegatedAdministratorCommand({ AccountId: A, ServicePrincipal: GUARDDUTY })), 'ConstraintViolationException', /guardduty\.amazonaws\.com/);
    assert.equal(e.Reason, 'SERVICE_ACCESS_NOT_ENABLED');
    assert.deepEqual(await admins(), []);
  });

  it('registers member accounts; refuses the management account, an account outside the organization and a repeat', async () => {
    await orgs[MGMT]!.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: GUARDDUTY }));
    await orgs[MGMT]!.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: CONFIG }));
    const before = Date.now();
    await orgs[MGMT]!.send(new RegisterDelegatedAdministratorCommand({ AccountId: A, ServicePrincipal: GUARDDUTY }));
    await rejects(
      orgs[MGMT]!.send(new RegisterDelegatedAdministratorCommand({ AccountId: A, ServicePrincipal: GUARDDUTY })),
      'AccountAlreadyRegisteredException',
      'The specified account is already a delegated administrator for this Amazon Web Services service.',
    );
    const master = await rejects(orgs[MGMT]!.send(new RegisterDelegatedAdministratorCommand({ AccountId: MGMT, ServicePrincipal: GUARDDUTY })), 'ConstraintViolationException');
    assert.equal(master.Reason, 'CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR');
    await rejects(orgs[MGMT]!.send(new RegisterDelegatedAdministratorCommand({ AccountId: '999999999999', ServicePrincipal: GUARDDUTY })), 'AccountNotFoundException');
    // Only the management account registers; a member is refused before anything is looked at.
    await rejects(orgs[A]!.send(new RegisterDelegatedAdministratorCommand({ AccountId: B, ServicePrincipal: GUARDDUTY })), 'AccessDeniedException', "You don't have permissions to access this resource.");

    const listed = await admins();
    assert.equal(listed.length, 1);
    const a = listed[0]!;
    assert.deepEqual(
      [a.Id, a.Arn, a.Email, a.Name, a.Status, a.State, a.JoinedMethod],
      [A, `arn:aws:organizations::${MGMT}:account/${orgId}/${A}`, `${A}@gatehouse.invalid`, A, 'ACTIVE', 'ACTIVE', 'INVITED'],
    );
    assert.ok(a.JoinedTimestamp instanceof Date);
    assert.ok(a.DelegationEnabledDate!.getTime() >= before - 1000 && a.DelegationEnabledDate!.getTime() <= Date.now() + 1000, String(a.DelegationEnabledDate));
    assert.ok(a.DelegationEnabledDate!.getTime() >= a.JoinedTimestamp.getTime() - 1000);
  });

  it('ListDelegatedAdministrators: one entry per account, a ServicePrincipal filter, paging', async () => {
    await orgs[MGMT]!.send(new RegisterDelegatedAdministratorCommand({ AccountId: B, ServicePrincipal: CONFIG }));
    await new Promise((r) => setTimeout(r, 20));
    await orgs[MGMT]!.send(new RegisterDelegatedAdministratorCommand({ AccountId: A, ServicePrincipal: CONFIG }));
    const all = await admins();
    assert.deepEqual(
      all.map((x) => x.Id),
      [A, B],
    );
    const guardduty = await admins(GUARDDUTY);
    assert.deepEqual(
      guardduty.map((x) => x.Id),
      [A],
    );
    const config = await admins(CONFIG);
    assert.deepEqual(
      config.map((x) => x.Id),
      [B, A],
    );
    // Without a filter, A's date is its first registration (GuardDuty); with it, Config's.
    const aAll = all.find((x) => x.Id === A)!;
    const aConfig = config.find((x) => x.Id === A)!;
    assert.deepEqual(aAll.DelegationEnabledDate, guardduty[0]!.DelegationEnabledDate);
    assert.ok(aConfig.DelegationEnabledDate!.getTime() > aAll.DelegationEnabledDate!.getTime());
    assert.deepEqual(await admins('sso.amazonaws.com'), []);

    const first = await orgs[MGMT]!.send(new ListDelegatedAdministratorsCommand({ MaxResults: 1 }));
    assert.deepEqual(
      first.DelegatedAdministrators!.map((x) => x.Id),
      [A],
    );
    assert.ok(first.NextToken);
    const second = await orgs[MGMT]!.send(new ListDelegatedAdministratorsCommand({ MaxResults: 1, NextToken: first.NextToken }));
    assert.deepEqual(
      second.DelegatedAdministrators!.map((x) => x.Id),
      [B],
    );
    assert.equal(second.NextToken, undefined);
  });

  it('ListDelegatedServicesForAccount: the account\'s services and dates; AccountNotRegisteredException for one with none', async () => {
    const services = (await orgs[MGMT]!.send(new ListDelegatedServicesForAccountCommand({ AccountId: A }))).DelegatedServices!;
    assert.deepEqual(
      services.map((s) => s.ServicePrincipal),
      [GUARDDUTY, CONFIG],
    );
    const listed = await admins(GUARDDUTY);
    assert.deepEqual(services[0]!.DelegationEnabledDate, listed[0]!.DelegationEnabledDate);
    await rejects(
      orgs[MGMT]!.send(new ListDelegatedServicesForAccountCommand({ AccountId: MGMT })),
      'AccountNotRegisteredException',
      'The specified account is not a delegated administrator for this Amazon Web Services service.',
    );
    await rejects(orgs[MGMT]!.send(new ListDelegatedServicesForAccountCommand({ AccountId: '999999999999' })), 'AccountNotFoundException');
    const paged = await orgs[MGMT]!.send(new ListDelegatedServicesForAccountCommand({ AccountId: A, MaxResults: 1 }));
    assert.deepEqual(
      paged.DelegatedServices!.map((s) => s.ServicePrincipal),
      [GUARDDUTY],
    );
    assert.ok(paged.NextToken);
  });

  it('a delegated administrator reads the delegations (the AWS CLI and boto3); it cannot register', async () => {
    const cli = await awsCli(server.endpoint, ['organizations', 'list-delegated-administrators', '--service-principal', CONFIG], KEYS[B]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(
      (JSON.parse(cli.stdout) as { DelegatedAdministrators: { Id: string }[] }).DelegatedAdministrators.map((x) => x.Id),
      [B, A],
    );
    const out = await boto3(server.endpoint, `print(json.dumps([s['ServicePrincipal'] for s in client('organizations').list_delegated_services_for_account(AccountId='${A}')['DelegatedServices']]))`, KEYS[B]);
    assert.deepEqual(JSON.parse(out), [GUARDDUTY, CONFIG]);
    await rejects(orgs[B]!.send(new DeregisterDelegatedAdministratorCommand({ AccountId: A, ServicePrincipal: CONFIG })), 'AccessDeniedException');
  });

  it('a delegated administrator has read-only access to the organization: Describe/List work, writes are refused', async () => {
    const b = orgs[B]!;
    assert.deepEqual(
      (await b.send(new ListAccountsCommand({}))).Accounts!.map((a) => a.Id).sort(),
      [MGMT, A, B],
    );
    const root = (await b.send(new ListRootsCommand({}))).Roots![0]!;
    assert.deepEqual(
      (await b.send(new ListChildrenCommand({ ParentId: root.Id!, ChildType: 'ACCOUNT' }))).Children!.map((c) => c.Id).sort(),
      [MGMT, A, B],
    );
    assert.equal((await b.send(new DescribeAccountCommand({ AccountId: A }))).Account!.Arn, `arn:aws:organizations::${MGMT}:account/${orgId}/${A}`);
    assert.equal((await b.send(new DescribePolicyCommand({ PolicyId: 'p-FullAWSAccess' }))).Policy!.PolicySummary!.Name, 'FullAWSAccess');
    assert.deepEqual(
      (await b.send(new ListAWSServiceAccessForOrganizationCommand({}))).EnabledServicePrincipals!.map((x) => x.ServicePrincipal),
      [GUARDDUTY, CONFIG],
    );
    await rejects(b.send(new CreateOrganizationalUnitCommand({ ParentId: root.Id!, Name: 'Mine' })), 'AccessDeniedException');
    await rejects(b.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'sso.amazonaws.com' })), 'AccessDeniedException');
  });

  it('deregisters: AccountNotRegisteredException for a registration that does not exist, then the listing changes', async () => {
    await rejects(orgs[MGMT]!.send(new DeregisterDelegatedAdministratorCommand({ AccountId: B, ServicePrincipal: GUARDDUTY })), 'AccountNotRegisteredException');
    await rejects(orgs[MGMT]!.send(new DeregisterDelegatedAdministratorCommand({ AccountId: MGMT, ServicePrincipal: GUARDDUTY })), 'AccountNotRegisteredException');
    await rejects(orgs[MGMT]!.send(new DeregisterDelegatedAdministratorCommand({ AccountId: '999999999999', ServicePrincipal: GUARDDUTY })), 'AccountNotFoundException');
    await orgs[MGMT]!.send(new DeregisterDelegatedAdministratorCommand({ AccountId: A, ServicePrincipal: CONFIG }));
    assert.deepEqual(
      (await admins(CONFIG)).map((x) => x.Id),
      [B],
    );
    assert.deepEqual(
      (await orgs[MGMT]!.send(new ListDelegatedServicesForAccountCommand({ AccountId: A }))).DelegatedServices!.map((s) => s.ServicePrincipal),
      [GUARDDUTY],
    );
  });

  it('IAM decides on the account resource with organizations:ServicePrincipal: a deny for one service leaves another', async () => {
    const iam = new IAMClient(clientConfig(server.endpoint));
    await iam.send(new CreateUserCommand({ UserName: 'org-operator' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'org-operator',
        PolicyName: 'delegation',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'organizations:*', Resource: '*' },
            { Effect: 'Deny', Action: 'organizations:RegisterDelegatedAdministrator', Resource: `arn:aws:organizations::${MGMT}:account/${orgId}/${B}`, Condition: { StringEquals: { 'organizations:ServicePrincipal': GUARDDUTY } } },
          ],
        }),
      }),
    );
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'org-operator' }))).AccessKey!;
    const operator = new OrganizationsClient(clientConfig(server.endpoint, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }));
    await rejects(
      operator.send(new RegisterDelegatedAdministratorCommand({ AccountId: B, ServicePrincipal: GUARDDUTY })),
      'AccessDeniedException',
      `User: arn:aws:iam::${MGMT}:user/org-operator is not authorized to perform: organizations:RegisterDelegatedAdministrator on resource: arn:aws:organizations::${MGMT}:account/${orgId}/${B} with an explicit deny in an identity-based policy`,
    );
    assert.deepEqual(
      (await admins(GUARDDUTY)).map((x) => x.Id),
      [A],
    );
    await operator.send(new RegisterDelegatedAdministratorCommand({ AccountId: A, ServicePrincipal: CONFIG }));
    assert.deepEqual(
      (await admins(CONFIG)).map((x) => x.Id),
      [B, A],
    );
  });

  it('bad input: the model\'s patterns refuse it and nothing changes', async () => {
    const snapshot = JSON.stringify(await admins());
    for (const input of [
      { AccountId: '1234', ServicePrincipal: GUARDDUTY },
      { AccountId: 'abcdefghijkl', ServicePrincipal: GUARDDUTY },
      { AccountId: B, ServicePrincipal: 'not a principal!' },
      { AccountId: B, ServicePrincipal: '' },
    ]) {
      await assert.rejects(orgs[MGMT]!.send(new RegisterDelegatedAdministratorCommand(input)), (e: Error) => {
        assert.equal(e.name, 'ValidationException', `${JSON.stringify(input)}: ${e.name} ${e.message}`);
        return true;
      });
    }
    await assert.rejects(orgs[MGMT]!.send(new ListDelegatedServicesForAccountCommand({ AccountId: 'x' })), { name: 'ValidationException' });
    await assert.rejects(orgs[MGMT]!.send(new ListDelegatedAdministratorsCommand({ MaxResults: 21 })), { name: 'ValidationException' });
    await rejects(orgs[MGMT]!.send(new ListDelegatedAdministratorsCommand({ NextToken: 'not-a-token' })), 'InvalidInputException');
    assert.equal(JSON.stringify(await admins()), snapshot);
  });

  it('a delegated administrator can neither leave nor be removed (CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG) until deregistered', async () => {
    const leave = await rejects(orgs[B]!.send(new LeaveOrganizationCommand({})), 'ConstraintViolationException');
    assert.equal(leave.Reason, 'CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG');
    const removed = await rejects(orgs[MGMT]!.send(new RemoveAccountFromOrganizationCommand({ AccountId: A })), 'ConstraintViolationException');
    assert.equal(removed.Reason, 'CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG');
    assert.equal((await orgs[A]!.send(new DescribeOrganizationCommand({}))).Organization!.Id, orgId);
    // Deregistered from every service, the account may go; the listing no longer shows it.
    for (const sp of [GUARDDUTY, CONFIG]) await orgs[MGMT]!.send(new DeregisterDelegatedAdministratorCommand({ AccountId: A, ServicePrincipal: sp }));
    await orgs[MGMT]!.send(new RemoveAccountFromOrganizationCommand({ AccountId: A }));
    assert.deepEqual(
      (await orgs[MGMT]!.send(new ListAccountsCommand({}))).Accounts!.map((a) => a.Id).sort(),
      [MGMT, B],
    );
    assert.deepEqual(
      (await admins()).map((x) => x.Id),
      [B],
    );
    await rejects(orgs[A]!.send(new ListDelegatedAdministratorsCommand({})), 'AWSOrganizationsNotInUseException');
  });
});
