/**
 * The instance's IdP certificate: valid DER whatever its random serial (a serial whose
 * first byte was 0x00 before a byte below 0x80 made a certificate OpenSSL refused, and
 * then every assertion's signature "invalid"); its SAML responses verify with its key.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { selfSignedCertificate, signedResponse } from '../../../src/services/sso-admin/idp.js';
import { childrenNamed, parseXml, verifyEnvelopedSignature } from '../../../src/services/sts/xml-dsig.js';

describe('IAM Identity Center IdP', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  it('certificates are valid DER for serials that start with 0x00 or a high bit', () => {
    for (const first of [[0x00, 0x12], [0x00, 0x92], [0x80, 0x00], [0xff, 0xff], [0x7f, 0x00]]) {
      const serial = Buffer.alloc(16, 0x5a);
      serial[0] = first[0]!;
      serial[1] = first[1]!;
      const cert = new X509Certificate(selfSignedCertificate('IAM Identity Center', publicKey, privateKey, new Date('2026-11-23T00:00:00Z'), serial));
      assert.ok(cert.verify(publicKey), `serial ${serial.toString('hex')}`);
      assert.match(cert.serialNumber, /^[4-7][0-9A-F]/);
      assert.equal(cert.validTo, 'Nov 23 00:00:00 2031 GMT');
    }
  });

  it('signed responses verify against the key, and not after tampering', () => {
    const certificate = selfSignedCertificate('IAM Identity Center', publicKey, privateKey, new Date()).toString('base64');
    const idp = { entityId: 'https://portal.sso.us-east-1.amazonaws.com/saml/assertion/x', certificate, key: privateKey, providerName: 'AWSSSO_0123456789abcdef_DO_NOT_DELETE' };
    const xml = Buffer.from(
      signedResponse(idp, { nameId: 'alice', sessionName: 'alice', roleArn: 'arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_A_0123456789abcdef', providerArn: 'arn:aws:iam::111111111111:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE', now: new Date(), sessionNotOnOrAfter: new Date(Date.now() + 3600_000) }),
      'base64',
    ).toString('utf8');
    const assertion = (doc: string) => childrenNamed(parseXml(doc), 'urn:oasis:names:tc:SAML:2.0:assertion', 'Assertion')[0]!;
    assert.equal(verifyEnvelopedSignature(assertion(xml), [publicKey]), true);
    assert.equal(verifyEnvelopedSignature(assertion(xml.replace('>alice<', '>mallory<')), [publicKey]), false);
  });
});
