/**
 * The XML layer under AssumeRoleWithSAML: parsing, Canonical XML 1.0 and Exclusive XML
 * Canonicalization against the W3C specifications' own examples, and signature checks.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { canonicalize, child, descendants, parseXml, verifyEnvelopedSignature, XmlError } from '../../../src/services/sts/xml-dsig.js';
import { AWS_SAML, makeIdp, samlResponse } from './helpers.js';

describe('XML canonicalization', () => {
  it('Canonical XML 1.0, spec example 3.3 (start and end tags), without its DTD', () => {
    const doc = parseXml(`<doc>
   <e1   />
   <e2   ></e2>
   <e3   name = "elem3"   id="elem3"   />
   <e4   name="elem4"   id="elem4"   ></e4>
   <e5 a:attr="out" b:attr="sorted" attr2="all" attr="I'm"
      xmlns:b="http://www.ietf.org"
      xmlns:a="http://www.w3.org"
      xmlns="http://example.org"/>
   <e6 xmlns="" xmlns:a="http://www.w3.org">
      <e7 xmlns="http://www.ietf.org">
         <e8 xmlns="" xmlns:a="http://www.w3.org">
            <e9 xmlns="" xmlns:a="http://www.ietf.org"/>
         </e8>
      </e7>
   </e6>
</doc>`);
    assert.equal(
      canonicalize(doc, { exclusive: false }),
      `<doc>
   <e1></e1>
   <e2></e2>
   <e3 id="elem3" name="elem3"></e3>
   <e4 id="elem4" name="elem4"></e4>
   <e5 xmlns="http://example.org" xmlns:a="http://www.w3.org" xmlns:b="http://www.ietf.org" attr="I'm" attr2="all" b:attr="sorted" a:attr="out"></e5>
   <e6 xmlns:a="http://www.w3.org">
      <e7 xmlns="http://www.ietf.org">
         <e8 xmlns="">
            <e9 xmlns:a="http://www.ietf.org"></e9>
         </e8>
      </e7>
   </e6>
</doc>`,
    );
    // Exclusive: only namespaces visibly used are written.
    assert.equal(
      canonicalize(doc, { exclusive: true }),
      `<doc>
   <e1></e1>
   <e2></e2>
   <e3 id="elem3" name="elem3"></e3>
   <e4 id="elem4" name="elem4"></e4>
   <e5 xmlns="http://example.org" xmlns:a="http://www.w3.org" xmlns:b="http://www.ietf.org" attr="I'm" attr2="all" b:attr="sorted" a:attr="out"></e5>
   <e6>
      <e7 xmlns="http://www.ietf.org">
         <e8 xmlns="">
            <e9></e9>
         </e8>
      </e7>
   </e6>
</doc>`,
    );
  });

  it('Canonical XML 1.0, spec example 3.4 (character modifications and references)', () => {
    const doc = parseXml(`<doc>
   <text>First line&#x0d;&#10;Second line</text>
   <value>&#x32;</value>
   <compute><![CDATA[value>"0" && value<"10" ?"valid":"error"]]></compute>
   <compute expr='value>"0" &amp;&amp; value&lt;"10" ?"valid":"error"'>valid</compute>
   <norm attr=' &apos;   &#x20;&#13;&#xa;&#9;   &apos; '/>
</doc>`);
    assert.equal(
      canonicalize(doc, { exclusive: false }),
      `<doc>
   <text>First line&#xD;
Second line</text>
   <value>2</value>
   <compute>value&gt;"0" &amp;&amp; value&lt;"10" ?"valid":"error"</compute>
   <compute expr="value>&quot;0&quot; &amp;&amp; value&lt;&quot;10&quot; ?&quot;valid&quot;:&quot;error&quot;">valid</compute>
   <norm attr=" '    &#xD;&#xA;&#x9;   ' "></norm>
</doc>`,
    );
  });

  it('a document subset: exclusive vs inclusive (exc-c14n spec, section 2.2)', () => {
    const doc = parseXml(`<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org">
  <n1:elem2 xmlns:n1="http://example.net" xml:lang="en">
     <n3:stuff xmlns:n3="ftp://example.org"/>
  </n1:elem2>
</n0:local>`);
    const elem2 = descendants(doc, 'http://example.net', 'elem2')[0]!;
    assert.equal(canonicalize(elem2, { exclusive: true }), `<n1:elem2 xmlns:n1="http://example.net" xml:lang="en">\n     <n3:stuff xmlns:n3="ftp://example.org"></n3:stuff>\n  </n1:elem2>`);
    assert.equal(
      canonicalize(elem2, { exclusive: false }),
      `<n1:elem2 xmlns:n0="foo:bar" xmlns:n1="http://example.net" xmlns:n3="ftp://example.org" xml:lang="en">\n     <n3:stuff></n3:stuff>\n  </n1:elem2>`,
    );
    // InclusiveNamespaces PrefixList: n0 is written although unused.
    assert.equal(canonicalize(elem2, { exclusive: true, inclusivePrefixes: ['n0'] }), `<n1:elem2 xmlns:n0="foo:bar" xmlns:n1="http://example.net" xml:lang="en">\n     <n3:stuff xmlns:n3="ftp://example.org"></n3:stuff>\n  </n1:elem2>`);
    // Comments go, unless asked for; an excluded element goes with its subtree.
    const c = parseXml('<a><!-- note --><b/><c>x</c></a>');
    assert.equal(canonicalize(c, { exclusive: true }), '<a><b></b><c>x</c></a>');
    assert.equal(canonicalize(c, { exclusive: true, withComments: true }), '<a><!-- note --><b></b><c>x</c></a>');
    assert.equal(canonicalize(c, { exclusive: true, exclude: child(c, '', 'b')! }), '<a><c>x</c></a>');
  });

  it('refuses DTDs, unknown entities, unbound prefixes and malformed documents', () => {
    for (const bad of ['<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', '<x>&nbsp;</x>', '<p:x/>', '<a><b></a></b>', '<a x="1" x="2"/>', '<a/><b/>', '']) {
      assert.throws(() => parseXml(bad), XmlError, bad);
    }
  });
});

describe('XML signature verification', () => {
  const idp = makeIdp('https://idp.example.com');
  const key = new X509Certificate(Buffer.from(idp.certificate, 'base64')).publicKey;
  const attributes = { [`${AWS_SAML}RoleSessionName`]: ['alice'] };
  const assertionOf = (b64: string) => {
    const root = parseXml(Buffer.from(b64, 'base64').toString('utf8'));
    return { root, assertion: child(root, 'urn:oasis:names:tc:SAML:2.0:assertion', 'Assertion')! };
  };

  it('verifies an enveloped signature over the assertion or the response', () => {
    const a = assertionOf(samlResponse({ idp, attributes }));
    assert.equal(verifyEnvelopedSignature(a.assertion, [key]), true);
    assert.equal(verifyEnvelopedSignature(a.root, [key]), false, 'the response itself is not signed');
    const r = assertionOf(samlResponse({ idp, attributes, signResponse: true }));
    assert.equal(verifyEnvelopedSignature(r.root, [key]), true);
  });

  it('fails for another key, a changed document, or a reference to another element', () => {
    const otherKey = createPublicKey(makeIdp('x').privateKey);
    assert.equal(verifyEnvelopedSignature(assertionOf(samlResponse({ idp, attributes })).assertion, [otherKey]), false);
    const changed = assertionOf(samlResponse({ idp, attributes, after: (x) => x.replace('>alice<', '>mallory<') }));
    assert.equal(verifyEnvelopedSignature(changed.assertion, [key]), false);
    const moved = assertionOf(samlResponse({ idp, attributes, after: (x) => x.replace('ID="_assertion1"', 'ID="_other"') }));
    assert.equal(verifyEnvelopedSignature(moved.assertion, [key]), false);
    // White space outside the signed element does not matter; inside it does.
    const outside = assertionOf(samlResponse({ idp, attributes, after: (x) => x.replace('<samlp:Status>', '\n\n  <samlp:Status>') }));
    assert.equal(verifyEnvelopedSignature(outside.assertion, [key]), true);
    const inside = assertionOf(samlResponse({ idp, attributes, after: (x) => x.replace('<saml:Subject>', '<saml:Subject> ') }));
    assert.equal(verifyEnvelopedSignature(inside.assertion, [key]), false);
  });
});
