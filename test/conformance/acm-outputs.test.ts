/**
 * Conformance, output half, for ACM: every implemented ACM operation called through the
 * AWS SDK v3, its output checked against the model (required members, types, enums) and
 * its values compared; a coverage test fails if an implemented operation is missed.
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
import { clientConfig, startServer, type Running } from '../helpers/server.js';
import { makeCertificates, type TestCertificates } from '../services/acm/certs.js';
import { checkOutput } from './model-check.js';

describe('Conformance: ACM outputs match the model', () => {
  let server: Running;
  let certs: TestCertificates;
  let acm: ACMClient;
  const called = new Set<string>();
  const check = (operation: string, output: object): void => {
    called.add(operation);
    assert.deepEqual(checkOutput('acm', operation, output as Record<string, unknown>), [], operation);
  };
  before(async () => {
    [server, certs] = await Promise.all([startServer(), makeCertificates()]);
    acm = new ACMClient(clientConfig(server.endpoint));
  });
  after(async () => {
    await server.close();
    await certs.cleanup();
  });

  it('imported and requested certificate lifecycle', async () => {
    const imported = await acm.send(new ImportCertificateCommand({ Certificate: Buffer.from(certs.ec.cert.text), PrivateKey: Buffer.from(certs.ec.key.text), CertificateChain: Buffer.from(certs.ec.chain.text), Tags: [{ Key: 'env', Value: 'test' }] }));
    check('ImportCertificate', imported);
    const arn = imported.CertificateArn!;
    const described = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    check('DescribeCertificate', described);
    assert.deepEqual([described.Certificate!.DomainName, described.Certificate!.KeyAlgorithm, described.Certificate!.Type], ['vpn.example.com', 'EC_prime256v1', 'IMPORTED']);
    const got = await acm.send(new GetCertificateCommand({ CertificateArn: arn }));
    check('GetCertificate', got);
    assert.equal(got.CertificateChain!.trim(), certs.ec.chain.text.trim());
    check('AddTagsToCertificate', await acm.send(new AddTagsToCertificateCommand({ CertificateArn: arn, Tags: [{ Key: 'team', Value: 'net' }] })));
    check('RemoveTagsFromCertificate', await acm.send(new RemoveTagsFromCertificateCommand({ CertificateArn: arn, Tags: [{ Key: 'env' }] })));
    const tags = await acm.send(new ListTagsForCertificateCommand({ CertificateArn: arn }));
    check('ListTagsForCertificate', tags);
    assert.deepEqual(tags.Tags, [{ Key: 'team', Value: 'net' }]);
    const requested = await acm.send(new RequestCertificateCommand({ DomainName: 'www.example.com', ValidationMethod: 'DNS' }));
    check('RequestCertificate', requested);
    const pending = await acm.send(new DescribeCertificateCommand({ CertificateArn: requested.CertificateArn! }));
    check('DescribeCertificate', pending);
    assert.equal(pending.Certificate!.DomainValidationOptions![0]!.ResourceRecord!.Type, 'CNAME');
    const list = await acm.send(new ListCertificatesCommand({ Includes: { keyTypes: ['EC_prime256v1', 'RSA_2048'] } }));
    check('ListCertificates', list);
    assert.deepEqual(list.CertificateSummaryList!.map((c) => c.CertificateArn), [arn, requested.CertificateArn]);
    check('DeleteCertificate', await acm.send(new DeleteCertificateCommand({ CertificateArn: arn })));
    check('DeleteCertificate', await acm.send(new DeleteCertificateCommand({ CertificateArn: requested.CertificateArn! })));
  });

  it('covers every implemented ACM operation', () => {
    const implemented = server.gatehouse.implementedOperations().acm ?? [];
    assert.ok(implemented.length > 0);
    assert.deepEqual(implemented.filter((op) => !called.has(op)), []);
  });
});
