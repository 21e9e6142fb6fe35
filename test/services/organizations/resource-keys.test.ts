/**
 * aws:ResourceOrgID, aws:ResourceOrgPaths and aws:ResourceAccount: the resource owner's
 * organization, path and account in the request context. A data-perimeter identity policy
 * (allow kms:DescribeKey only on keys of the organization's accounts) on a user of member
 * account B, against KMS keys in member A (in an OU), in B itself (at the root), in the
 * management account and in an account outside the organization, each key policy allowing
 * B. Through the AWS SDK and boto3.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AcceptHandshakeCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  InviteAccountToOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
  RemoveAccountFromOrganizationCommand,
} from '@aws-sdk/client-organizations';
import { CreateKeyCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { boto3, clientConfig, startServer, type Keys, type Running } from '../../helpers/server.js';

const MGMT = '000000000000';
const A = '111111111111';
const B = '222222222222';
const OUTSIDE = '333333333333';
const KEYS: Record<string, Keys> = {
  [MGMT]: { accessKeyId: 'test', secretAccessKey: 'test' },
  [A]: { accessKeyId: 'AKIARESOURCEA0000001', secretAccessKey: 'resourceA' },
  [B]: { accessKeyId: 'AKIARESOURCEB0000001', secretAccessKey: 'resourceB' },
  [OUTSIDE]: { accessKeyId: 'AKIARESOURCEC0000001', secretAccessKey: 'resourceC' },
};

/** A key policy: the owner's account administers, account B may describe. */
const keyPolicy = (owner: string): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Owner', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${owner}:root` }, Action: 'kms:*', Resource: '*' },
      { Sid: 'MemberB', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: 'kms:DescribeKey', Resource: '*' },
    ],
  });

