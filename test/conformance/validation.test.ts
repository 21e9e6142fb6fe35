/**
 * Conformance, generated from the models: for every operation the server implements,
 * malformed requests of each kind get the model's validation error, in the service
 * family's wording, and change nothing.
 *   - a missing required member → "Value null at '<member>' failed to satisfy constraint:
 *     Member must not be null";
 *   - a value of the wrong type (text for an integer) → "Member must be an integer";
 *   - a string longer than the model allows → "Member must have length less than or
 *     equal to N";
 *   - a number outside the model's range → "Member must have value ...".
 * Requests are signed raw calls: SDK clients would refuse to send most of these.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel, shapeOf, type ServiceModel } from '../../src/models/index.js';
import { startServer, type Running } from '../helpers/server.js';
import { queryCall, signedRequest, xmlCode, xmlMessage } from '../helpers/sign.js';

const camel = (s: string): string => s[0]!.toLowerCase() + s.slice(1);

interface Case {
  readonly operation: string;
  readonly params: Record<string, string>;
  /** The member path AWS names and a fragment of the constraint. */
  readonly expect: string;
}

/** A plausible valid value for a scalar member, so a request fails on one member only. */
function sample(model: ServiceModel, shapeName: string): string | undefined {
  const s = shapeOf(model, shapeName);
  switch (s.type) {
    case 'string':
      if (s.enum) return s.enum[0];
      return 'x'.repeat(Math.max(1, s.min ?? 1));
    case 'integer':
    case 'long':
      return String(Math.max(1, s.min ?? 1));
    case 'boolean':
      return 'true';
    default:
      return undefined;
  }
}

/** Cases for one awsQuery operation, from its input shape's top-level scalar members. */
function casesFor(model: ServiceModel, operation: string): Case[] {
  const op = model.operations[operation]!;
  if (!op.input) return [];
  const input = shapeOf(model, op.input);
  const required = input.required ?? [];
  const members = Object.entries(input.members ?? {});
  const base: Record<string, string> = {};
  for (const name of required) {
    const v = sample(model, input.members![name]!.shape);
    if (v === undefined) return []; // a required structure or list: covered by the scenario tests
    base[name] = v;
  }
  const cases: Case[] = [];
  for (const name of required) {
    const { [name]: _dropped, ...rest } = base;
    cases.push({ operation, params: rest, expect: `Value null at '${camel(name)}' failed to satisfy constraint: Member must not be null` });
  }
  for (const [name, ref] of members) {
    const s = shapeOf(model, ref.shape);
    if ((s.type === 'integer' || s.type === 'long') && !s.enum) {
      cases.push({ operation, params: { ...base, [name]: 'not-a-number' }, expect: `at '${camel(name)}' failed to satisfy constraint: Member must be an integer` });
      if (s.max !== undefined) cases.push({ operation, params: { ...base, [name]: String(s.max + 1) }, expect: `at '${camel(name)}' failed to satisfy constraint: Member must have value less than or equal to ${s.max}` });
    }
    if (s.type === 'string' && s.max !== undefined && s.max <= 4096 && !s.enum && !s.pattern) {
      cases.push({ operation, params: { ...base, [name]: 'x'.repeat(s.max + 1) }, expect: `at '${camel(name)}' failed to satisfy constraint: Member must have length less than or equal to ${s.max}` });
    }
  }
  return cases;
}

/** Services signed under another name than their model's. */
const SIGNING_NAMES: Readonly<Record<string, string>> = { 'sso-admin': 'sso' };

/** Samples for the string shapes whose patterns a plain `x` does not satisfy. */
const PATTERNED: Readonly<Record<string, string>> = {
  Arn: 'arn:aws:acm:us-east-1:000000000000:certificate/12345678-1234-1234-1234-123456789012',
  PcaArn: 'arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/12345678-1234-1234-1234-123456789012',
  DomainNameString: 'example.com',
};

