/**
 * ACM through the SDK, the AWS CLI v2 and boto3: importing real certificates (RSA and EC,
 * with a chain) and the facts ACM derives from them, ACM's refusals of bad material,
 * requested certificates and their DNS validation records, tags, InUseBy reported by the
 * services that use a certificate (and the refused delete), authorization with ACM's
 * condition keys, the `aws/acm` KMS key the first import creates, and CloudTrail.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACMClient,
  AddTagsToCertificateCommand,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  GetCertificateCommand,
  ImportCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  RemoveTagsFromCertificateCommand,
  RequestCertificateCommand,
} from '@aws-sdk/client-acm';
import { KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import { IAMClient } from '@aws-sdk/client-iam';
import { LookupEventsCommand, CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ACCOUNT, awsCli, boto3, clientConfig, startServer, type Keys, type Running } from '../../helpers/server.js';
import { allow, doc, grant, makeUser, rejects } from '../iam/helpers.js';
import { registerCertificateUser } from '../../../src/services/acm/in-use.js';
import { acmSerial, makeCertificates, type TestCertificates } from './certs.js';

const bytes = (text: string): Uint8Array => Buffer.from(text);

describe('ACM certificates', () => {
  let server: Running;
  let certs: TestCertificates;
  let acm: ACMClient;
  let rsaArn: string;
  let ecArn: string;

  before(async () => {
    [server, certs] = await Promise.all([startServer(), makeCertificates()]);
    acm = new ACMClient(clientConfig(server.endpoint));
  });
  after(async () => {
    await server.close();
    await certs.cleanup();
  });

  it('the first import creates the account\'s aws/acm KMS key, as ACM does', async () => {
    const kms = new KMSClient(clientConfig(server.endpoint));
    const aliasOf = async () => (await kms.send(new ListAliasesCommand({}))).Aliases!.find((a) => a.AliasName === 'alias/aws/acm');
    assert.equal((await aliasOf())?.TargetKeyId, undefined, 'listed before its key exists, without a key');
    const out = await acm.send(new ImportCertificateCommand({ Certificate: bytes(certs.rsa.cert.text), PrivateKey: bytes(certs.rsa.key.text), Tags: [{ Key: 'env', Value: 'test' }] }));
    rsaArn = out.CertificateArn!;
    assert.match(rsaArn, /^arn:aws:acm:us-east-1:000000000000:certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.match((await aliasOf())?.TargetKeyId ?? '', /^[0-9a-f-]{36}$/);
  });

  it('DescribeCertificate shows what the RSA certificate says', async () => {
    const c = (await acm.send(new DescribeCertificateCommand({ CertificateArn: rsaArn }))).Certificate!;
    assert.deepEqual(
      {
        CertificateArn: c.CertificateArn,
        DomainName: c.DomainName,
        SubjectAlternativeNames: c.SubjectAlternativeNames,
        Subject: c.Subject,
        Issuer: c.Issuer,
        Serial: c.Serial,
        NotBefore: c.NotBefore?.toISOString(),
        NotAfter: c.NotAfter?.toISOString(),
        KeyAlgorithm: c.KeyAlgorithm,
        SignatureAlgorithm: c.SignatureAlgorithm,
        Status: c.Status,
        Type: c.Type,
        InUseBy: c.InUseBy,
        KeyUsages: c.KeyUsages,
        ExtendedKeyUsages: c.ExtendedKeyUsages,
        RenewalEligibility: c.RenewalEligibility,
      },
      {
        CertificateArn: rsaArn,
        DomainName: 'server.example.com',
        SubjectAlternativeNames: ['server.example.com', 'www.example.com'],
        Subject: 'C=US,O=Example Corp,CN=server.example.com',
        Issuer: 'Example Corp',
        Serial: acmSerial(certs.rsa.serial),
        NotBefore: certs.rsa.notBefore.toISOString(),
        NotAfter: certs.rsa.notAfter.toISOString(),
        KeyAlgorithm: 'RSA_2048',
        SignatureAlgorithm: 'SHA256WITHRSA',
        Status: 'ISSUED',
        Type: 'IMPORTED',
        InUseBy: [],
        KeyUsages: [{ Name: 'DIGITAL_SIGNATURE' }, { Name: 'KEY_ENCIPHERMENT' }],
        ExtendedKeyUsages: [
          { Name: 'TLS_WEB_SERVER_AUTHENTICATION', OID: '1.3.6.1.5.5.7.3.1' },
          { Name: 'TLS_WEB_CLIENT_AUTHENTICATION', OID: '1.3.6.1.5.5.7.3.2' },
        ],
        RenewalEligibility: 'INELIGIBLE',
      },
    );
    assert.ok(Math.abs(c.ImportedAt!.getTime() - Date.now()) < 60_000);
  });

  it('an EC certificate with its chain: EC_prime256v1, SHA256WITHRSA from the CA, GetCertificate returns both PEMs', async () => {
    const out = await acm.send(new ImportCertificateCommand({ Certificate: bytes(certs.ec.cert.text), PrivateKey: bytes(certs.ec.key.text), CertificateChain: bytes(certs.ec.chain.text) }));
    ecArn = out.CertificateArn!;
    const c = (await acm.send(new DescribeCertificateCommand({ CertificateArn: ecArn }))).Certificate!;
    assert.deepEqual([c.DomainName, c.KeyAlgorithm, c.SignatureAlgorithm, c.Issuer, c.Subject, c.KeyUsages, c.ExtendedKeyUsages?.map((e) => e.Name)], [
      'vpn.example.com', 'EC_prime256v1', 'SHA256WITHRSA', 'Example CA', 'CN=vpn.example.com', [], ['TLS_WEB_SERVER_AUTHENTICATION'],
    ]);
    const got = await acm.send(new GetCertificateCommand({ CertificateArn: ecArn }));
    assert.equal(got.Certificate!.trim(), certs.ec.cert.text.trim());
    assert.equal(got.CertificateChain!.trim(), certs.ec.chain.text.trim());
    const rsa = await acm.send(new GetCertificateCommand({ CertificateArn: rsaArn }));
    assert.equal(rsa.Certificate!.trim(), certs.rsa.cert.text.trim());
    assert.equal(rsa.CertificateChain, undefined, 'a self-signed certificate imported without a chain has none');
  });

  it('ListCertificates shows RSA_1024/RSA_2048 certificates unless keyTypes asks for others (API Reference, Filters)', async () => {
    const plain = await acm.send(new ListCertificatesCommand({}));
    assert.deepEqual(plain.CertificateSummaryList!.map((s) => s.CertificateArn), [rsaArn]);
    const s = plain.CertificateSummaryList![0]!;
    assert.deepEqual([s.DomainName, s.Status, s.Type, s.KeyAlgorithm, s.InUse, s.KeyUsages, s.ExtendedKeyUsages], [
      'server.example.com', 'ISSUED', 'IMPORTED', 'RSA_2048', false, ['DIGITAL_SIGNATURE', 'KEY_ENCIPHERMENT'], ['TLS_WEB_SERVER_AUTHENTICATION', 'TLS_WEB_CLIENT_AUTHENTICATION'],
    ]);
    const ec = await acm.send(new ListCertificatesCommand({ Includes: { keyTypes: ['EC_prime256v1'] } }));
    assert.deepEqual(ec.CertificateSummaryList!.map((x) => x.CertificateArn), [ecArn]);
    const both = await acm.send(new ListCertificatesCommand({ Includes: { keyTypes: ['RSA_2048', 'EC_prime256v1'] }, MaxItems: 1 }));
    assert.equal(both.CertificateSummaryList!.length, 1);
    const next = await acm.send(new ListCertificatesCommand({ Includes: { keyTypes: ['RSA_2048', 'EC_prime256v1'] }, MaxItems: 1, NextToken: both.NextToken! }));
    assert.deepEqual([...both.CertificateSummaryList!, ...next.CertificateSummaryList!].map((x) => x.CertificateArn), [rsaArn, ecArn]);
    assert.equal(next.NextToken, undefined);
    const pending = await acm.send(new ListCertificatesCommand({ CertificateStatuses: ['PENDING_VALIDATION'] }));
    assert.deepEqual(pending.CertificateSummaryList, []);
  });

  it('refuses bad material with ACM\'s ValidationException', async () => {
    const imp = (cert: string, key: string, chain?: string) =>
      acm.send(new ImportCertificateCommand({ Certificate: bytes(cert), PrivateKey: bytes(key), ...(chain ? { CertificateChain: bytes(chain) } : {}) }));
    await rejects(imp('not a certificate', certs.rsa.key.text), 'ValidationException', 'Unable to parse certificate. Please ensure the certificate is in PEM format.');
    await rejects(imp('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', certs.rsa.key.text), 'ValidationException', 'Unable to parse certificate. Please ensure the certificate is in PEM format.');
    await rejects(imp(certs.rsa.cert.text + certs.ec.cert.text, certs.rsa.key.text), 'ValidationException', 'The certificate field contains more than one certificate. You can specify only one certificate in this field.');
    await rejects(imp(certs.rsa.cert.text, certs.otherKey.text), 'ValidationException', 'The private key does not match the public key in the certificate.');
    await rejects(imp(certs.rsa.cert.text, certs.ec.key.text), 'ValidationException', 'The private key does not match the public key in the certificate.');
    await rejects(imp(certs.rsa.cert.text, certs.encryptedKey.text), 'ValidationException', 'Your private key should not be encrypted.');
    await rejects(imp(certs.rsa.cert.text, 'garbage'), 'ValidationException', 'The private key is not supported.');
    await rejects(imp(certs.expired.cert.text, certs.expired.key.text), 'ValidationException', 'The certificate has expired, is not valid.');
    await rejects(imp(certs.v1.cert.text, certs.v1.key.text), 'ValidationException', 'The certificate must be an X.509 version 3 certificate.');
    await rejects(imp(certs.ec.cert.text, certs.ec.key.text, 'no chain here'), 'ValidationException', 'Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.');
    const listed = await acm.send(new ListCertificatesCommand({ Includes: { keyTypes: ['RSA_2048', 'EC_prime256v1'] } }));
    assert.equal(listed.CertificateSummaryList!.length, 2, 'nothing was imported');
  });

  it('unknown and malformed ARNs: ResourceNotFoundException, InvalidArnException, ValidationException', async () => {
    const missing = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555`;
    await rejects(acm.send(new DescribeCertificateCommand({ CertificateArn: missing })), 'ResourceNotFoundException', `Could not find certificate ${missing}.`);
    await rejects(acm.send(new GetCertificateCommand({ CertificateArn: missing })), 'ResourceNotFoundException', `Could not find certificate ${missing}.`);
    await rejects(acm.send(new DeleteCertificateCommand({ CertificateArn: missing })), 'ResourceNotFoundException', `Could not find certificate ${missing}.`);
    await rejects(acm.send(new ImportCertificateCommand({ CertificateArn: missing, Certificate: bytes(certs.rsa.cert.text), PrivateKey: bytes(certs.rsa.key.text) })), 'ResourceNotFoundException', `Could not find certificate ${missing}.`);
    const otherRegion = rsaArn.replace('us-east-1', 'eu-west-1');
    await rejects(acm.send(new DescribeCertificateCommand({ CertificateArn: otherRegion })), 'ResourceNotFoundException', `Could not find certificate ${otherRegion}.`);
    await rejects(acm.send(new DescribeCertificateCommand({ CertificateArn: `arn:aws:acm:us-east-1:${ACCOUNT}:something/else` })), 'InvalidArnException', 'The requested Amazon Resource Name (ARN) does not refer to an existing resource.');
    await rejects(acm.send(new DescribeCertificateCommand({ CertificateArn: 'not-an-arn-at-all-really' })), 'ValidationException', /^1 validation error detected: Value 'not-an-arn-at-all-really' at 'certificateArn' failed to satisfy constraint: Member must satisfy regular expression pattern: /);
  });

  it('re-importing onto an ARN keeps the ARN and replaces the certificate; tags cannot be applied then', async () => {
    const out = await acm.send(new ImportCertificateCommand({ CertificateArn: ecArn, Certificate: bytes(certs.rsa.cert.text), PrivateKey: bytes(certs.rsa.key.text) }));
    assert.equal(out.CertificateArn, ecArn);
    const c = (await acm.send(new DescribeCertificateCommand({ CertificateArn: ecArn }))).Certificate!;
    assert.deepEqual([c.DomainName, c.KeyAlgorithm], ['server.example.com', 'RSA_2048']);
    await rejects(
      acm.send(new ImportCertificateCommand({ CertificateArn: ecArn, Certificate: bytes(certs.ec.cert.text), PrivateKey: bytes(certs.ec.key.text), Tags: [{ Key: 'a', Value: 'b' }] })),
      'InvalidParameterException',
      'You cannot apply tags when reimporting a certificate.',
    );
    await acm.send(new ImportCertificateCommand({ CertificateArn: ecArn, Certificate: bytes(certs.ec.cert.text), PrivateKey: bytes(certs.ec.key.text), CertificateChain: bytes(certs.ec.chain.text) }));
  });

  it('InUseBy is what the registered services report; DeleteCertificate refuses a certificate in use', async () => {
    const endpoint = `arn:aws:ec2:us-east-1:${ACCOUNT}:client-vpn-endpoint/cvpn-endpoint-0123456789abcdef0`;
    const unregister = registerCertificateUser((tx, account, region, arn) => {
      assert.ok(tx, 'the check gets the request\'s store');
      return Promise.resolve(account === ACCOUNT && region === 'us-east-1' && arn === rsaArn ? [endpoint] : []);
    });
    try {
      const c = (await acm.send(new DescribeCertificateCommand({ CertificateArn: rsaArn }))).Certificate!;
      assert.deepEqual(c.InUseBy, [endpoint]);
      const list = await acm.send(new ListCertificatesCommand({ Includes: { keyTypes: ['RSA_2048', 'EC_prime256v1'] } }));
      assert.deepEqual(list.CertificateSummaryList!.map((s) => [s.CertificateArn, s.InUse]), [[rsaArn, true], [ecArn, false]]);
      await rejects(acm.send(new DeleteCertificateCommand({ CertificateArn: rsaArn })), 'ResourceInUseException', `Certificate ${rsaArn} in account ${ACCOUNT} is in use.`);
      assert.equal((await acm.send(new DescribeCertificateCommand({ CertificateArn: rsaArn }))).Certificate!.Status, 'ISSUED', 'still there');
    } finally {
      unregister();
    }
    assert.deepEqual((await acm.send(new DescribeCertificateCommand({ CertificateArn: rsaArn }))).Certificate!.InUseBy, []);
  });

  it('RequestCertificate: EMAIL by default, DNS records ACM-style, no issuance, idempotency tokens', async () => {
    const email = await acm.send(new RequestCertificateCommand({ DomainName: 'mail.example.org' }));
    const e = (await acm.send(new DescribeCertificateCommand({ CertificateArn: email.CertificateArn! }))).Certificate!;
    assert.deepEqual([e.Type, e.Status, e.KeyAlgorithm, e.Subject, e.DomainValidationOptions?.[0]?.ValidationMethod], ['AMAZON_ISSUED', 'PENDING_VALIDATION', 'RSA_2048', 'CN=mail.example.org', 'EMAIL']);
    assert.deepEqual(e.DomainValidationOptions![0]!.ValidationEmails, ['admin', 'administrator', 'hostmaster', 'postmaster', 'webmaster'].map((u) => `${u}@mail.example.org`));

    const dns = await acm.send(new RequestCertificateCommand({ DomainName: 'vpn.example.net', SubjectAlternativeNames: ['*.example.net'], ValidationMethod: 'DNS', KeyAlgorithm: 'EC_prime256v1', IdempotencyToken: 'once' }));
    const d = (await acm.send(new DescribeCertificateCommand({ CertificateArn: dns.CertificateArn! }))).Certificate!;
    assert.deepEqual(d.SubjectAlternativeNames, ['vpn.example.net', '*.example.net']);
    const [first, wildcard] = d.DomainValidationOptions!;
    assert.match(first!.ResourceRecord!.Name!, /^_[0-9a-f]{32}\.vpn\.example\.net\.$/);
    assert.match(first!.ResourceRecord!.Value!, /^_[0-9a-f]{32}\.acm-validations\.aws\.$/);
    assert.equal(first!.ResourceRecord!.Type, 'CNAME');
    assert.deepEqual([wildcard!.DomainName, wildcard!.ValidationDomain], ['*.example.net', 'example.net']);
    assert.match(wildcard!.ResourceRecord!.Name!, /^_[0-9a-f]{32}\.example\.net\.$/);
    const again = await acm.send(new RequestCertificateCommand({ DomainName: 'vpn.example.net', SubjectAlternativeNames: ['*.example.net'], ValidationMethod: 'DNS', KeyAlgorithm: 'EC_prime256v1', IdempotencyToken: 'once' }));
    assert.equal(again.CertificateArn, dns.CertificateArn, 'the same token within an hour is the same request');
    // The same domain in the same account gets the same validation record.
    const other = await acm.send(new RequestCertificateCommand({ DomainName: 'vpn.example.net', ValidationMethod: 'DNS' }));
    const o = (await acm.send(new DescribeCertificateCommand({ CertificateArn: other.CertificateArn! }))).Certificate!;
    assert.deepEqual(o.DomainValidationOptions![0]!.ResourceRecord, first!.ResourceRecord);

    await rejects(acm.send(new GetCertificateCommand({ CertificateArn: dns.CertificateArn! })), 'RequestInProgressException', 'The certificate request is in process and the certificate in your account has not yet been issued.');
    await rejects(acm.send(new RequestCertificateCommand({ DomainName: 'x.example.net', KeyAlgorithm: 'RSA_4096' })), 'ValidationException', /RSA_4096 is not supported for public certificates/);
    await acm.send(new DeleteCertificateCommand({ CertificateArn: other.CertificateArn! }));
    await acm.send(new DeleteCertificateCommand({ CertificateArn: email.CertificateArn! }));
  });

  it('tags: add (replacing by key), remove (by key, or only when the value matches), list; reserved keys and quota', async () => {
    await acm.send(new AddTagsToCertificateCommand({ CertificateArn: rsaArn, Tags: [{ Key: 'team', Value: 'net' }, { Key: 'env', Value: 'prod' }, { Key: 'flag' }] }));
    const tags = async () => (await acm.send(new ListTagsForCertificateCommand({ CertificateArn: rsaArn }))).Tags;
    assert.deepEqual(await tags(), [{ Key: 'team', Value: 'net' }, { Key: 'env', Value: 'prod' }, { Key: 'flag' }]);
    await acm.send(new RemoveTagsFromCertificateCommand({ CertificateArn: rsaArn, Tags: [{ Key: 'team', Value: 'other' }, { Key: 'flag' }] }));
    assert.deepEqual(await tags(), [{ Key: 'team', Value: 'net' }, { Key: 'env', Value: 'prod' }], 'a value that does not match keeps the tag');
    await acm.send(new RemoveTagsFromCertificateCommand({ CertificateArn: rsaArn, Tags: [{ Key: 'team', Value: 'net' }] }));
    assert.deepEqual(await tags(), [{ Key: 'env', Value: 'prod' }]);
    await rejects(acm.send(new AddTagsToCertificateCommand({ CertificateArn: rsaArn, Tags: [{ Key: 'aws:owner', Value: 'x' }] })), 'InvalidTagException', /aws:owner/);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejects(acm.send(new AddTagsToCertificateCommand({ CertificateArn: rsaArn, Tags: many })), 'TooManyTagsException', 'A certificate can have at most 50 tags.');
    assert.deepEqual(await tags(), [{ Key: 'env', Value: 'prod' }]);
  });

  it('authorization: ACM\'s AccessDeniedException, tags as conditions, acm:KeyAlgorithm on RequestCertificate', async () => {
    const iam = new IAMClient(clientConfig(server.endpoint));
    const keys: Keys = await makeUser(iam, 'cert-reader');
    await grant(iam, 'cert-reader', 'read', doc(
      allow('acm:DescribeCertificate', '*', { Condition: { StringEquals: { 'aws:ResourceTag/env': 'prod' } } }),
      allow('acm:RequestCertificate', '*', { Condition: { StringEquals: { 'acm:KeyAlgorithm': 'EC_prime256v1' } } }),
    ));
    const user = new ACMClient(clientConfig(server.endpoint, keys));
    assert.equal((await user.send(new DescribeCertificateCommand({ CertificateArn: rsaArn }))).Certificate!.CertificateArn, rsaArn);
    await rejects(
      user.send(new DescribeCertificateCommand({ CertificateArn: ecArn })),
      'AccessDeniedException',
      `User: arn:aws:iam::${ACCOUNT}:user/cert-reader is not authorized to perform: acm:DescribeCertificate on resource: ${ecArn} because no identity-based policy allows the acm:DescribeCertificate action`,
    );
    await rejects(user.send(new RequestCertificateCommand({ DomainName: 'a.example.com' })), 'AccessDeniedException', /acm:RequestCertificate on resource: \* because no identity-based policy allows/);
    const ok = await user.send(new RequestCertificateCommand({ DomainName: 'a.example.com', KeyAlgorithm: 'EC_prime256v1' }));
    assert.match(ok.CertificateArn!, /^arn:aws:acm:us-east-1:/);
    await rejects(user.send(new ListCertificatesCommand({})), 'AccessDeniedException', /acm:ListCertificates on resource: \*/);
  });

  it('the AWS CLI imports from fileb:// files and prints ACM\'s errors', async () => {
    const imported = await awsCli(server.endpoint, ['acm', 'import-certificate', '--certificate', `fileb://${certs.ec.cert.path}`, '--private-key', `fileb://${certs.ec.key.path}`, '--certificate-chain', `fileb://${certs.ec.chain.path}`]);
    assert.equal(imported.code, 0, imported.stderr);
    const arn = (JSON.parse(imported.stdout) as { CertificateArn: string }).CertificateArn;
    const described = await awsCli(server.endpoint, ['acm', 'describe-certificate', '--certificate-arn', arn]);
    assert.equal(described.code, 0, described.stderr);
    const c = (JSON.parse(described.stdout) as { Certificate: { DomainName: string; KeyAlgorithm: string; Type: string; Status: string } }).Certificate;
    assert.deepEqual([c.DomainName, c.KeyAlgorithm, c.Type, c.Status], ['vpn.example.com', 'EC_prime256v1', 'IMPORTED', 'ISSUED']);
    const bad = await awsCli(server.endpoint, ['acm', 'import-certificate', '--certificate', `fileb://${certs.rsa.cert.path}`, '--private-key', `fileb://${certs.otherKey.path}`]);
    assert.equal(bad.code, 254);
    assert.match(bad.stderr, /An error occurred \(ValidationException\) when calling the ImportCertificate operation: The private key does not match the public key in the certificate\./);
    const deleted = await awsCli(server.endpoint, ['acm', 'delete-certificate', '--certificate-arn', arn]);
    assert.equal(deleted.code, 0, deleted.stderr);
  });

  it('boto3 imports and reads certificates', async () => {
    const out = await boto3(server.endpoint, `
acm = client('acm')
arn = acm.import_certificate(Certificate=open('${certs.rsa.cert.path}','rb').read(), PrivateKey=open('${certs.rsa.key.path}','rb').read())['CertificateArn']
c = acm.describe_certificate(CertificateArn=arn)['Certificate']
g = acm.get_certificate(CertificateArn=arn)
print(json.dumps({'arn': arn, 'domain': c['DomainName'], 'serial': c['Serial'], 'notAfter': c['NotAfter'].isoformat(), 'pem': g['Certificate'].startswith('-----BEGIN CERTIFICATE-----')}))
try:
    acm.describe_certificate(CertificateArn=arn[:-4] + 'ffff')
except acm.exceptions.ResourceNotFoundException as e:
    print(json.dumps({'error': e.response['Error']['Code']}))
acm.delete_certificate(CertificateArn=arn)
`);
    const [first, second] = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(first!.domain, 'server.example.com');
    assert.equal(first!.serial, acmSerial(certs.rsa.serial));
    assert.equal(new Date(first!.notAfter as string).getTime(), certs.rsa.notAfter.getTime());
    assert.equal(first!.pem, true);
    assert.deepEqual(second, { error: 'ResourceNotFoundException' });
  });

  it('CloudTrail records ACM\'s calls, the private key hidden', async () => {
    const ct = new CloudTrailClient(clientConfig(server.endpoint));
    const events = (await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ImportCertificate' }] }))).Events!;
    assert.ok(events.length >= 3);
    const ok = events.map((e) => JSON.parse(e.CloudTrailEvent!) as Record<string, unknown>).find((e) => !e.errorCode && (e.requestParameters as Record<string, unknown>).tags);
    assert.ok(ok, 'the tagged import is recorded');
    assert.equal(ok.eventSource, 'acm.amazonaws.com');
    assert.equal((ok.requestParameters as Record<string, unknown>).privateKey, 'HIDDEN_DUE_TO_SECURITY_REASONS');
    assert.equal((ok.responseElements as Record<string, unknown>).certificateArn, rsaArn);
    const denied = (await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DescribeCertificate' }] }))).Events!
      .map((e) => JSON.parse(e.CloudTrailEvent!) as Record<string, unknown>)
      .find((e) => e.errorCode === 'AccessDeniedException');
    assert.ok(denied, 'the denied DescribeCertificate is recorded');
  });
});