describe('aws:ResourceOrgID, aws:ResourceOrgPaths and aws:ResourceAccount carry the resource owner\'s values', () => {
  let server: Running;
  let orgId = '';
  let rootId = '';
  let ouId = '';
  const keyArn: Record<string, string> = {};
  let reader: KMSClient;
  let readerKeys: Keys;
  const iamB = (): IAMClient => new IAMClient(clientConfig(server.endpoint, KEYS[B]));
  const setPolicy = (condition: object): Promise<unknown> =>
    iamB().send(
      new PutUserPolicyCommand({
        UserName: 'reader',
        PolicyName: 'perimeter',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*', Condition: condition }] }),
      }),
    );
  /** The key's owner as DescribeKey reports it, or the error's name. */
  const describe = async (owner: string): Promise<string> => {
    try {
      return (await reader.send(new DescribeKeyCommand({ KeyId: keyArn[owner]! }))).KeyMetadata!.AWSAccountId!;
    } catch (e) {
      const err = e as Error;
      assert.match(err.message, new RegExp(`kms:DescribeKey on resource: ${keyArn[owner]!.replace(/[/.]/g, '\\$&')} because no identity-based policy allows the kms:DescribeKey action`));
      return err.name;
    }
  };
  const DENIED = 'AccessDeniedException';

  before(async () => {
    server = await startServer({ accounts: [MGMT, A, B, OUTSIDE].map((id) => ({ id, ...KEYS[id]! })) });
    const orgs = (id: string): OrganizationsClient => new OrganizationsClient(clientConfig(server.endpoint, KEYS[id]));
    orgId = (await orgs(MGMT).send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization!.Id!;
    for (const id of [A, B]) {
      const hs = (await orgs(MGMT).send(new InviteAccountToOrganizationCommand({ Target: { Id: id, Type: 'ACCOUNT' } }))).Handshake!;
      await orgs(id).send(new AcceptHandshakeCommand({ HandshakeId: hs.Id! }));
    }
    rootId = (await orgs(MGMT).send(new ListRootsCommand({}))).Roots![0]!.Id!;
    ouId = (await orgs(MGMT).send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Workloads' }))).OrganizationalUnit!.Id!;
    await orgs(MGMT).send(new MoveAccountCommand({ AccountId: A, SourceParentId: rootId, DestinationParentId: ouId }));
    for (const owner of [MGMT, A, B, OUTSIDE]) {
      const kms = new KMSClient(clientConfig(server.endpoint, KEYS[owner]));
      keyArn[owner] = (await kms.send(new CreateKeyCommand({ Policy: keyPolicy(owner) }))).KeyMetadata!.Arn!;
    }
    await iamB().send(new CreateUserCommand({ UserName: 'reader' }));
    const key = (await iamB().send(new CreateAccessKeyCommand({ UserName: 'reader' }))).AccessKey!;
    readerKeys = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    reader = new KMSClient(clientConfig(server.endpoint, readerKeys));
  });
  after(() => server.close());

  it('aws:ResourceOrgID: keys of the organization\'s accounts (members and management) are allowed, the outside account\'s is not', async () => {
    await setPolicy({ StringEquals: { 'aws:ResourceOrgID': orgId } });
    assert.deepEqual(await Promise.all([A, B, MGMT, OUTSIDE].map(describe)), [A, B, MGMT, DENIED]);
    // A wrong organization id allows nothing: the key carries the real id, not merely "some".
    await setPolicy({ StringEquals: { 'aws:ResourceOrgID': 'o-0000000000' } });
    assert.deepEqual(await Promise.all([A, B, MGMT, OUTSIDE].map(describe)), [DENIED, DENIED, DENIED, DENIED]);
    // The ...IfExists form lets the key without an organization through, as AWS documents.
    await setPolicy({ StringEqualsIfExists: { 'aws:ResourceOrgID': 'o-0000000000' } });
    assert.deepEqual(await Promise.all([A, OUTSIDE].map(describe)), [DENIED, OUTSIDE]);
  });

  it('aws:ResourceOrgPaths: the owner\'s path o-…/r-…/ou-…/; only the OU\'s account matches the OU\'s path', async () => {
    await setPolicy({ 'ForAnyValue:StringLike': { 'aws:ResourceOrgPaths': [`${orgId}/${rootId}/${ouId}/*`] } });
    assert.deepEqual(await Promise.all([A, B, MGMT, OUTSIDE].map(describe)), [A, DENIED, DENIED, DENIED]);
    // The exact path of an account at the root.
    await setPolicy({ 'ForAnyValue:StringEquals': { 'aws:ResourceOrgPaths': [`${orgId}/${rootId}/`] } });
    assert.deepEqual(await Promise.all([A, B, MGMT, OUTSIDE].map(describe)), [DENIED, B, MGMT, DENIED]);
  });

  it('aws:ResourceAccount: the key\'s account, in or out of the organization (boto3)', async () => {
    await setPolicy({ StringEquals: { 'aws:ResourceAccount': [A, OUTSIDE] } });
    assert.deepEqual(await Promise.all([A, B, MGMT, OUTSIDE].map(describe)), [A, DENIED, DENIED, OUTSIDE]);
    // ${aws:PrincipalAccount}: only the caller's own account's key.
    await setPolicy({ StringEquals: { 'aws:ResourceAccount': '${aws:PrincipalAccount}' } });
    const out = await boto3(
      server.endpoint,
      `k = client('kms')\nres = []\nfor arn in ${JSON.stringify([keyArn[A], keyArn[B]])}:\n    try:\n        res.append(k.describe_key(KeyId=arn)['KeyMetadata']['AWSAccountId'])\n    except k.exceptions.ClientError as e:\n        res.append(e.response['Error']['Code'])\nprint(json.dumps(res))`,
      readerKeys,
    );
    assert.deepEqual(JSON.parse(out), ['AccessDeniedException', B]);
  });

  it('an account removed from the organization no longer has an organization id (the cache follows the organization\'s revision)', async () => {
    await setPolicy({ StringEquals: { 'aws:ResourceOrgID': orgId } });
    assert.equal(await describe(A), A);
    await new OrganizationsClient(clientConfig(server.endpoint, KEYS[MGMT])).send(new RemoveAccountFromOrganizationCommand({ AccountId: A }));
    assert.equal(await describe(A), DENIED);
    assert.equal(await describe(B), B);
  });
});
