/**
 * Generates src/models/<service>.json: Gatehouse's own, documentation-free copy of the
 * AWS service models its protocol layer walks (shapes, wire names, constraints, errors).
 *
 * Source: botocore's service-2.json (found through `python3 -c 'import botocore'`, or
 * $BOTOCORE_DATA). botocore is plain, documented JSON and keeps what a validator needs
 * (min/max/pattern/enum, numeric subtypes, per-operation errors, resultWrapper). The
 * output is committed; CI never regenerates it. Run: `npm run models`.
 *
 * Patterns are Java regular expressions and botocore strips their anchors
 * inconsistently: every pattern is treated as a full match (`^(?:...)$`), translated
 * where Java differs from JS, and checked to compile with the `u` flag; one that cannot
 * be translated is dropped and listed in versions.json.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';

const SERVICES: Record<string, string> = {
  iam: '2010-05-08',
  sts: '2011-06-15',
  cloudtrail: '2013-11-01',
  ec2: '2016-11-15',
  acm: '2015-12-08',
  kms: '2014-11-01',
  logs: '2014-03-28',
  lambda: '2015-03-31',
  ds: '2015-04-16',
  'ds-data': '2023-05-31',
  organizations: '2016-11-28',
  'sso-admin': '2020-07-20',
  identitystore: '2020-06-15',
};

/** Member and shape properties the runtime uses; everything else (docs, examples) is dropped. */
const SHAPE_KEYS = ['type', 'required', 'min', 'max', 'pattern', 'enum', 'error', 'exception', 'fault', 'timestampFormat', 'flattened', 'sensitive', 'document', 'union', 'locationName', 'xmlNamespace', 'payload', 'event', 'eventstream', 'streaming'];
const MEMBER_KEYS = ['shape', 'locationName', 'queryName', 'flattened', 'location', 'xmlNamespace', 'xmlAttribute', 'idempotencyToken', 'jsonvalue', 'hostLabel', 'timestampFormat', 'deprecated', 'eventpayload'];

type Json = Record<string, unknown>;

function botocoreData(): string {
  if (process.env.BOTOCORE_DATA) return process.env.BOTOCORE_DATA;
  const dir = execFileSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8' }).trim();
  return join(dir, 'data');
}

function botocoreVersion(): string {
  return execFileSync('python3', ['-c', 'import botocore; print(botocore.__version__)'], { encoding: 'utf8' }).trim();
}

const dropped: string[] = [];

/** Java regex → JS (u-mode), anchored as a full match; undefined when it cannot be made to compile. */
export function translatePattern(java: string, where: string): string | undefined {
  let p = java;
  // Strip the anchors botocore sometimes keeps, then anchor uniformly.
  if (p.startsWith('^')) p = p.slice(1);
  if (p.endsWith('$') && !p.endsWith('\\$')) p = p.slice(0, -1);
  p = p
    .replace(/\(\?s\)/g, '') // DOTALL inline flag: use [\s\S] instead of '.'
    .replace(/\\p\{Punct\}/g, "[!-\\/:-@\\[-`{-~]")
    .replace(/\\p\{LD\}/g, '[\\p{L}\\p{Nd}]')
    .replace(/\\p\{Alnum\}/g, '[A-Za-z0-9]')
    .replace(/\\p\{Alpha\}/g, '[A-Za-z]')
    .replace(/\\p\{Digit\}/g, '[0-9]')
    .replace(/\\p\{Space\}/g, '\\s');
  p = unescapeForUnicodeMode(p);
  const full = `^(?:${java.includes('(?s)') ? p.replace(/(^|[^\\])\./g, '$1[\\s\\S]') : p})$`;
  try {
    new RegExp(full, 'u');
    return full;
  } catch {
    dropped.push(`${where}: ${java}`);
    return undefined;
  }
}

/**
 * Java tolerates escaping any punctuation; JS u-mode allows only syntax characters.
 * Outside a class, drop needless escapes; inside one, keep `\-` (a literal dash) and make
 * a dash after a class escape (`[\w-_]`, a range u-mode refuses) literal.
 */