/** A valid JSON value for a member of any shape (structures with their required members). */
function jsonSample(model: ServiceModel, shapeName: string): unknown {
  const s = shapeOf(model, shapeName);
  switch (s.type) {
    case 'structure':
      return Object.fromEntries((s.required ?? []).map((m) => [m, jsonSample(model, s.members![m]!.shape)]));
    case 'list':
      return [jsonSample(model, s.member!.shape)];
    case 'map':
      return {};
    case 'blob':
      return Buffer.from('x').toString('base64');
    case 'timestamp':
      return 0;
    case 'boolean':
      return true;
    case 'string':
      return PATTERNED[shapeName] ?? (s.enum ? s.enum[0] : 'x'.repeat(Math.max(1, s.min ?? 1)));
    default:
      return Math.max(1, s.min ?? 1);
  }
}

/** For each required member of a JSON operation's input: the input without it, and what AWS says. */
function jsonCases(model: ServiceModel, operation: string): { body: Record<string, unknown>; expect: string }[] {
  // Handlers outside the model (Directory Service's AuthorizeApplication) have no wire form.
  const op = model.operations[operation];
  if (!op?.input) return [];
  const input = shapeOf(model, op.input);
  const full = jsonSample(model, op.input) as Record<string, unknown>;
  return (input.required ?? []).map((name) => {
    const { [name]: _dropped, ...body } = full;
    return { body, expect: `1 validation error detected: Value null at '${camel(name)}' failed to satisfy constraint: Member must not be null` };
  });
}

/**
 * A restJson1 request from the model with one required member left out: the URI from the
 * operation's template (labels filled with samples), query-string and header members in
 * their places, the rest in the JSON body. A required URI label cannot be left out (the
 * path would not route): those members are skipped.
 */
function restJsonCases(model: ServiceModel, operation: string): { method: string; path: string; query: Record<string, string>; headers: Record<string, string>; body: string; expect: string }[] {
  const op = model.operations[operation];
  if (!op?.input || !op.http) return [];
  const input = shapeOf(model, op.input);
  if (input.payload) return []; // a raw payload (Lambda's Invoke): no JSON members to leave out
  const members = Object.entries(input.members ?? {});
  const required = input.required ?? [];
  const cases = [];
  for (const missing of required) {
    const ref = input.members![missing]!;
    if (ref.location === 'uri') continue;
    let path = op.http.requestUri.split('?')[0]!;
    const query: Record<string, string> = {};
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const body: Record<string, unknown> = {};
    for (const [name, m] of members) {
      const isLabel = m.location === 'uri';
      if (name === missing || (!required.includes(name) && !isLabel)) continue;
      const value = jsonSample(model, m.shape);
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      if (isLabel) path = path.replace(new RegExp(`\\{${m.locationName ?? name}\\+?\\}`), encodeURIComponent(text));
      else if (m.location === 'querystring') query[m.locationName ?? name] = text;
      else if (m.location === 'header') headers[(m.locationName ?? name).toLowerCase()] = text;
      else body[m.locationName ?? name] = value;
    }
    cases.push({ method: op.http.method, path, query, headers, body: JSON.stringify(body), expect: `Value null at '${camel(missing)}' failed to satisfy constraint: Member must not be null` });
  }
  return cases;
}

