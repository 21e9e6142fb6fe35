/**
 * `gatehouse serve --realistic-timing`: asynchronous states take AWS-like minutes. Through
 * the AWS CLI against a server process: right after an association, the target network is
 * still `associating` and the endpoint `pending-associate` (in the default, fast timing
 * both settle within a fraction of a second; see test/services/ec2/client-vpn.test.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess, type Started } from '../helpers/server.js';
import { clientVpnFixtures } from '../helpers/certificates.js';
import { aws } from './helpers.js';

describe('gatehouse serve --realistic-timing', () => {
  let server: Started;
  let endpoint: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-timing-'));
  before(async () => {
    const port = await freePort();
    server = await startProcess(dataDir, port, ['--realistic-timing']);
    endpoint = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('an association stays associating, and the endpoint pending-associate, for minutes', async () => {
    const cert = (await clientVpnFixtures(endpoint)).serverCertificateArn;
    const vpc = (await aws(endpoint, ['ec2', 'create-vpc', '--cidr-block', '10.0.0.0/16'])).Vpc.VpcId as string;
    const subnet = (await aws(endpoint, ['ec2', 'create-subnet', '--vpc-id', vpc, '--cidr-block', '10.0.1.0/24'])).Subnet.SubnetId as string;
    const id = (
      await aws(endpoint, [
        'ec2', 'create-client-vpn-endpoint', '--client-cidr-block', '10.100.0.0/22', '--server-certificate-arn', cert,
        '--authentication-options', `Type=certificate-authentication,MutualAuthentication={ClientRootCertificateChainArn=${cert}}`,
        '--connection-log-options', 'Enabled=false',
      ])
    ).ClientVpnEndpointId as string;
    await aws(endpoint, ['ec2', 'associate-client-vpn-target-network', '--client-vpn-endpoint-id', id, '--subnet-id', subnet]);
    await new Promise((r) => setTimeout(r, 1000));
    const nets = await aws(endpoint, ['ec2', 'describe-client-vpn-target-networks', '--client-vpn-endpoint-id', id]);
    assert.equal(nets.ClientVpnTargetNetworks[0].Status.Code, 'associating');
    const e = await aws(endpoint, ['ec2', 'describe-client-vpn-endpoints', '--client-vpn-endpoint-ids', id]);
    assert.equal(e.ClientVpnEndpoints[0].Status.Code, 'pending-associate');
  });
});
