/**
 * The `aws/acm` AWS managed key: created on first use with AWS's description and the key
 * policy AWS gives it; usable for grants only through ACM. A direct CreateGrant is denied
 * even to a user whose IAM policy allows kms:*; the same call made by ACM on the user's
 * behalf (forward access: `kms:ViaService` = `acm.us-east-1.amazonaws.com`,
 * `kms:GrantIsForAWSResource` = true) is allowed, even for a user without KMS permissions.
 * Nobody may change, disable or delete the key. CloudTrail shows ACM's call, invoked by ACM.
 *
 * ACM's side is a stand-in operation (an extra service answering for ACM in this server),
 * doing what ACM does when a certificate is associated with a service: describe the
 * account's aws/acm key and create a grant on it, on the caller's behalf.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ACMClient, RenewCertificateCommand } from '@aws-sdk/client-acm';
import {
  CreateGrantCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListGrantsCommand,
  PutKeyPolicyCommand,
  RevokeGrantCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
} from '@aws-sdk/client-kms';
import { IAMClient } from '@aws-sdk/client-iam';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { ACCOUNT, clientConfig, startServer, type Keys, type Running } from '../../helpers/server.js';
import { allow, doc, grant, makeUser, rejects } from '../iam/helpers.js';
import type { ServiceContext, ServiceDefinition } from '../../../src/services/types.js';

const CERT = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555`;
const userArn = (name: string): string => `arn:aws:iam::${ACCOUNT}:user/${name}`;

/** What the stand-in asks KMS for next. */
const next: { keyId?: string; operations: string[] } = { operations: ['Decrypt'] };
let lastGrant: string | undefined;

const acmStandIn: ServiceDefinition = {
  model: 'acm',
  signingNames: ['acm'],
  eventSource: 'acm.amazonaws.com',
  handlers: {
    async RenewCertificate(input: { CertificateArn: string }, ctx: ServiceContext) {
      await ctx.authorize('acm:RenewCertificate', input.CertificateArn);
      const kms = ctx.onBehalfOf('acm.amazonaws.com');
      const key = await kms.call<{ KeyMetadata: { Arn: string } }>('kms', 'DescribeKey', { KeyId: next.keyId ?? 'alias/aws/acm' });
      const created = await kms.call<{ GrantId: string }>('kms', 'CreateGrant', { KeyId: key.KeyMetadata.Arn, GranteePrincipal: 'acm.amazonaws.com', RetiringPrincipal: 'acm.amazonaws.com', Operations: next.operations });
      lastGrant = created.GrantId;
      return {};
    },
  },
};

const AWS_ACM_POLICY = (region: string) => ({
  Version: '2012-10-17',
  Id: 'auto-acm-4',
  Statement: [
    {
      Sid: 'Allow creation of decryption grants', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:CreateGrant', Resource: '*',
      Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': `acm.${region}.amazonaws.com` }, 'ForAllValues:StringEquals': { 'kms:GrantOperations': 'Decrypt' }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
    {
      Sid: 'Allow creation of encryption grant', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:CreateGrant', Resource: '*',
      Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': `acm.${region}.amazonaws.com` }, 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Encrypt', 'ReEncryptFrom', 'ReEncryptTo'] }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
    {
      Sid: 'Allowed operations for the key owner', Effect: 'Allow', Principal: { AWS: '*' }, Action: ['kms:DescribeKey', 'kms:ListGrants', 'kms:RevokeGrant', 'kms:GetKeyPolicy'], Resource: '*',
      Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT } },
    },
    { Sid: 'Deny re-encryption to any other key', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:ReEncrypt*', Resource: '*', Condition: { Bool: { 'kms:ReEncryptOnSameKey': 'false' } } },
    { Sid: 'Allow decrypt', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': `acm.${region}.amazonaws.com` } } },
  ],
});