describe('Conformance: malformed awsQuery requests get the model validation error', () => {
  let server: Running;
  before(async () => {
    server = await startServer();
  });
  after(async () => server.close());

  /** Every case of every implemented operation of `service`: `run` returns a failure's description, or nothing. */
  async function sweep<C>(service: string, casesOf: (model: ServiceModel, operation: string) => C[], run: (c: C, operation: string) => Promise<string | undefined>, minimum = 1): Promise<void> {
    const model = loadModel(service);
    const implemented = server.gatehouse.implementedOperations()[service] ?? [];
    assert.ok(implemented.length > 0, `${service} implements operations`);
    const failures: string[] = [];
    let checked = 0;
    for (const operation of implemented) {
      for (const c of casesOf(model, operation)) {
        checked++;
        const failure = await run(c, operation);
        if (failure) failures.push(failure);
      }
    }
    assert.ok(checked >= minimum, `${checked} cases were generated`);
    assert.deepEqual(failures, [], `${failures.length} of ${checked} malformed requests were not refused as the model says`);
  }

  for (const service of ['iam', 'sts'] as const) {
    it(`${service}: every implemented operation refuses a missing required member, a wrong type and an out-of-range value with ValidationError`, async () => {
      await sweep(service, casesFor, async (c) => {
        const res = await queryCall(server.endpoint, service, c.operation, c.params);
        const code = xmlCode(res.body);
        const message = xmlMessage(res.body) ?? '';
        if (res.status !== 400 || code !== 'ValidationError' || !message.includes(c.expect)) {
          return `${c.operation} ${JSON.stringify(c.params).slice(0, 120)} → ${res.status} ${code ?? ''}: ${message.slice(0, 200)} (expected ${c.expect})`;
        }
        return undefined;
      });
    });
  }

  it('ec2: every implemented operation refuses a missing required member with MissingParameter, EC2\'s own error', async () => {
    const model = loadModel('ec2');
    const implemented = server.gatehouse.implementedOperations().ec2 ?? [];
    assert.ok(implemented.length > 0, 'ec2 implements operations');
    const failures: string[] = [];
    let checked = 0;
    for (const operation of implemented) {
      const input = shapeOf(model, model.operations[operation]!.input!);
      for (const name of input.required ?? []) {
        const res = await queryCall(server.endpoint, 'ec2', operation, {});
        checked++;
        const expected = `The request must contain the parameter ${name}`;
        if (res.status !== 400 || xmlCode(res.body) !== 'MissingParameter' || xmlMessage(res.body) !== expected) {
          failures.push(`${operation} without ${name} → ${res.status} ${xmlCode(res.body) ?? ''}: ${xmlMessage(res.body) ?? ''}`);
        }
        break; // EC2 names the first missing parameter only
      }
    }
    assert.ok(checked > 0, 'some cases were generated');
    assert.deepEqual(failures, []);
  });

  it('a refused request changes nothing: CreateRole with an invalid name leaves no role behind', async () => {
    const res = await queryCall(server.endpoint, 'iam', 'CreateRole', { RoleName: 'bad name', AssumeRolePolicyDocument: '{}' });
    assert.equal(xmlCode(res.body), 'ValidationError');
    const list = await queryCall(server.endpoint, 'iam', 'ListRoles', {});
    assert.doesNotMatch(list.body, /bad name/);
  });

  for (const service of ['acm', 'kms', 'ds', 'organizations', 'identitystore', 'sso-admin'] as const) {
    it(`${service} (awsJson): every implemented operation refuses a missing required member with ValidationException, AWS's wording`, async () => {
      const model = loadModel(service);
      await sweep(
        service,
        jsonCases,
        async (c, operation) => {
          const res = await signedRequest(server.endpoint, {
            service: SIGNING_NAMES[service] ?? service,
            headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${model.metadata.targetPrefix!}.${operation}` },
            body: JSON.stringify(c.body),
          });
          const body = JSON.parse(res.body) as { __type?: string; message?: string };
          // Samples do not satisfy every pattern (Directory Service's ids and names), so other
          // violations may be listed too: the missing member must be, in AWS's words.
          const clause = c.expect.replace(/^1 validation error detected: /, '');
          const worded = body.message === c.expect || (/^\d+ validation errors detected: /.test(body.message ?? '') && (body.message ?? '').includes(clause));
          if (res.status !== 400 || body.__type !== 'ValidationException' || !worded) {
            return `${operation} ${JSON.stringify(c.body).slice(0, 120)} → ${res.status} ${body.__type ?? ''}: ${(body.message ?? '').slice(0, 200)} (expected ${c.expect})`;
          }
          return undefined;
        },
      );
    });
  }

  for (const [service, signingName] of [['lambda', 'lambda'], ['ds-data', 'ds-data']] as const) {
    it(`${service} (restJson1): every implemented operation refuses a missing required member with ValidationException, AWS's wording`, async () => {
      await sweep(service, restJsonCases, async (c, operation) => {
        const res = await signedRequest(server.endpoint, { service: signingName, method: c.method, path: c.path, query: c.query, headers: c.headers, body: c.body });
        const parsed = JSON.parse(res.body || '{}') as { __type?: string; message?: string; Message?: string };
        const type = res.headers.get('x-amzn-errortype')?.split(':')[0] ?? parsed.__type;
        const message = parsed.message ?? parsed.Message ?? '';
        if (res.status !== 400 || type !== 'ValidationException' || !message.includes(c.expect)) {
          return `${operation} ${c.method} ${c.path} ${c.body.slice(0, 80)} → ${res.status} ${type ?? ''}: ${message.slice(0, 200)} (expected ${c.expect})`;
        }
        return undefined;
      });
    });
  }

  it('logs (awsJson): every implemented operation refuses missing required members and out-of-range numbers with InvalidParameterException', async () => {
    // CloudWatch Logs words validation failures like every JSON service ("1 validation error
    // detected: Value null at 'logEvents.1.member.timestamp' failed to satisfy constraint:
    // Member must not be null") but under InvalidParameterException, not ValidationException
    // (public reports: amazon-archives/cloudwatch-logs-centralize-logs#5, aws/amazon-genomics-cli#430).
    const model = loadModel('logs');
    const implemented = server.gatehouse.implementedOperations().logs ?? [];
    assert.ok(implemented.length > 0, 'logs implements operations');
    const call = async (operation: string, body: object): Promise<{ status: number; type: string; message: string }> => {
      const res = await signedRequest(server.endpoint, {
        service: 'logs',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Logs_20140328.${operation}` },
        body: JSON.stringify(body),
      });
      const parsed = JSON.parse(res.body) as { __type: string; message: string };
      return { status: res.status, type: parsed.__type, message: parsed.message };
    };
    const failures: string[] = [];
    let checked = 0;
    for (const operation of implemented) {
      const input = shapeOf(model, model.operations[operation]!.input!);
      const required = input.required ?? [];
      if (required.length > 0) {
        const r = await call(operation, {});
        checked++;
        const n = required.length;
        const expected = [`${n} validation error${n === 1 ? '' : 's'} detected: `, ...required.map((m) => `Value null at '${camel(m)}' failed to satisfy constraint: Member must not be null`)];
        if (r.status !== 400 || r.type !== 'InvalidParameterException' || !expected.every((e) => r.message.includes(e))) failures.push(`${operation} {} → ${r.status} ${r.type}: ${r.message}`);
      }
      // Numbers past the model's maximum, with the required members given plausible values.
      const base: Record<string, string | number | boolean> = {};
      for (const m of required) {
        const shape = shapeOf(model, input.members![m]!.shape);
        const v = sample(model, input.members![m]!.shape);
        if (v !== undefined) base[m] = shape.type === 'integer' || shape.type === 'long' ? Number(v) : shape.type === 'boolean' ? v === 'true' : v;
      }
      if (Object.keys(base).length < required.length) continue; // a required list or map: covered by the scenario tests
      for (const [name, ref] of Object.entries(input.members ?? {})) {
        const s = shapeOf(model, ref.shape);
        if (s.type !== 'integer' || s.max === undefined) continue;
        const r = await call(operation, { ...base, [name]: s.max + 1 });
        checked++;
        const expected = `1 validation error detected: Value '${s.max + 1}' at '${camel(name)}' failed to satisfy constraint: Member must have value less than or equal to ${s.max}`;
        if (r.status !== 400 || r.type !== 'InvalidParameterException' || r.message !== expected) failures.push(`${operation} ${name}=${s.max + 1} → ${r.status} ${r.type}: ${r.message}`);
      }
    }
    assert.ok(checked > 0, 'some cases were generated');
    assert.ok(checked >= 15, `${checked} cases`);
    assert.deepEqual(failures, [], `${failures.length} of ${checked} malformed requests were not refused as CloudWatch Logs refuses them`);
  });

  it('cloudtrail (awsJson): a wrong type and an out-of-range value get ValidationException or the modelled error', async () => {
    const res = await signedRequest(server.endpoint, {
      service: 'cloudtrail',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents' },
      body: JSON.stringify({ MaxResults: 'many' }),
    });
    assert.equal(res.status, 400);
    const body = JSON.parse(res.body) as { __type: string; message: string };
    assert.equal(body.__type, 'ValidationException');
    assert.match(body.message, /at 'maxResults' failed to satisfy constraint: Member must be a number/);
  });
});