function unescapeForUnicodeMode(p: string): string {
  const syntax = new Set([...'^$\\.*+?()[]{}|/']);
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\' && i + 1 < p.length) {
      const n = p[i + 1]!;
      i++;
      if (/[A-Za-z0-9]/.test(n) || syntax.has(n) || (inClass && n === '-')) {
        out += c + n;
        if (inClass && /[wdsWDS]/.test(n) && p[i + 1] === '-') {
          out += '\\-';
          i++;
        }
      } else out += n === '-' ? '-' : n;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return out;
}

function pick(obj: Json, keys: readonly string[]): Json {
  const out: Json = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

function sortObject<T>(obj: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function generate(service: string, version: string, data: string): { model: Json; operations: number; shapes: number } {
  const raw = JSON.parse(gunzipSync(readFileSync(join(data, service, version, 'service-2.json.gz'))).toString('utf8')) as {
    metadata: Json;
    operations: Record<string, Json>;
    shapes: Record<string, Json>;
  };
  const shapes: Record<string, Json> = {};
  for (const [name, shape] of Object.entries(raw.shapes)) {
    const s = pick(shape, SHAPE_KEYS);
    if (typeof s.pattern === 'string') {
      const p = translatePattern(s.pattern, `${service}.${name}`);
      if (p === undefined) delete s.pattern;
      else s.pattern = p;
    }
    if (shape.members) {
      s.members = Object.fromEntries(Object.entries(shape.members as Record<string, Json>).map(([m, def]) => [m, pick(def, MEMBER_KEYS)]));
    }
    if (shape.member) s.member = pick(shape.member as Json, MEMBER_KEYS);
    if (shape.key) s.key = pick(shape.key as Json, MEMBER_KEYS);
    if (shape.value) s.value = pick(shape.value as Json, MEMBER_KEYS);
    shapes[name] = s;
  }
  const operations: Record<string, Json> = {};
  for (const [name, op] of Object.entries(raw.operations)) {
    const input = op.input as Json | undefined;
    const output = op.output as Json | undefined;
    operations[name] = {
      http: op.http,
      ...(input ? { input: input.shape } : {}),
      ...(output ? { output: output.shape } : {}),
      ...(output?.resultWrapper ? { resultWrapper: output.resultWrapper } : {}),
      errors: ((op.errors as Json[] | undefined) ?? []).map((e) => e.shape),
      ...(op.idempotent ? { idempotent: true } : {}),
      ...(op.deprecated ? { deprecated: true } : {}),
    };
  }
  const m = raw.metadata;
  const model = {
    metadata: pick(m, ['apiVersion', 'endpointPrefix', 'globalEndpoint', 'jsonVersion', 'protocol', 'serviceId', 'signingName', 'targetPrefix', 'xmlNamespace']),
    operations: sortObject(operations),
    shapes: sortObject(shapes),
  };
  return { model, operations: Object.keys(operations).length, shapes: Object.keys(shapes).length };
}

function main(): void {
  const data = botocoreData();
  const out = join(import.meta.dirname, '..', '..', 'src', 'models');
  mkdirSync(out, { recursive: true });
  const counts: Record<string, { apiVersion: string; operations: number; shapes: number }> = {};
  for (const [service, version] of Object.entries(SERVICES)) {
    const { model, operations, shapes } = generate(service, version, data);
    writeFileSync(join(out, `${service}.json`), JSON.stringify(model) + '\n');
    counts[service] = { apiVersion: version, operations, shapes };
  }
  const versions = { source: `botocore ${botocoreVersion()}`, generatedBy: 'scripts/gen-models.ts', services: counts, droppedPatterns: dropped };
  writeFileSync(join(out, 'versions.json'), JSON.stringify(versions, null, 2) + '\n');
  console.log(JSON.stringify(versions, null, 2));
}

main();
