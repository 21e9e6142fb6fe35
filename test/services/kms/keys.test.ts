/**
 * KMS keys through the SDK, the AWS CLI v2 and boto3: CreateKey with the default key
 * policy, DescribeKey, real AES-256-GCM (Encrypt/Decrypt/GenerateDataKey, encryption
 * context bound), key states, aliases, tags, key policies enforced as AWS enforces them
 * (the key policy must allow; IAM policies count only where it delegates to the account),
 * KMS's policy validation and lockout check, and grants.
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
import { IAMClient } from '@aws-sdk/client-iam';
import { ACCOUNT, awsCli, boto3, clientConfig, startServer, type Keys, type Running } from '../../helpers/server.js';
import { allow, doc, grant, makeUser, rejects } from '../iam/helpers.js';

const ROOT_ARN = `arn:aws:iam::${ACCOUNT}:root`;
const userArn = (name: string): string => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const DEFAULT_POLICY = `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::${ACCOUNT}:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`;

describe('KMS keys, policies and grants', () => {
  let server: Running;
  let kms: KMSClient;
  let iam: IAMClient;
  let keyId: string;
  let keyArn: string;
  let alice: Keys;
  let bob: Keys;

  before(async () => {
    server = await startServer();
    kms = new KMSClient(clientConfig(server.endpoint));
    iam = new IAMClient(clientConfig(server.endpoint));
    alice = await makeUser(iam, 'alice');
    await grant(iam, 'alice', 'everything-kms', doc(allow('kms:*')));
    bob = await makeUser(iam, 'bob');
  });
  after(async () => server.close());

  it('CreateKey: a symmetric key with the default key policy, as DescribeKey and GetKeyPolicy show it', async () => {
    const created = await kms.send(new CreateKeyCommand({ Description: 'vpn secrets', Tags: [{ TagKey: 'env', TagValue: 'test' }] }));
    const m = created.KeyMetadata!;
    keyId = m.KeyId!;
    keyArn = m.Arn!;
    assert.match(keyId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(keyArn, `arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId}`);
    const d = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
    assert.deepEqual(
      { ...d, CreationDate: undefined },
      {
        AWSAccountId: ACCOUNT, KeyId: keyId, Arn: keyArn, CreationDate: undefined, Enabled: true, Description: 'vpn secrets', KeyUsage: 'ENCRYPT_DECRYPT', KeyState: 'Enabled',
        Origin: 'AWS_KMS', KeyManager: 'CUSTOMER', CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT', KeySpec: 'SYMMETRIC_DEFAULT', EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'], MultiRegion: false,
      },
    );
    assert.ok(Math.abs(d.CreationDate!.getTime() - Date.now()) < 60_000);
    const policy = await kms.send(new GetKeyPolicyCommand({ KeyId: keyId }));
    assert.equal(policy.Policy, DEFAULT_POLICY);
    assert.equal(policy.PolicyName, 'default');
    const listed = await kms.send(new ListKeysCommand({}));
    assert.deepEqual(listed.Keys, [{ KeyId: keyId, KeyArn: keyArn }]);
    assert.equal(listed.Truncated, false);
    const mrk = (await kms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
    assert.match(mrk.KeyId!, /^mrk-[0-9a-f]{32}$/);
    assert.deepEqual(mrk.MultiRegionConfiguration, { MultiRegionKeyType: 'PRIMARY', PrimaryKey: { Arn: mrk.Arn, Region: 'us-east-1' }, ReplicaKeys: [] });
    await rejects(kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', CustomerMasterKeySpec: 'RSA_2048' })), 'ValidationException', /cannot specify KeySpec and CustomerMasterKeySpec/);
    await rejects(kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })), 'UnsupportedOperationException', /KeySpec RSA_2048 is not supported by Gatehouse/);
  });

  it('Encrypt/Decrypt/GenerateDataKey: real AES-GCM, the ciphertext names its key, the encryption context is bound', async () => {
    const enc = await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('top secret'), EncryptionContext: { purpose: 'test' } }));
    assert.equal(enc.KeyId, keyArn);
    assert.equal(enc.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
    assert.ok(!Buffer.from(enc.CiphertextBlob!).includes(Buffer.from('top secret')), 'the plaintext is not in the blob');
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob!, EncryptionContext: { purpose: 'test' } }));
    assert.equal(Buffer.from(dec.Plaintext!).toString(), 'top secret');
    assert.equal(dec.KeyId, keyArn);
    await rejects(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob! })), 'InvalidCiphertextException');
    await rejects(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob!, EncryptionContext: { purpose: 'other' } })), 'InvalidCiphertextException');
    const tampered = Buffer.from(enc.CiphertextBlob!);
    tampered[tampered.length - 1]! ^= 1;
    await rejects(kms.send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: { purpose: 'test' } })), 'InvalidCiphertextException');
    await rejects(kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from('garbage') })), 'InvalidCiphertextException');
    const other = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await rejects(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob!, EncryptionContext: { purpose: 'test' }, KeyId: other.KeyId! })), 'IncorrectKeyException');
    const dk = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }));
    assert.equal(dk.Plaintext!.length, 32);
    const back = await kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob! }));
    assert.deepEqual(Buffer.from(back.Plaintext!), Buffer.from(dk.Plaintext!));
    assert.equal((await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 16 }))).Plaintext!.length, 16);
    await rejects(kms.send(new GenerateDataKeyCommand({ KeyId: keyId })), 'ValidationException', 'Please specify either number of bytes or key spec.');
  });

  it('key states: disabled keys refuse cryptography; deletion is scheduled 7-30 days out and can be cancelled (the key comes back disabled)', async () => {
    const k = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await kms.send(new DisableKeyCommand({ KeyId: k.KeyId! }));
    await rejects(kms.send(new EncryptCommand({ KeyId: k.KeyId!, Plaintext: Buffer.from('x') })), 'DisabledException', `${k.Arn!} is disabled.`);
    await kms.send(new EnableKeyCommand({ KeyId: k.KeyId! }));
    await kms.send(new EncryptCommand({ KeyId: k.KeyId!, Plaintext: Buffer.from('x') }));
    await rejects(kms.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId!, PendingWindowInDays: 3 })), 'ValidationException', "1 validation error detected: Value '3' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7");
    const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId!, PendingWindowInDays: 7 }));
    assert.deepEqual([scheduled.KeyId, scheduled.KeyState, scheduled.PendingWindowInDays], [k.Arn, 'PendingDeletion', 7]);
    assert.ok(Math.abs(scheduled.DeletionDate!.getTime() - (Date.now() + 7 * 86_400_000)) < 60_000);
    const d = (await kms.send(new DescribeKeyCommand({ KeyId: k.KeyId! }))).KeyMetadata!;
    assert.deepEqual([d.KeyState, d.Enabled, d.PendingDeletionWindowInDays], ['PendingDeletion', false, 7]);
    await rejects(kms.send(new EncryptCommand({ KeyId: k.KeyId!, Plaintext: Buffer.from('x') })), 'KMSInvalidStateException', `${k.Arn!} is pending deletion.`);
    await rejects(kms.send(new EnableKeyCommand({ KeyId: k.KeyId! })), 'KMSInvalidStateException', `${k.Arn!} is pending deletion.`);
    assert.equal((await kms.send(new CancelKeyDeletionCommand({ KeyId: k.KeyId! }))).KeyId, k.Arn);
    const back = (await kms.send(new DescribeKeyCommand({ KeyId: k.KeyId! }))).KeyMetadata!;
    assert.deepEqual([back.KeyState, back.Enabled, back.DeletionDate], ['Disabled', false, undefined]);
    await rejects(kms.send(new CancelKeyDeletionCommand({ KeyId: k.KeyId! })), 'KMSInvalidStateException', `${k.Arn!} is not pending deletion.`);
  });

  it('unknown keys and key ids: NotFoundException with KMS\'s wording', async () => {
    const missing = '11111111-2222-3333-4444-555555555555';
    await rejects(kms.send(new DescribeKeyCommand({ KeyId: missing })), 'NotFoundException', `Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/${missing}' does not exist`);
    await rejects(kms.send(new DescribeKeyCommand({ KeyId: 'alias/nothing' })), 'NotFoundException', `Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/nothing is not found.`);
    await rejects(kms.send(new DescribeKeyCommand({ KeyId: 'nonsense' })), 'NotFoundException', 'Invalid keyId nonsense');
    await rejects(kms.send(new DescribeKeyCommand({ KeyId: keyArn.replace('us-east-1', 'eu-west-1') })), 'NotFoundException', /does not exist/);
  });

  it('aliases: create, use, list, delete; KMS\'s name rules and duplicates', async () => {
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/vpn', TargetKeyId: keyId }));
    const viaAlias = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/vpn' }))).KeyMetadata!;
    assert.equal(viaAlias.Arn, keyArn);
    const byAliasArn = (await kms.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/vpn` }))).KeyMetadata!;
    assert.equal(byAliasArn.KeyId, keyId);
    const enc = await kms.send(new EncryptCommand({ KeyId: 'alias/vpn', Plaintext: Buffer.from('via alias') }));
    assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob!, KeyId: 'alias/vpn' }))).Plaintext!).toString(), 'via alias');
    const mine = await kms.send(new ListAliasesCommand({ KeyId: keyId }));
    assert.deepEqual(mine.Aliases!.map((a) => [a.AliasName, a.AliasArn, a.TargetKeyId]), [['alias/vpn', `arn:aws:kms:us-east-1:${ACCOUNT}:alias/vpn`, keyId]]);
    const all = await kms.send(new ListAliasesCommand({}));
    assert.ok(all.Aliases!.some((a) => a.AliasName === 'alias/aws/acm' && a.TargetKeyId === undefined), 'AWS\'s predefined aliases are listed without a key');
    await rejects(kms.send(new CreateAliasCommand({ AliasName: 'alias/vpn', TargetKeyId: keyId })), 'AlreadyExistsException', `An alias with the name arn:aws:kms:us-east-1:${ACCOUNT}:alias/vpn already exists`);
    await rejects(kms.send(new CreateAliasCommand({ AliasName: 'vpn2', TargetKeyId: keyId })), 'InvalidAliasNameException', /^Alias must start with the prefix "alias\/"/);
    await rejects(kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: keyId })), 'InvalidAliasNameException', /reserved for AWS managed keys/);
    await rejects(kms.send(new EnableKeyCommand({ KeyId: 'alias/vpn' })), 'NotFoundException', 'Invalid keyId alias/vpn');
    await kms.send(new DeleteAliasCommand({ AliasName: 'alias/vpn' }));
    await rejects(kms.send(new DeleteAliasCommand({ AliasName: 'alias/vpn' })), 'NotFoundException', `Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/vpn is not found.`);
  });

  it('tags: tag, untag, list; reserved keys', async () => {
    await kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'team', TagValue: 'net' }, { TagKey: 'env', TagValue: 'prod' }] }));
    assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId: keyId }))).Tags, [{ TagKey: 'team', TagValue: 'net' }, { TagKey: 'env', TagValue: 'prod' }]);
    await kms.send(new UntagResourceCommand({ KeyId: keyId, TagKeys: ['team'] }));
    assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId: keyId }))).Tags, [{ TagKey: 'env', TagValue: 'prod' }]);
    await rejects(kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'aws:x', TagValue: 'y' }] })), 'TagException', /reserved/);
  });

  it('the key policy must allow: an identity policy allowing kms:* is not enough when the key policy does not delegate to the account', async () => {
    const user = new KMSClient(clientConfig(server.endpoint, alice));
    // The default key policy delegates to IAM: alice's kms:* counts.
    assert.equal((await user.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyId, keyId);
    // A key whose policy names only bob: alice's IAM policy no longer counts; bob needs no IAM policy.
    const bobsPolicy = doc({ Sid: 'Bob only', Effect: 'Allow', Principal: { AWS: userArn('bob') }, Action: 'kms:*', Resource: '*' });
    await rejects(kms.send(new CreateKeyCommand({ Policy: bobsPolicy })), 'MalformedPolicyDocumentException', 'The new key policy will not allow you to update the key policy in the future.');
    const bobs = (await kms.send(new CreateKeyCommand({ Policy: bobsPolicy, BypassPolicyLockoutSafetyCheck: true }))).KeyMetadata!;
    // Not even the account's root user: the policy does not name the account.
    await rejects(kms.send(new GetKeyPolicyCommand({ KeyId: bobs.KeyId! })), 'AccessDeniedException', `User: ${ROOT_ARN} is not authorized to perform: kms:GetKeyPolicy on resource: ${bobs.Arn!} because no resource-based policy allows the kms:GetKeyPolicy action`);
    await rejects(
      user.send(new DescribeKeyCommand({ KeyId: bobs.KeyId! })),
      'AccessDeniedException',
      `User: ${userArn('alice')} is not authorized to perform: kms:DescribeKey on resource: ${bobs.Arn!} because no resource-based policy allows the kms:DescribeKey action`,
      400,
    );
    await rejects(user.send(new EncryptCommand({ KeyId: bobs.Arn!, Plaintext: Buffer.from('x') })), 'AccessDeniedException', /kms:Encrypt on resource: .* because no resource-based policy allows the kms:Encrypt action/);
    const asBob = new KMSClient(clientConfig(server.endpoint, bob));
    assert.equal((await asBob.send(new DescribeKeyCommand({ KeyId: bobs.Arn! }))).KeyMetadata!.KeyManager, 'CUSTOMER');
    // A user without IAM permissions on a key that delegates to IAM is denied by the identity side.
    await rejects(asBob.send(new DescribeKeyCommand({ KeyId: keyArn })), 'AccessDeniedException', `User: ${userArn('bob')} is not authorized to perform: kms:DescribeKey on resource: ${keyArn} because no identity-based policy allows the kms:DescribeKey action`);
    // Key policy conditions see KMS's context keys.
    const callerAccount = doc(
      { Sid: 'Admin', Effect: 'Allow', Principal: { AWS: ROOT_ARN }, Action: 'kms:*', Resource: '*' },
      { Sid: 'Deny encrypt with a context', Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:stage': 'prod', 'kms:CallerAccount': ACCOUNT } } },
    );
    const conditioned = (await kms.send(new CreateKeyCommand({ Policy: callerAccount }))).KeyMetadata!;
    await user.send(new EncryptCommand({ KeyId: conditioned.KeyId!, Plaintext: Buffer.from('x'), EncryptionContext: { stage: 'dev' } }));
    await rejects(user.send(new EncryptCommand({ KeyId: conditioned.KeyId!, Plaintext: Buffer.from('x'), EncryptionContext: { stage: 'prod' } })), 'AccessDeniedException', /with an explicit deny in a resource-based policy/);
  });

  it('PutKeyPolicy: KMS\'s validation, the lockout check, and the new policy in force', async () => {
    const k = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await rejects(kms.send(new PutKeyPolicyCommand({ KeyId: k.KeyId!, Policy: '{"Version": "2012-10-17", "Statement": [' })), 'MalformedPolicyDocumentException');
    await rejects(
      kms.send(new PutKeyPolicyCommand({ KeyId: k.KeyId!, Policy: doc({ Effect: 'Allow', Principal: { AWS: userArn('nobody') }, Action: 'kms:*', Resource: '*' }) })),
      'MalformedPolicyDocumentException',
      'Policy contains a statement with one or more invalid principals.',
    );
    const aliceOnly = doc({ Effect: 'Allow', Principal: { AWS: userArn('alice') }, Action: 'kms:*', Resource: '*' });
    await rejects(kms.send(new PutKeyPolicyCommand({ KeyId: k.KeyId!, Policy: aliceOnly })), 'MalformedPolicyDocumentException', 'The new key policy will not allow you to update the key policy in the future.');
    const user = new KMSClient(clientConfig(server.endpoint, alice));
    await user.send(new PutKeyPolicyCommand({ KeyId: k.KeyId!, Policy: aliceOnly }));
    assert.equal((await user.send(new GetKeyPolicyCommand({ KeyId: k.KeyId! }))).Policy, aliceOnly, 'a policy a caller sets is returned as sent');
    await rejects(kms.send(new DescribeKeyCommand({ KeyId: k.KeyId! })), 'AccessDeniedException', /because no resource-based policy allows the kms:DescribeKey action/);
    await rejects(user.send(new GetKeyPolicyCommand({ KeyId: k.KeyId!, PolicyName: 'other' })), 'NotFoundException', /No such policy exists/);
  });

  it('grants: the grantee may use the key without any policy; retire by token (retiring principal) or revoke', async () => {
    const created = await kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: userArn('bob'), RetiringPrincipal: userArn('alice'), Operations: ['Encrypt', 'Decrypt', 'DescribeKey'], Name: 'bob-uses', Constraints: { EncryptionContextSubset: { app: 'vpn' } } }));
    assert.match(created.GrantId!, /^[0-9a-f]{64}$/);
    assert.ok(created.GrantToken!.length > 60);
    const same = await kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: userArn('bob'), RetiringPrincipal: userArn('alice'), Operations: ['Encrypt', 'Decrypt', 'DescribeKey'], Name: 'bob-uses', Constraints: { EncryptionContextSubset: { app: 'vpn' } } }));
    assert.equal(same.GrantId, created.GrantId, 'the same name and terms: the same grant');
    const listed = (await kms.send(new ListGrantsCommand({ KeyId: keyId }))).Grants!;
    assert.deepEqual(listed.map((g) => ({ ...g, CreationDate: undefined })), [{
      KeyId: keyArn, GrantId: created.GrantId, Name: 'bob-uses', CreationDate: undefined, GranteePrincipal: userArn('bob'), RetiringPrincipal: userArn('alice'),
      IssuingAccount: ROOT_ARN, Operations: ['Encrypt', 'Decrypt', 'DescribeKey'], Constraints: { EncryptionContextSubset: { app: 'vpn' } },
    }]);
    const asBob = new KMSClient(clientConfig(server.endpoint, bob));
    assert.equal((await asBob.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata!.KeyId, keyId, 'DescribeKey by the grant');
    const enc = await asBob.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('granted'), EncryptionContext: { app: 'vpn', extra: '1' } }));
    assert.equal(Buffer.from((await asBob.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob!, EncryptionContext: { app: 'vpn', extra: '1' } }))).Plaintext!).toString(), 'granted');
    await rejects(asBob.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('x') })), 'AccessDeniedException', /kms:Encrypt/, 400);
    await rejects(asBob.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: { app: 'vpn' } })), 'AccessDeniedException', /kms:GenerateDataKey/);
    await rejects(asBob.send(new RetireGrantCommand({ GrantToken: created.GrantToken! })), 'AccessDeniedException', /kms:RetireGrant/);
    await rejects(kms.send(new RetireGrantCommand({ GrantToken: 'bm90IGEgdG9rZW4=' })), 'InvalidGrantTokenException');
    await new KMSClient(clientConfig(server.endpoint, alice)).send(new RetireGrantCommand({ GrantToken: created.GrantToken! }));
    assert.deepEqual((await kms.send(new ListGrantsCommand({ KeyId: keyId }))).Grants, []);
    await rejects(asBob.send(new DescribeKeyCommand({ KeyId: keyArn })), 'AccessDeniedException');

    const second = await kms.send(new CreateGrantCommand({ KeyId: keyArn, GranteePrincipal: 'acm.amazonaws.com', Operations: ['Decrypt'] }));
    await rejects(kms.send(new CreateGrantCommand({ KeyId: keyArn, GranteePrincipal: 'not a principal', Operations: ['Decrypt'] })), 'ValidationException', /at 'granteePrincipal' failed to satisfy constraint/);
    await rejects(kms.send(new CreateGrantCommand({ KeyId: keyArn, GranteePrincipal: 'arn:aws:s3:::bucket', Operations: ['Decrypt'] })), 'InvalidArnException');
    await rejects(kms.send(new CreateGrantCommand({ KeyId: keyArn, GranteePrincipal: 'acm.amazonaws.com', Operations: ['Bogus' as 'Decrypt'] })), 'ValidationException', /Value 'Bogus' at 'operations\.1\.member' failed to satisfy constraint: Member must satisfy enum value set: \[Decrypt, Encrypt, /);
    assert.deepEqual((await kms.send(new ListGrantsCommand({ KeyId: keyId, GranteePrincipal: 'acm.amazonaws.com' }))).Grants!.map((g) => g.GrantId), [second.GrantId]);
    await kms.send(new RevokeGrantCommand({ KeyId: keyId, GrantId: second.GrantId! }));
    await rejects(kms.send(new RevokeGrantCommand({ KeyId: keyId, GrantId: second.GrantId! })), 'NotFoundException', `Grant ID ${second.GrantId!} not found`);
    await rejects(kms.send(new RetireGrantCommand({})), 'ValidationException', /Either GrantToken/);
  });

  it('the AWS CLI: create-key, encrypt and decrypt with fileb://, KMS\'s errors', async () => {
    const created = await awsCli(server.endpoint, ['kms', 'create-key', '--description', 'from the cli']);
    assert.equal(created.code, 0, created.stderr);
    const id = (JSON.parse(created.stdout) as { KeyMetadata: { KeyId: string; Description: string } }).KeyMetadata;
    assert.equal(id.Description, 'from the cli');
    const file = `/tmp/gatehouse-kms-${process.pid}.txt`;
    await import('node:fs/promises').then((fs) => fs.writeFile(file, 'cli plaintext'));
    const enc = await awsCli(server.endpoint, ['kms', 'encrypt', '--key-id', id.KeyId, '--plaintext', `fileb://${file}`, '--encryption-context', 'app=cli']);
    assert.equal(enc.code, 0, enc.stderr);
    const blob = (JSON.parse(enc.stdout) as { CiphertextBlob: string }).CiphertextBlob;
    await import('node:fs/promises').then((fs) => fs.writeFile(file, Buffer.from(blob, 'base64')));
    const dec = await awsCli(server.endpoint, ['kms', 'decrypt', '--ciphertext-blob', `fileb://${file}`, '--encryption-context', 'app=cli']);
    assert.equal(dec.code, 0, dec.stderr);
    assert.equal(Buffer.from((JSON.parse(dec.stdout) as { Plaintext: string }).Plaintext, 'base64').toString(), 'cli plaintext');
    await import('node:fs/promises').then((fs) => fs.rm(file));
    const missing = await awsCli(server.endpoint, ['kms', 'describe-key', '--key-id', 'alias/none']);
    assert.equal(missing.code, 254);
    assert.match(missing.stderr, new RegExp(`An error occurred \\(NotFoundException\\) when calling the DescribeKey operation: Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/none is not found\\.`));
  });

  it('boto3: create_key, encrypt/decrypt, the aws/acm key', async () => {
    const out = await boto3(server.endpoint, `
kms = client('kms')
k = kms.create_key(Description='boto')['KeyMetadata']
c = kms.encrypt(KeyId=k['Arn'], Plaintext=b'from boto3')['CiphertextBlob']
p = kms.decrypt(CiphertextBlob=c)['Plaintext']
acm = kms.describe_key(KeyId='alias/aws/acm')['KeyMetadata']
print(json.dumps({'state': k['KeyState'], 'created': isinstance(k['CreationDate'], datetime), 'plain': p.decode(), 'manager': acm['KeyManager'], 'desc': acm['Description']}))
`);
    assert.deepEqual(JSON.parse(out), { state: 'Enabled', created: true, plain: 'from boto3', manager: 'AWS', desc: 'Default key that protects my ACM private keys when no other key is defined' });
  });
});
