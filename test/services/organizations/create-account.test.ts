/**
 * CreateAccount: a new member account with its own root keys (`gatehouse accounts list`
 * reads them), the OrganizationAccountAccessRole the management account assumes, the
 * asynchronous status, and the organization's SCPs applying to it. Against a server
 * process with a data folder, as a user runs it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateAccountCommand, CreateOrganizationCommand, DescribeCreateAccountStatusCommand, ListAccountsCommand, ListCreateAccountStatusCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { clientConfig, freePort, startProcess, type Keys, type Started } from '../../helpers/server.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'index.js');

describe('Organizations CreateAccount', () => {
  let server: Started;
  let endpoint: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-org-'));
  before(async () => {
    const port = await freePort();
    server = await startProcess(dataDir, port);
    endpoint = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a member account: status IN_PROGRESS then SUCCEEDED, listed with its e-mail and name; its root keys work; the access role trusts the management account', async () => {
    const org = new OrganizationsClient(clientConfig(endpoint));
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const started = (await org.send(new CreateAccountCommand({ Email: 'dev@example.com', AccountName: 'Development' }))).CreateAccountStatus!;
    assert.deepEqual([started.State, started.AccountName], ['IN_PROGRESS', 'Development']);
    assert.match(started.Id!, /^car-[0-9a-f]{32}$/);
    let status = started;
    for (let i = 0; i < 50 && status.State === 'IN_PROGRESS'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await org.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: started.Id! }))).CreateAccountStatus!;
    }
    assert.equal(status.State, 'SUCCEEDED');
    const id = status.AccountId!;
    assert.match(id, /^\d{12}$/);
    assert.deepEqual((await org.send(new ListCreateAccountStatusCommand({ States: ['SUCCEEDED'] }))).CreateAccountStatuses!.map((s) => s.AccountId), [id]);
    const listed = (await org.send(new ListAccountsCommand({}))).Accounts!.find((a) => a.Id === id)!;
    assert.deepEqual([listed.Email, listed.Name, listed.JoinedMethod], ['dev@example.com', 'Development', 'CREATED']);

    // The new account's root keys, as `gatehouse accounts list` prints them.
    const { stdout } = await run(process.execPath, [CLI, 'accounts', 'list', '--data', dataDir]);
    const accounts = (JSON.parse(stdout) as { Accounts: { id: string; accessKeyId: string; secretAccessKey: string; createdBy?: string }[] }).Accounts;
    const created = accounts.find((a) => a.id === id)!;
    assert.equal(created.createdBy, 'organizations.amazonaws.com');
    // ...and as the server logged them when it made the account.
    const logged = server.stderr().split('\n').filter((l) => l.includes('account created by Organizations')).map((l) => JSON.parse(l) as Record<string, string>);
    assert.deepEqual(logged.map((l) => [l.level, l.account, l.accessKeyId, l.secretAccessKey]), [['info', id, created.accessKeyId, created.secretAccessKey]]);
    const root: Keys = { accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey };
    assert.equal((await new STSClient(clientConfig(endpoint, root)).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${id}:root`);
    const role = (await new IAMClient(clientConfig(endpoint, root)).send(new GetRoleCommand({ RoleName: 'OrganizationAccountAccessRole' }))).Role!;
    assert.equal(role.Arn, `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`);
    // The management account's administrator assumes it and administers the new account
    // (the root user itself may not assume roles, as AWS answers).
    await assert.rejects(new STSClient(clientConfig(endpoint)).send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'root' })), /Roles may not be assumed by root accounts/);
    const mgmtIam = new IAMClient(clientConfig(endpoint));
    await mgmtIam.send(new CreateUserCommand({ UserName: 'org-admin' }));
    await mgmtIam.send(new AttachUserPolicyCommand({ UserName: 'org-admin', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    const key = (await mgmtIam.send(new CreateAccessKeyCommand({ UserName: 'org-admin' }))).AccessKey!;
    const orgAdmin: Keys = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    const session = (await new STSClient(clientConfig(endpoint, orgAdmin)).send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'admin' }))).Credentials!;
    const admin: Keys = { accessKeyId: session.AccessKeyId!, secretAccessKey: session.SecretAccessKey!, sessionToken: session.SessionToken! };
    const user = (await new IAMClient(clientConfig(endpoint, admin)).send(new CreateUserCommand({ UserName: 'ops' }))).User!;
    assert.equal(user.Arn, `arn:aws:iam::${id}:user/ops`);
    // The new account's trail shows the role made by Organizations.
    const events = (await new CloudTrailClient(clientConfig(endpoint, root)).send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateRole' }] }))).Events!;
    const event = JSON.parse(events[0]!.CloudTrailEvent!) as { userIdentity: { type: string; invokedBy?: string }; recipientAccountId: string };
    assert.deepEqual([event.userIdentity.type, event.userIdentity.invokedBy, event.recipientAccountId], ['Root', 'organizations.amazonaws.com', id]);
  });

  it('a bad role name is refused by the model\'s pattern; an unknown request id is CreateAccountStatusNotFoundException', async () => {
    const org = new OrganizationsClient(clientConfig(endpoint));
    await assert.rejects(org.send(new CreateAccountCommand({ Email: 'x@example.com', AccountName: 'X', RoleName: 'bad role' })), { name: 'ValidationException' });
    await assert.rejects(org.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: 'car-00000000000000000000000000000000' })), { name: 'CreateAccountStatusNotFoundException' });
  });
});