describe('The aws/acm AWS managed key', () => {
  let server: Running;
  let kms: KMSClient;
  let alice: Keys;
  let carol: Keys;
  let keyArn: string;

  before(async () => {
    server = await startServer({ extraServices: [acmStandIn] });
    kms = new KMSClient(clientConfig(server.endpoint));
    const iam = new IAMClient(clientConfig(server.endpoint));
    alice = await makeUser(iam, 'alice');
    await grant(iam, 'alice', 'admin', doc(allow(['kms:*', 'acm:*'])));
    // carol may renew certificates and nothing in KMS.
    carol = await makeUser(iam, 'carol');
    await grant(iam, 'carol', 'acm', doc(allow('acm:RenewCertificate')));
  });
  after(async () => server.close());

  it('DescribeKey by alias creates it: KeyManager AWS, AWS\'s description and key policy', async () => {
    const m = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/acm' }))).KeyMetadata!;
    keyArn = m.Arn!;
    assert.deepEqual([m.KeyManager, m.Description, m.KeyState, m.Enabled, m.KeySpec, m.KeyUsage, m.Origin], [
      'AWS', 'Default key that protects my ACM private keys when no other key is defined', 'Enabled', true, 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', 'AWS_KMS',
    ]);
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/acm' }))).KeyMetadata!.Arn, keyArn, 'once per account and region');
    const policy = (await kms.send(new GetKeyPolicyCommand({ KeyId: m.KeyId! }))).Policy!;
    assert.deepEqual(JSON.parse(policy), AWS_ACM_POLICY('us-east-1'));
    assert.ok(policy.startsWith('{\n  "Version" : "2012-10-17",\n  "Id" : "auto-acm-4",\n  "Statement" : [ {\n    "Sid" : "Allow creation of decryption grants",'), 'in KMS\'s own JSON style');
    const west = new KMSClient(clientConfig(server.endpoint, undefined, 'eu-west-1'));
    const w = (await west.send(new DescribeKeyCommand({ KeyId: 'alias/aws/acm' }))).KeyMetadata!;
    assert.notEqual(w.Arn, keyArn);
    assert.deepEqual(JSON.parse((await west.send(new GetKeyPolicyCommand({ KeyId: w.KeyId! }))).Policy!), AWS_ACM_POLICY('eu-west-1'));
  });

  it('any principal of the account may read it (the owner statement), even without IAM permissions', async () => {
    const asCarol = new KMSClient(clientConfig(server.endpoint, carol));
    assert.equal((await asCarol.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata!.Arn, keyArn);
    assert.ok((await asCarol.send(new GetKeyPolicyCommand({ KeyId: keyArn }))).Policy);
    assert.deepEqual((await asCarol.send(new ListGrantsCommand({ KeyId: keyArn }))).Grants, []);
  });

  it('a direct CreateGrant is denied even with kms:* in IAM: only ACM may create grants on it', async () => {
    const asAlice = new KMSClient(clientConfig(server.endpoint, alice));
    await rejects(
      asAlice.send(new CreateGrantCommand({ KeyId: keyArn, GranteePrincipal: 'acm.amazonaws.com', Operations: ['Decrypt'] })),
      'AccessDeniedException',
      `User: ${userArn('alice')} is not authorized to perform: kms:CreateGrant on resource: ${keyArn} because no resource-based policy allows the kms:CreateGrant action`,
      400,
    );
  });

  it('the same CreateGrant made by ACM on the caller\'s behalf is allowed, for a caller without KMS permissions too', async () => {
    next.operations = ['Decrypt'];
    await new ACMClient(clientConfig(server.endpoint, alice)).send(new RenewCertificateCommand({ CertificateArn: CERT }));
    const aliceGrant = lastGrant!;
    next.operations = ['Encrypt', 'ReEncryptFrom'];
    await new ACMClient(clientConfig(server.endpoint, carol)).send(new RenewCertificateCommand({ CertificateArn: CERT }));
    const grants = (await kms.send(new ListGrantsCommand({ KeyId: keyArn }))).Grants!;
    assert.deepEqual(grants.map((g) => [g.GrantId, g.GranteePrincipal, g.RetiringPrincipal, g.Operations]), [
      [aliceGrant, 'acm.amazonaws.com', 'acm.amazonaws.com', ['Decrypt']],
      [lastGrant, 'acm.amazonaws.com', 'acm.amazonaws.com', ['Encrypt', 'ReEncryptFrom']],
    ]);
    // ForAllValues: a grant for an operation the policy does not list is not ACM's to create.
    next.operations = ['Decrypt', 'GenerateDataKey'];
    await rejects(
      new ACMClient(clientConfig(server.endpoint, alice)).send(new RenewCertificateCommand({ CertificateArn: CERT })),
      'AccessDeniedException',
      `User: ${userArn('alice')} is not authorized to perform: kms:CreateGrant on resource: ${keyArn} because no resource-based policy allows the kms:CreateGrant action`,
    );
    // The owner may revoke them directly.
    await kms.send(new RevokeGrantCommand({ KeyId: keyArn, GrantId: aliceGrant }));
    assert.equal((await kms.send(new ListGrantsCommand({ KeyId: keyArn }))).Grants!.length, 1);
  });

  it('nobody may change, disable, delete or tag it: its policy allows none of that, not even to the root user', async () => {
    const denied = (action: string) => `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: kms:${action} on resource: ${keyArn} because no resource-based policy allows the kms:${action} action`;
    await rejects(kms.send(new PutKeyPolicyCommand({ KeyId: keyArn, Policy: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }) })), 'AccessDeniedException', denied('PutKeyPolicy'));
    await rejects(kms.send(new DisableKeyCommand({ KeyId: keyArn })), 'AccessDeniedException', denied('DisableKey'));
    await rejects(kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn })), 'AccessDeniedException', denied('ScheduleKeyDeletion'));
    await rejects(kms.send(new TagResourceCommand({ KeyId: keyArn, Tags: [{ TagKey: 'a', TagValue: 'b' }] })), 'AccessDeniedException', denied('TagResource'));
  });

  it('kms:ViaService names the calling service and region in customer key policies too', async () => {
    const onlyViaAcm = doc(
      { Sid: 'Admin', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      { Sid: 'Grants only through ACM', Effect: 'Deny', Principal: '*', Action: 'kms:CreateGrant', Resource: '*', Condition: { StringNotEquals: { 'kms:ViaService': 'acm.us-east-1.amazonaws.com' } } },
    );
    const key = (await kms.send(new CreateKeyCommand({ Policy: onlyViaAcm }))).KeyMetadata!;
    await rejects(kms.send(new CreateGrantCommand({ KeyId: key.Arn!, GranteePrincipal: 'acm.amazonaws.com', Operations: ['Decrypt'] })), 'AccessDeniedException', /with an explicit deny in a resource-based policy/);
    next.keyId = key.Arn!;
    next.operations = ['Decrypt'];
    try {
      await new ACMClient(clientConfig(server.endpoint, alice)).send(new RenewCertificateCommand({ CertificateArn: CERT }));
    } finally {
      delete next.keyId;
    }
    assert.deepEqual((await kms.send(new ListGrantsCommand({ KeyId: key.Arn! }))).Grants!.map((g) => g.GrantId), [lastGrant]);
  });

  it('CloudTrail: ACM\'s CreateGrant is the caller\'s, invoked by ACM; the direct attempt is a denied event', async () => {
    const ct = new CloudTrailClient(clientConfig(server.endpoint));
    const events = (await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateGrant' }] }))).Events!.map(
      (e) => JSON.parse(e.CloudTrailEvent!) as { eventSource: string; errorCode?: string; errorMessage?: string; sourceIPAddress: string; userIdentity: { arn: string; invokedBy?: string }; requestParameters: Record<string, unknown>; resources?: { ARN: string }[] },
    );
    const viaAcm = events.find((e) => !e.errorCode && e.userIdentity.arn === userArn('carol'));
    assert.ok(viaAcm, 'carol\'s grant through ACM is recorded');
    assert.deepEqual([viaAcm.eventSource, viaAcm.userIdentity.invokedBy, viaAcm.sourceIPAddress], ['kms.amazonaws.com', 'acm.amazonaws.com', 'acm.amazonaws.com']);
    assert.deepEqual(viaAcm.requestParameters.operations, ['Encrypt', 'ReEncryptFrom']);
    assert.deepEqual(viaAcm.resources?.map((r) => r.ARN), [keyArn]);
    const direct = events.find((e) => e.errorCode && e.userIdentity.arn === userArn('alice') && !e.userIdentity.invokedBy);
    assert.ok(direct, 'the direct attempt is recorded');
    assert.equal(direct.errorCode, 'AccessDeniedException');
    assert.match(direct.errorMessage!, /because no resource-based policy allows the kms:CreateGrant action/);
  });
});
