/**
 * Authorization rules, as Client VPN evaluates them: longest prefix with shadowing, not
 * "any rule allows" (clientvpn.md §6.1). The vectors are the administrator guide's seven
 * cumulative example scenarios and its troubleshooting page's (§6.2). Then the scenario
 * "restricting access by Active Directory group", built through the SDK and boto3: a
 * Managed Microsoft AD with users and groups, an endpoint authenticating against it, and
 * rules naming the groups' SIDs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DeleteDirectoryCommand, DirectoryServiceClient, ResetUserPasswordCommand } from '@aws-sdk/client-directory-service';
import { signedRequest } from '../../helpers/sign.js';
import {
  AssociateClientVpnTargetNetworkCommand,
  AuthorizeClientVpnIngressCommand,
  CreateClientVpnEndpointCommand,
  DeleteClientVpnEndpointCommand,
  DescribeClientVpnAuthorizationRulesCommand,
  DescribeClientVpnConnectionsCommand,
  RunInstancesCommand,
  DescribeClientVpnEndpointsCommand,
  DisassociateClientVpnTargetNetworkCommand,
  EC2Client,
  ExportClientVpnClientConfigurationCommand,
} from '@aws-sdk/client-ec2';
import { authorizes } from '../../../src/services/ec2/client-vpn/authorization-rules.js';
import type { RuleRecord } from '../../../src/services/ec2/client-vpn/records.js';
import { clientConfig, startServer, type Running } from '../../helpers/server.js';
import { clientVpnFixtures } from '../../helpers/certificates.js';
import { dsData, microsoftAd, network } from '../ds/helpers.js';

const LONG_AGO = '2020-01-01T00:00:00.000Z';
const rule = (DestinationCidr: string, group: string | null): RuleRecord => ({ DestinationCidr, GroupId: group ?? '', AccessAll: group === null, Phase: 'authorizing', Since: LONG_AGO });
const NOW = new Date();
const GROUPS = ['eng', 'dev', 'mgr', 'admin'];
const allowed = (rules: readonly RuleRecord[], destination: string): string[] => GROUPS.filter((g) => authorizes(rules, NOW, [g], destination));

describe('Client VPN authorization rules: the guide\'s vectors', () => {
  const s1 = [rule('172.16.0.0/24', 'eng'), rule('10.0.0.0/16', 'dev'), rule('192.168.0.0/24', 'mgr')];
  const s2 = [rule('172.16.0.0/24', 'eng'), rule('10.0.0.0/16', 'dev'), rule('0.0.0.0/0', 'mgr')];
  const s3 = [...s2, rule('10.0.2.119/32', 'mgr')];
  const s4 = [...s3, rule('172.16.0.128/25', 'eng')];
  const s5 = [...s4, rule('0.0.0.0/0', 'eng')];
  const s6 = [...s5, rule('192.168.0.0/24', 'mgr')];
  const s7 = [...s6, rule('0.0.0.0/0', null)];

  it('S1: one rule per group; nothing else is reachable', () => {
    assert.deepEqual([allowed(s1, '172.16.0.5'), allowed(s1, '10.0.1.1'), allowed(s1, '192.168.0.5'), allowed(s1, '8.8.8.8')], [['eng'], ['dev'], ['mgr'], []]);
  });
  it('S2: mgr\'s 0.0.0.0/0 does not reach what a more specific rule gives another group', () => {
    assert.deepEqual([allowed(s2, '8.8.8.8'), allowed(s2, '192.168.0.5'), allowed(s2, '172.16.0.5'), allowed(s2, '10.0.1.1')], [['mgr'], ['mgr'], ['eng'], ['dev']]);
  });
  it('S3: a /32 for mgr takes that address from dev', () => {
    assert.deepEqual([allowed(s3, '10.0.2.119'), allowed(s3, '10.0.2.118')], [['mgr'], ['dev']]);
  });
  it('S4: eng\'s narrower /25 and its /24', () => {
    assert.deepEqual([allowed(s4, '172.16.0.200'), allowed(s4, '172.16.0.5')], [['eng'], ['eng']]);
  });
  it('S5: eng\'s 0.0.0.0/0 is shadowed by dev\'s /16', () => {
    assert.deepEqual([allowed(s5, '8.8.8.8'), allowed(s5, '192.168.0.5'), allowed(s5, '10.0.1.1')], [['eng', 'mgr'], ['eng', 'mgr'], ['dev']]);
  });
  it('S6: a /24 for mgr takes 192.168.0.5 from eng', () => {
    assert.deepEqual(allowed(s6, '192.168.0.5'), ['mgr']);
  });
  it('S7: an all-groups 0.0.0.0/0 gives everyone what no more specific rule covers', () => {
    assert.deepEqual(
      [allowed(s7, '8.8.8.8'), allowed(s7, '192.168.0.5'), allowed(s7, '10.0.1.1'), allowed(s7, '172.16.0.5'), allowed(s7, '10.0.2.119')],
      [['eng', 'dev', 'mgr', 'admin'], ['mgr'], ['dev'], ['eng'], ['mgr']],
    );
  });
  it('T1/T2 (troubleshooting page): specific rules shadow the groups\' 0.0.0.0/0 rules; without them every group reaches everything', () => {
    const who = (rules: RuleRecord[], d: string): string[] => ['G1', 'G2', 'G3'].filter((g) => authorizes(rules, NOW, [g], d));
    const t2 = [rule('0.0.0.0/0', 'G1'), rule('0.0.0.0/0', 'G2'), rule('0.0.0.0/0', 'G3')];
    const t1 = [rule('10.1.0.0/16', 'G1'), ...t2, rule('172.131.0.0/16', 'G2')];
    assert.deepEqual([who(t1, '10.1.2.3'), who(t1, '172.131.1.1'), who(t1, '8.8.8.8')], [['G1'], ['G2'], ['G1', 'G2', 'G3']]);
    assert.deepEqual([who(t2, '10.1.2.3'), who(t2, '172.131.1.1')], [['G1', 'G2', 'G3'], ['G1', 'G2', 'G3']]);
  });
  it('rules still authorizing or being revoked do not count', () => {
    const fresh: RuleRecord = { ...rule('10.0.0.0/8', null), Since: new Date(Date.now() + 60_000).toISOString() };
    assert.equal(authorizes([fresh], NOW, [], '10.1.1.1'), false);
  });
});

describe('Scenario: restricting access by Active Directory group', () => {
  let server: Running;
  before(async () => {
    server = await startServer();
  });
  after(async () => server.close());

  it('an endpoint authenticating against Managed Microsoft AD, rules naming group SIDs; the directory cannot be deleted while the endpoint uses it', async () => {
    const ec2 = new EC2Client(clientConfig(server.endpoint));
    const ds0 = new DirectoryServiceClient(clientConfig(server.endpoint));
    const cert = (await clientVpnFixtures(server.endpoint)).serverCertificateArn;
    const net = await network(server.endpoint);
    const directoryId = await microsoftAd(server.endpoint, net);
    const ad = await dsData<{ eng: string; fin: string; alice: string[]; bob: string[] }>(
      server.endpoint,
      `
for g in ['engineering', 'finance']:
    call(dd.create_group, DirectoryId='${directoryId}', SAMAccountName=g)
for u, g in [('alice', 'engineering'), ('bob', 'finance')]:
    call(dd.create_user, DirectoryId='${directoryId}', SAMAccountName=u)
    call(dd.add_group_member, DirectoryId='${directoryId}', GroupName=g, MemberName=u)
sid = lambda g: call(dd.describe_group, DirectoryId='${directoryId}', SAMAccountName=g)['SID']
groups = lambda u: [x['SID'] for x in call(dd.list_groups_for_member, DirectoryId='${directoryId}', SAMAccountName=u)['Groups']]
out = {'eng': sid('engineering'), 'fin': sid('finance'), 'alice': groups('alice'), 'bob': groups('bob')}
`,
    );
    assert.match(ad.eng, /^S-1-5-21-\d+-\d+-\d+-\d{4}$/);
    assert.ok(ad.alice.includes(ad.eng) && !ad.alice.includes(ad.fin));
    const id = (
      await ec2.send(
        new CreateClientVpnEndpointCommand({
          ClientCidrBlock: '10.250.0.0/22',
          ServerCertificateArn: cert,
          AuthenticationOptions: [{ Type: 'directory-service-authentication', ActiveDirectory: { DirectoryId: directoryId } }],
          ConnectionLogOptions: { Enabled: false },
        }),
      )
    ).ClientVpnEndpointId!;
    const [e] = (await ec2.send(new DescribeClientVpnEndpointsCommand({ ClientVpnEndpointIds: [id] }))).ClientVpnEndpoints!;
    assert.deepEqual(e!.AuthenticationOptions, [{ Type: 'directory-service-authentication', ActiveDirectory: { DirectoryId: directoryId } }]);
    assert.equal(e!.SelfServicePortalUrl, `https://self-service.clientvpn.amazonaws.com/endpoints/${id}`);
    assert.ok((await ec2.send(new ExportClientVpnClientConfigurationCommand({ ClientVpnEndpointId: id }))).ClientConfiguration!.split('\n').includes('auth-user-pass'));
    const assoc = (await ec2.send(new AssociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: id, SubnetId: net.subnets[0] }))).AssociationId!;
    const [a, b] = [net.cidr.replace('.0.0/16', '.1.0/24'), net.cidr.replace('.0.0/16', '.2.0/24')];
    await ec2.send(new AuthorizeClientVpnIngressCommand({ ClientVpnEndpointId: id, TargetNetworkCidr: a, AccessGroupId: ad.eng, Description: 'engineering' }));
    await ec2.send(new AuthorizeClientVpnIngressCommand({ ClientVpnEndpointId: id, TargetNetworkCidr: b, AccessGroupId: ad.fin, Description: 'finance' }));
    await new Promise((r) => setTimeout(r, 250));
    const described = (await ec2.send(new DescribeClientVpnAuthorizationRulesCommand({ ClientVpnEndpointId: id }))).AuthorizationRules!;
    assert.deepEqual(described.map((r) => [r.DestinationCidr, r.GroupId, r.AccessAll, r.Description, r.Status!.Code]).sort(), [[a, ad.eng, false, 'engineering', 'active'], [b, ad.fin, false, 'finance', 'active']].sort());
    // Who reaches what, from the rules as described and each user's groups as AD lists them.
    const rules = described.map((r) => rule(r.DestinationCidr!, r.AccessAll ? null : r.GroupId!));
    const host = (cidr: string): string => cidr.replace('.0/24', '.10');
    assert.deepEqual([authorizes(rules, NOW, ad.alice, host(a)), authorizes(rules, NOW, ad.alice, host(b))], [true, false]);
    assert.deepEqual([authorizes(rules, NOW, ad.bob, host(a)), authorizes(rules, NOW, ad.bob, host(b))], [false, true]);
    // Users sign in with their directory passwords; their group SIDs come with the connection
    // and decide what they reach (an instance in the first subnet, with the VPC's default group).
    for (const [u, pw] of [['alice', 'Corp-Secret-1'], ['bob', 'Corp-Secret-2']]) await ds0.send(new ResetUserPasswordCommand({ DirectoryId: directoryId, UserName: u, NewPassword: pw }));
    await ec2.send(new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', MinCount: 1, MaxCount: 1, SubnetId: net.subnets[0], PrivateIpAddress: host(a) }));
    await ec2.send(new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', MinCount: 1, MaxCount: 1, SubnetId: net.subnets[1], PrivateIpAddress: host(b) }));
    const gatehouse = async (op: string, body: object): Promise<Record<string, unknown>> => {
      const r = await signedRequest(server.endpoint, { service: 'ec2', path: `/_gatehouse/ec2/${op}`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ClientVpnEndpointId: id, ...body }) });
      assert.equal(r.status, 200, r.body);
      return JSON.parse(r.body) as Record<string, unknown>;
    };
    const wrong = await gatehouse('ConnectClientVpnClient', { Username: 'bob', Password: 'not-it' });
    assert.deepEqual([wrong.Status, wrong.FailureReason], ['failed', 'authentication-failed']);
    const alice = await gatehouse('ConnectClientVpnClient', { Username: 'alice', Password: 'Corp-Secret-1' });
    const bob = await gatehouse('ConnectClientVpnClient', { Username: 'bob', Password: 'Corp-Secret-2' });
    assert.deepEqual([alice.Status, bob.Status], ['active', 'active']);
    const listed = (await ec2.send(new DescribeClientVpnConnectionsCommand({ ClientVpnEndpointId: id, Filters: [{ Name: 'username', Values: ['alice'] }] }))).Connections!;
    assert.deepEqual(listed.map((c) => [c.ConnectionId, c.Username, c.Status!.Code]), [[alice.ConnectionId, 'alice', 'active']]);
    const reach = async (connection: unknown, destination: string): Promise<unknown> => (await gatehouse('AnalyzeClientVpnReachability', { ConnectionId: connection, Destination: destination, Port: 22 })).Result;
    assert.deepEqual([await reach(alice.ConnectionId, host(a)), await reach(alice.ConnectionId, host(b))], ['allowed', 'unauthorized']);
    assert.deepEqual([await reach(bob.ConnectionId, host(a)), await reach(bob.ConnectionId, host(b))], ['unauthorized', 'allowed']);
    // Client VPN is an authorized application of the directory now.
    const ds = ds0;
    await assert.rejects(ds.send(new DeleteDirectoryCommand({ DirectoryId: directoryId })), { name: 'ClientException' });
    await ec2.send(new DisassociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: id, AssociationId: assoc }));
    await new Promise((r) => setTimeout(r, 150));
    await ec2.send(new DeleteClientVpnEndpointCommand({ ClientVpnEndpointId: id }));
    await ds.send(new DeleteDirectoryCommand({ DirectoryId: directoryId }));
  });

  it('a directory that does not exist is refused', async () => {
    const ec2 = new EC2Client(clientConfig(server.endpoint));
    const cert = (await clientVpnFixtures(server.endpoint)).serverCertificateArn;
    await assert.rejects(
      ec2.send(new CreateClientVpnEndpointCommand({ ClientCidrBlock: '10.251.0.0/22', ServerCertificateArn: cert, AuthenticationOptions: [{ Type: 'directory-service-authentication', ActiveDirectory: { DirectoryId: 'd-0123456789' } }], ConnectionLogOptions: { Enabled: false } })),
      { name: 'InvalidParameterValue', message: /Directory d-0123456789 does not exist/ },
    );
  });
});
