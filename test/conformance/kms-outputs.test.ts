/**
 * Conformance, output half, for KMS: every implemented KMS operation called through the
 * AWS SDK v3, its output checked against the model (required members, types, enums) and
 * its values compared; a coverage test fails if an implemented operation is missed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListAliasesCommand,
  ListGrantsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-kms';
import { ACCOUNT, clientConfig, startServer, type Running } from '../helpers/server.js';
import { checkOutput } from './model-check.js';

describe('Conformance: KMS outputs match the model', () => {
  let server: Running;
  let kms: KMSClient;
  const called = new Set<string>();
  const check = (operation: string, output: object): void => {
    called.add(operation);
    assert.deepEqual(checkOutput('kms', operation, output as Record<string, unknown>), [], operation);
  };
  before(async () => {
    server = await startServer();
    kms = new KMSClient(clientConfig(server.endpoint));
  });
  after(async () => server.close());

  it('key, alias, policy, grant, crypto and tag lifecycle', async () => {
    const created = await kms.send(new CreateKeyCommand({ Description: 'conformance', Tags: [{ TagKey: 'env', TagValue: 'test' }] }));
    check('CreateKey', created);
    const keyId = created.KeyMetadata!.KeyId!;
    const arn = created.KeyMetadata!.Arn!;
    const described = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    check('DescribeKey', described);
    assert.equal(described.KeyMetadata!.Description, 'conformance');
    const managed = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/acm' }));
    check('DescribeKey', managed);
    assert.equal(managed.KeyMetadata!.KeyManager, 'AWS');
    const keys = await kms.send(new ListKeysCommand({ Limit: 1 }));
    check('ListKeys', keys);
    assert.deepEqual([keys.Keys!.length, keys.Truncated], [1, true]);
    check('CreateAlias', await kms.send(new CreateAliasCommand({ AliasName: 'alias/conformance', TargetKeyId: keyId })));
    const aliases = await kms.send(new ListAliasesCommand({}));
    check('ListAliases', aliases);
    assert.ok(aliases.Aliases!.some((a) => a.AliasName === 'alias/conformance' && a.TargetKeyId === keyId));
    const policy = await kms.send(new GetKeyPolicyCommand({ KeyId: keyId }));
    check('GetKeyPolicy', policy);
    const next = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] });
    check('PutKeyPolicy', await kms.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: next })));
    assert.equal((await kms.send(new GetKeyPolicyCommand({ KeyId: keyId }))).Policy, next);
    const enc = await kms.send(new EncryptCommand({ KeyId: 'alias/conformance', Plaintext: Buffer.from('hello') }));
    check('Encrypt', enc);
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob! }));
    check('Decrypt', dec);
    assert.equal(Buffer.from(dec.Plaintext!).toString(), 'hello');
    const dk = await kms.send(new GenerateDataKeyCommand({ KeyId: arn, KeySpec: 'AES_128' }));
    check('GenerateDataKey', dk);
    assert.equal(dk.Plaintext!.length, 16);
    const g1 = await kms.send(new CreateGrantCommand({ KeyId: arn, GranteePrincipal: 'acm.amazonaws.com', RetiringPrincipal: `arn:aws:iam::${ACCOUNT}:root`, Operations: ['Decrypt'], Name: 'first' }));
    check('CreateGrant', g1);
    const g2 = await kms.send(new CreateGrantCommand({ KeyId: arn, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:root`, Operations: ['Encrypt'] }));
    const grants = await kms.send(new ListGrantsCommand({ KeyId: keyId }));
    check('ListGrants', grants);
    assert.deepEqual(grants.Grants!.map((g) => g.GrantId), [g1.GrantId, g2.GrantId]);
    check('RetireGrant', await kms.send(new RetireGrantCommand({ GrantToken: g1.GrantToken! })));
    check('RevokeGrant', await kms.send(new RevokeGrantCommand({ KeyId: keyId, GrantId: g2.GrantId! })));
    check('TagResource', await kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'team', TagValue: 'net' }] })));
    check('UntagResource', await kms.send(new UntagResourceCommand({ KeyId: keyId, TagKeys: ['env'] })));
    const tags = await kms.send(new ListResourceTagsCommand({ KeyId: keyId }));
    check('ListResourceTags', tags);
    assert.deepEqual(tags.Tags, [{ TagKey: 'team', TagValue: 'net' }]);
    check('DisableKey', await kms.send(new DisableKeyCommand({ KeyId: keyId })));
    check('EnableKey', await kms.send(new EnableKeyCommand({ KeyId: keyId })));
    check('DeleteAlias', await kms.send(new DeleteAliasCommand({ AliasName: 'alias/conformance' })));
    const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    check('ScheduleKeyDeletion', scheduled);
    assert.equal(scheduled.KeyState, 'PendingDeletion');
    const cancelled = await kms.send(new CancelKeyDeletionCommand({ KeyId: keyId }));
    check('CancelKeyDeletion', cancelled);
    assert.equal(cancelled.KeyId, arn);
  });

  it('covers every implemented KMS operation', () => {
    const implemented = server.gatehouse.implementedOperations().kms ?? [];
    assert.ok(implemented.length > 0);
    assert.deepEqual(implemented.filter((op) => !called.has(op)), []);
  });
});
