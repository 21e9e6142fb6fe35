/**
 * The issue's proof, end to end through the AWS SDK v3 and boto3, against one server:
 *
 * - an organization of three accounts: the management account (at the root) and two
 *   members that accepted invitations, each in its own OU (Prod: member A; Dev: member B),
 *   and one account outside it;
 * - an SCP on the root denying ec2:CreateClientVpnEndpoint outside us-east-1
 *   (aws:RequestedRegion) stops member A's administrator (an IAM user with
 *   AdministratorAccess) in eu-west-1 with EC2's UnauthorizedOperation naming the SCP (its
 *   decoded authorization message names the policy and statement), not in us-east-1, and
 *   never the management account's administrator;
 * - an RCP restricts member A's KMS key to the organization's principals: a principal of the
 *   outside account is denied although the key policy allows it (and was allowed before the
 *   RCP), member B's principal still encrypts and A decrypts the same plaintext;
 * - cross-account AssumeRole into member A needs both the role's trust policy and the
 *   caller's own identity policy: both → a session in A; trust only → denied; identity only
 *   → denied;
 * - a deny-all SCP on member B's OU stops B's administrator and root, but not Client VPN's
 *   service-linked role: a VPN client still connects to B's endpoint, the role reading the
 *   client root certificate from ACM and writing the connection log, as CloudTrail and the
 *   log show once the SCP is detached.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AcceptHandshakeCommand,
  AttachPolicyCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DetachPolicyCommand,
  EnablePolicyTypeCommand,
  InviteAccountToOrganizationCommand,
  ListAccountsForParentCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { ACMClient, GetCertificateCommand, ImportCertificateCommand } from '@aws-sdk/client-acm';
import {
  AssociateClientVpnTargetNetworkCommand,
  CreateClientVpnEndpointCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeClientVpnConnectionsCommand,
  DescribeClientVpnEndpointsCommand,
  DescribeClientVpnTargetNetworksCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, DecodeAuthorizationMessageCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CloudWatchLogsClient, CreateLogGroupCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { boto3, clientConfig, startServer, type Keys, type Running } from '../../helpers/server.js';
import { signedRequest } from '../../helpers/sign.js';
import { pki } from '../../helpers/certificates.js';

const MGMT = '000000000000';
const A = '111111111111';
const B = '222222222222';
const OUTSIDE = '333333333333';
const ROOT_KEYS: Record<string, Keys> = {
  [MGMT]: { accessKeyId: 'test', secretAccessKey: 'test' },
  [A]: { accessKeyId: 'AKIAPROOFMEMBERA0001', secretAccessKey: 'proofA' },
  [B]: { accessKeyId: 'AKIAPROOFMEMBERB0001', secretAccessKey: 'proofB' },
  [OUTSIDE]: { accessKeyId: 'AKIAPROOFOUTSIDE0001', secretAccessKey: 'proofOutside' },
};
const ADMINISTRATOR = 'arn:aws:iam::aws:policy/AdministratorAccess';

const REGION_SCP = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'ClientVpnOnlyInUsEast1', Effect: 'Deny', Action: 'ec2:CreateClientVpnEndpoint', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } } }],
});
const ORG_ONLY_RCP = (orgId: string): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OrgPrincipalsOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'kms:*',
        Resource: '*',
        Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': orgId }, BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } },
      },
    ],
  });
const DENY_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'NothingAtAll', Effect: 'Deny', Action: '*', Resource: '*' }] });

interface Connected {
  Status: string;
  ConnectionId?: string;
  ClientIp?: string;
  FailureReason?: string;
}

describe('The proof: SCPs, RCPs, service-linked roles and cross-account trust in an organization', () => {
  let server: Running;
  let orgs: OrganizationsClient;
  let orgId = '';
  let rootId = '';
  const ou: Record<string, string> = {};
  /** Each account's administrator: an IAM user with AdministratorAccess. */
  const admin: Record<string, Keys> = {};
  const cfg = (keys: Keys, region = 'us-east-1'): ReturnType<typeof clientConfig> => clientConfig(server.endpoint, keys, region);

  async function userWithKeys(account: string, name: string, setup: (iam: IAMClient) => Promise<unknown>): Promise<Keys> {
    const iam = new IAMClient(cfg(ROOT_KEYS[account]!));
    await iam.send(new CreateUserCommand({ UserName: name }));
    await setup(iam);
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
    return { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
  }

  async function importServerCertificate(keys: Keys, region: string): Promise<string> {
    const p = pki();
    return (await new ACMClient(cfg(keys, region)).send(new ImportCertificateCommand({ Certificate: Buffer.from(p.serverCert), PrivateKey: Buffer.from(p.serverKey), CertificateChain: Buffer.from(p.caCert) })))
      .CertificateArn!;
  }

  const endpointInput = (certificateArn: string, log?: string) => ({
    ClientCidrBlock: '10.100.0.0/22',
    ServerCertificateArn: certificateArn,
    AuthenticationOptions: [{ Type: 'certificate-authentication' as const, MutualAuthentication: { ClientRootCertificateChainArn: certificateArn } }],
    ConnectionLogOptions: log ? { Enabled: true, CloudwatchLogGroup: log } : { Enabled: false },
  });

  before(async () => {
    server = await startServer({ accounts: [MGMT, A, B, OUTSIDE].map((id) => ({ id, ...ROOT_KEYS[id]! })) });
    orgs = new OrganizationsClient(cfg(ROOT_KEYS[MGMT]!));
    for (const id of [MGMT, A, B, OUTSIDE]) admin[id] = await userWithKeys(id, 'admin', (iam) => iam.send(new AttachUserPolicyCommand({ UserName: 'admin', PolicyArn: ADMINISTRATOR })));
  });
  after(() => server.close());

  it('the organization: management account at the root, member A in OU Prod, member B in OU Dev (invited, accepted)', async () => {
    orgId = (await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization!.Id!;
    rootId = (await orgs.send(new ListRootsCommand({}))).Roots![0]!.Id!;
    for (const [name, member] of [['Prod', A], ['Dev', B]] as const) {
      ou[name] = (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: name }))).OrganizationalUnit!.Id!;
      const hs = (await orgs.send(new InviteAccountToOrganizationCommand({ Target: { Id: member, Type: 'ACCOUNT' } }))).Handshake!;
      await new OrganizationsClient(cfg(ROOT_KEYS[member]!)).send(new AcceptHandshakeCommand({ HandshakeId: hs.Id! }));
      await orgs.send(new MoveAccountCommand({ AccountId: member, SourceParentId: rootId, DestinationParentId: ou[name] }));
    }
    const under = async (parent: string): Promise<string[]> => (await orgs.send(new ListAccountsForParentCommand({ ParentId: parent }))).Accounts!.map((a) => a.Id!);
    assert.deepEqual([await under(rootId), await under(ou.Prod!), await under(ou.Dev!)], [[MGMT], [A], [B]]);
    for (const type of ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'] as const) await orgs.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: type }));
  });

  it('an SCP on the root denies ec2:CreateClientVpnEndpoint outside us-east-1 to member A\'s administrator, naming the SCP; the management account\'s administrator is not restricted', async () => {
    const scp = (await orgs.send(new CreatePolicyCommand({ Name: 'ClientVpnOnlyInUsEast1', Description: 'Client VPN in us-east-1 only', Type: 'SERVICE_CONTROL_POLICY', Content: REGION_SCP }))).Policy!.PolicySummary!;
    await orgs.send(new AttachPolicyCommand({ PolicyId: scp.Id!, TargetId: rootId }));

    // Member A, eu-west-1: refused before anything is created.
    const certA = await importServerCertificate(admin[A]!, 'eu-west-1');
    const ec2AEu = new EC2Client(cfg(admin[A]!, 'eu-west-1'));
    let encoded = '';
    await assert.rejects(ec2AEu.send(new CreateClientVpnEndpointCommand(endpointInput(certA))), (e: Error) => {
      assert.equal(e.name, 'UnauthorizedOperation');
      const m = /^You are not authorized to perform this operation\. (.*)\. Encoded authorization failure message: (\S+)$/.exec(e.message);
      assert.ok(m, e.message);
      assert.equal(
        m[1],
        `User: arn:aws:iam::${A}:user/admin is not authorized to perform: ec2:CreateClientVpnEndpoint on resource: arn:aws:ec2:eu-west-1:${A}:client-vpn-endpoint/* with an explicit deny in a service control policy`,
      );
      encoded = m[2]!;
      return true;
    });
    assert.deepEqual((await ec2AEu.send(new DescribeClientVpnEndpointsCommand({}))).ClientVpnEndpoints, []);
    // The encoded message names the SCP and its statement, and the Region the request had.
    const decoded = JSON.parse((await new STSClient(cfg(admin[A]!)).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }))).DecodedMessage!) as {
      allowed: boolean;
      explicitDeny: boolean;
      matchedStatements: { items: { statementId: string; effect: string; sourcePolicyId: string; sourcePolicyType: string }[] };
      context: { conditions: { items: { key: string; values: { items: { value: string }[] } }[] } };
    };
    assert.deepEqual([decoded.allowed, decoded.explicitDeny], [false, true]);
    assert.deepEqual(decoded.matchedStatements.items, [{ statementId: 'ClientVpnOnlyInUsEast1', effect: 'DENY', sourcePolicyId: scp.Arn, sourcePolicyType: 'scp' }]);
    assert.deepEqual(
      decoded.context.conditions.items.find((c) => c.key === 'aws:RequestedRegion')?.values.items,
      [{ value: 'eu-west-1' }],
    );

    // Member A, us-east-1 (boto3): allowed, the endpoint exists.
    const certAUs = await importServerCertificate(admin[A]!, 'us-east-1');
    const created = JSON.parse(
      await boto3(
        server.endpoint,
        `e = client('ec2').create_client_vpn_endpoint(ClientCidrBlock='10.100.0.0/22', ServerCertificateArn='${certAUs}', AuthenticationOptions=[{'Type': 'certificate-authentication', 'MutualAuthentication': {'ClientRootCertificateChainArn': '${certAUs}'}}], ConnectionLogOptions={'Enabled': False})\nprint(json.dumps([e['ClientVpnEndpointId'], e['Status']['Code']]))`,
        admin[A],
      ),
    ) as [string, string];
    assert.match(created[0], /^cvpn-endpoint-[0-9a-f]{17}$/);
    assert.equal(created[1], 'pending-associate');
    assert.deepEqual(
      (await new EC2Client(cfg(admin[A]!)).send(new DescribeClientVpnEndpointsCommand({}))).ClientVpnEndpoints!.map((e) => [e.ClientVpnEndpointId, e.ServerCertificateArn]),
      [[created[0], certAUs]],
    );

    // The management account, eu-west-1: allowed (SCPs never restrict it).
    const certM = await importServerCertificate(admin[MGMT]!, 'eu-west-1');
    const mgmtEndpoint = (await new EC2Client(cfg(admin[MGMT]!, 'eu-west-1')).send(new CreateClientVpnEndpointCommand(endpointInput(certM)))).ClientVpnEndpointId!;
    const [described] = (await new EC2Client(cfg(admin[MGMT]!, 'eu-west-1')).send(new DescribeClientVpnEndpointsCommand({ ClientVpnEndpointIds: [mgmtEndpoint] }))).ClientVpnEndpoints!;
    assert.deepEqual([described!.ClientVpnEndpointId, described!.ServerCertificateArn, described!.Status!.Code], [mgmtEndpoint, certM, 'pending-associate']);

    await orgs.send(new DetachPolicyCommand({ PolicyId: scp.Id!, TargetId: rootId }));
  });

  it('an RCP keeps member A\'s KMS key to the organization\'s principals: the outside account is denied though the key policy allows it; member B encrypts, A decrypts', async () => {
    const keyPolicy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Owner', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'kms:*', Resource: '*' },
        { Sid: 'Partners', Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${B}:root`, `arn:aws:iam::${OUTSIDE}:root`] }, Action: ['kms:DescribeKey', 'kms:Encrypt'], Resource: '*' },
      ],
    });
    const key = (await new KMSClient(cfg(admin[A]!)).send(new CreateKeyCommand({ Policy: keyPolicy, Description: 'shared' }))).KeyMetadata!;
    const outsideDescribe = `k = client('kms')\ntry:\n    print(json.dumps(k.describe_key(KeyId='${key.Arn}')['KeyMetadata']['KeyId']))\nexcept k.exceptions.ClientError as e:\n    print(json.dumps([e.response['Error']['Code'], e.response['Error']['Message']]))`;
    // Before the RCP: the key policy lets the outside account's administrator in.
    assert.equal(JSON.parse(await boto3(server.endpoint, outsideDescribe, admin[OUTSIDE])), key.KeyId);

    const rcp = (await orgs.send(new CreatePolicyCommand({ Name: 'OrgPrincipalsOnly', Description: 'KMS for the organization', Type: 'RESOURCE_CONTROL_POLICY', Content: ORG_ONLY_RCP(orgId) }))).Policy!.PolicySummary!;
    await orgs.send(new AttachPolicyCommand({ PolicyId: rcp.Id!, TargetId: rootId }));
    assert.deepEqual(JSON.parse(await boto3(server.endpoint, outsideDescribe, admin[OUTSIDE])), [
      'AccessDeniedException',
      `User: arn:aws:iam::${OUTSIDE}:user/admin is not authorized to perform: kms:DescribeKey on resource: ${key.Arn} with an explicit deny in a resource control policy`,
    ]);
    await assert.rejects(new KMSClient(cfg(admin[OUTSIDE]!)).send(new EncryptCommand({ KeyId: key.Arn!, Plaintext: Buffer.from('x') })), { name: 'AccessDeniedException' });

    // Member B (in the organization) still uses the key; A, the owner, decrypts.
    const kmsB = new KMSClient(cfg(admin[B]!));
    assert.equal((await kmsB.send(new DescribeKeyCommand({ KeyId: key.Arn! }))).KeyMetadata!.AWSAccountId, A);
    const secret = 'organization-only secret';
    const blob = (await kmsB.send(new EncryptCommand({ KeyId: key.Arn!, Plaintext: Buffer.from(secret) }))).CiphertextBlob!;
    const plain = await new KMSClient(cfg(admin[A]!)).send(new DecryptCommand({ CiphertextBlob: blob }));
    assert.deepEqual([Buffer.from(plain.Plaintext!).toString(), plain.KeyId], [secret, key.Arn]);

    await orgs.send(new DetachPolicyCommand({ PolicyId: rcp.Id!, TargetId: rootId }));
    assert.equal(JSON.parse(await boto3(server.endpoint, outsideDescribe, admin[OUTSIDE])), key.KeyId);
  });

  it('cross-account AssumeRole into member A needs the trust policy and the caller\'s own allow: both → a session in A; trust only → denied; identity only → denied', async () => {
    // The callers first: IAM refuses a trust policy naming a user that does not exist.
    const iamA = new IAMClient(cfg(ROOT_KEYS[A]!));
    const open = `arn:aws:iam::${A}:role/partner-access`;
    const closed = `arn:aws:iam::${A}:role/internal-only`;
    const assumer = await userWithKeys(B, 'assumer', (iam) =>
      iam.send(
        new PutUserPolicyCommand({
          UserName: 'assumer',
          PolicyName: 'assume-in-a',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: [open, closed] }] }),
        }),
      ),
    );
    const trustedOnly = await userWithKeys(B, 'trusted-only', () => Promise.resolve());
    const trust = (principals: string[]): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principals }, Action: 'sts:AssumeRole' }] });
    assert.equal((await iamA.send(new CreateRoleCommand({ RoleName: 'partner-access', AssumeRolePolicyDocument: trust([`arn:aws:iam::${B}:user/assumer`, `arn:aws:iam::${B}:user/trusted-only`]) }))).Role!.Arn, open);
    assert.equal((await iamA.send(new CreateRoleCommand({ RoleName: 'internal-only', AssumeRolePolicyDocument: trust([`arn:aws:iam::${A}:root`]) }))).Role!.Arn, closed);

    // Both: a session of the role, in account A.
    const creds = (await new STSClient(cfg(assumer)).send(new AssumeRoleCommand({ RoleArn: open, RoleSessionName: 'proof' }))).Credentials!;
    const who = await new STSClient(cfg({ accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! })).send(new GetCallerIdentityCommand({}));
    assert.deepEqual([who.Account, who.Arn], [A, `arn:aws:sts::${A}:assumed-role/partner-access/proof`]);

    // Trust only: the caller's own account does not allow it.
    await assert.rejects(new STSClient(cfg(trustedOnly)).send(new AssumeRoleCommand({ RoleArn: open, RoleSessionName: 'proof' })), (e: Error) => {
      assert.equal(e.name, 'AccessDenied');
      // STS words AssumeRole denials without the reason, whichever side refused.
      assert.equal(e.message, `User: arn:aws:iam::${B}:user/trusted-only is not authorized to perform: sts:AssumeRole on resource: ${open}`);
      return true;
    });
    // Identity only: the role's trust policy does not name the caller.
    await assert.rejects(new STSClient(cfg(assumer)).send(new AssumeRoleCommand({ RoleArn: closed, RoleSessionName: 'proof' })), (e: Error) => {
      assert.equal(e.name, 'AccessDenied');
      assert.equal(e.message, `User: arn:aws:iam::${B}:user/assumer is not authorized to perform: sts:AssumeRole on resource: ${closed}`);
      return true;
    });

    // Each refusal was for the missing half: supplying it lets the same call through.
    await new IAMClient(cfg(ROOT_KEYS[B]!)).send(
      new PutUserPolicyCommand({ UserName: 'trusted-only', PolicyName: 'now-allowed', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: open }] }) }),
    );
    assert.equal((await new STSClient(cfg(trustedOnly)).send(new AssumeRoleCommand({ RoleArn: open, RoleSessionName: 'second' }))).AssumedRoleUser!.Arn, `arn:aws:sts::${A}:assumed-role/partner-access/second`);
    await iamA.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'internal-only', PolicyDocument: trust([`arn:aws:iam::${A}:root`, `arn:aws:iam::${B}:user/assumer`]) }));
    assert.equal((await new STSClient(cfg(assumer)).send(new AssumeRoleCommand({ RoleArn: closed, RoleSessionName: 'third' }))).AssumedRoleUser!.Arn, `arn:aws:sts::${A}:assumed-role/internal-only/third`);
  });

  it('a deny-all SCP on member B\'s OU stops its administrator and root, not Client VPN\'s service-linked role: a client connects, the role reads ACM and writes the log', async () => {
    // Before the SCP: B's administrator sets up an endpoint with a target network and connection logging.
    const certB = await importServerCertificate(admin[B]!, 'us-east-1');
    await new CloudWatchLogsClient(cfg(admin[B]!)).send(new CreateLogGroupCommand({ logGroupName: 'vpn-connections' }));
    const ec2 = new EC2Client(cfg(admin[B]!));
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.1.0/24' }))).Subnet!.SubnetId!;
    const endpoint = (await ec2.send(new CreateClientVpnEndpointCommand(endpointInput(certB, 'vpn-connections')))).ClientVpnEndpointId!;
    await ec2.send(new AssociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: endpoint, SubnetId: subnet }));
    for (let i = 0; i < 100; i++) {
      const [net] = (await ec2.send(new DescribeClientVpnTargetNetworksCommand({ ClientVpnEndpointId: endpoint }))).ClientVpnTargetNetworks!;
      if (net?.Status?.Code === 'associated') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const stream = (await ec2.send(new DescribeClientVpnEndpointsCommand({ ClientVpnEndpointIds: [endpoint] }))).ClientVpnEndpoints![0]!.ConnectionLogOptions!.CloudwatchLogStream!;

    const denyAll = (await orgs.send(new CreatePolicyCommand({ Name: 'DenyAll', Description: 'quarantine', Type: 'SERVICE_CONTROL_POLICY', Content: DENY_ALL }))).Policy!.PolicySummary!;
    await orgs.send(new AttachPolicyCommand({ PolicyId: denyAll.Id!, TargetId: ou.Dev! }));

    // B's administrator and root are stopped, whatever the service.
    await assert.rejects(ec2.send(new DescribeClientVpnEndpointsCommand({})), (e: Error) => {
      assert.equal(e.name, 'UnauthorizedOperation');
      assert.match(e.message, new RegExp(`User: arn:aws:iam::${B}:user/admin is not authorized to perform: ec2:DescribeClientVpnEndpoints on resource: \\* with an explicit deny in a service control policy`));
      return true;
    });
    await assert.rejects(new ACMClient(cfg(admin[B]!)).send(new GetCertificateCommand({ CertificateArn: certB })), (e: Error) => {
      assert.equal(e.name, 'AccessDeniedException');
      assert.match(e.message, /acm:GetCertificate on resource: .* with an explicit deny in a service control policy/);
      return true;
    });
    await assert.rejects(new STSClient(cfg(ROOT_KEYS[B]!)).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'x' })), { name: 'AccessDenied' });

    // A VPN client connects: the service-linked roles do their work regardless of the SCP.
    const p = pki();
    const r = await signedRequest(server.endpoint, {
      service: 'ec2',
      path: '/_gatehouse/ec2/ConnectClientVpnClient',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ClientVpnEndpointId: endpoint, ClientCertificate: p.clientCert, Platform: 'linux', PublicIp: '198.51.100.20' }),
      credentials: ROOT_KEYS[B],
    });
    assert.equal(r.status, 200, r.body);
    const connected = JSON.parse(r.body) as Connected;
    assert.deepEqual([connected.Status, connected.ClientIp], ['active', '10.100.0.2']);
    assert.match(connected.ConnectionId!, /^cvpn-connection-[0-9a-f]{17}$/);

    // Lifted: what happened under the SCP is visible to B's administrator.
    await orgs.send(new DetachPolicyCommand({ PolicyId: denyAll.Id!, TargetId: ou.Dev! }));
    const [connection] = (await ec2.send(new DescribeClientVpnConnectionsCommand({ ClientVpnEndpointId: endpoint }))).Connections!;
    assert.deepEqual(
      [connection!.ConnectionId, connection!.ClientIp, connection!.CommonName, connection!.Status!.Code],
      [connected.ConnectionId, '10.100.0.2', 'client.vpn.example', 'active'],
    );
    const events = (await new CloudWatchLogsClient(cfg(admin[B]!)).send(new GetLogEventsCommand({ logGroupName: 'vpn-connections', logStreamName: stream, startFromHead: true }))).events!;
    const logged = events.map((e) => JSON.parse(e.message!) as Record<string, string>).find((l) => l['connection-id'] === connected.ConnectionId)!;
    assert.deepEqual(
      [logged['connection-attempt-status'], logged['client-ip'], logged['device-ip'], logged['common-name']],
      ['successful', '10.100.0.2', '198.51.100.20', 'client.vpn.example'],
    );
    // CloudTrail: the certificate read by the service-linked role succeeded; the administrator's was denied.
    const trail = (await new CloudTrailClient(cfg(admin[B]!)).send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GetCertificate' }] }))).Events!.map(
      (e) => JSON.parse(e.CloudTrailEvent!) as { errorCode?: string; userIdentity: { arn: string; invokedBy?: string } },
    );
    // (Newest first, to the second: the two may share one, so compared in a fixed order.)
    assert.deepEqual(
      trail.map((e) => [e.userIdentity.arn, e.userIdentity.invokedBy, e.errorCode]).sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
      [
        [`arn:aws:iam::${B}:user/admin`, undefined, 'AccessDeniedException'],
        [`arn:aws:sts::${B}:assumed-role/AWSServiceRoleForClientVPN/ClientVPN`, 'clientvpn.amazonaws.com', undefined],
      ],
    );
  });
});
