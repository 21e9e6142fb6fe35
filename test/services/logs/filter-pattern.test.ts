/**
 * The filter pattern parser on its own: terms, phrases, alternatives, exclusions, JSON
 * comparisons, and the forms it refuses.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilterPattern } from '../../../src/services/logs/filter-pattern.js';
import { AwsError } from '../../../src/models/errors.js';

const LINES = [
  '[ERROR] Failed to connect to db: timeout',
  '[WARN] retrying connection',
  '[INFO] connected',
  '[ERROR] Exception in MainThread',
  '[WARN] Deadlock detected',
];

const select = (pattern: string, lines: readonly string[] = LINES): string[] => {
  const m = parseFilterPattern(pattern);
  return lines.filter((l) => m(l));
};

const refused = (pattern: string): void => {
  assert.throws(
    () => parseFilterPattern(pattern),
    (e: unknown) => e instanceof AwsError && e.code === 'InvalidParameterException' && e.message.startsWith('Invalid filter pattern'),
    pattern,
  );
};

describe('Filter patterns: terms', () => {
  it('an empty pattern, blanks or "" match every event', () => {
    assert.equal(select('').length, LINES.length);
    assert.equal(select('   ').length, LINES.length);
    assert.equal(select('""').length, LINES.length);
  });

  it('plain terms must all appear (case-sensitive substrings)', () => {
    assert.deepEqual(select('ERROR'), [LINES[0], LINES[3]]);
    assert.deepEqual(select('ERROR timeout'), [LINES[0]]);
    assert.deepEqual(select('error'), []);
    assert.deepEqual(select('connect'), [LINES[0], LINES[1], LINES[2]]);
  });

  it('a quoted phrase matches exactly, spaces and punctuation included', () => {
    assert.deepEqual(select('"Failed to connect"'), [LINES[0]]);
    assert.deepEqual(select('"to connect" ERROR'), [LINES[0]]);
    assert.deepEqual(select('"db: timeout"'), [LINES[0]]);
    assert.deepEqual(select('"say \\"hi\\""', ['they say "hi"', 'say hi']), ['they say "hi"']);
  });

  it('?terms are alternatives', () => {
    assert.deepEqual(select('?ERROR ?WARN'), [LINES[0], LINES[1], LINES[3], LINES[4]]);
    assert.deepEqual(select('?INFO ?"Deadlock detected"'), [LINES[2], LINES[4]]);
  });

  it('terms after a ?term join its alternative (the CDK anyTermGroup form)', () => {
    assert.deepEqual(select('?"ERROR" "MainThread" ?"WARN" "Deadlock"'), [LINES[3], LINES[4]]);
  });

  it('terms before the first ?term are required with any alternative', () => {
    assert.deepEqual(select('connect ?ERROR ?WARN'), [LINES[0], LINES[1]]);
  });

  it('-term excludes events containing it', () => {
    assert.deepEqual(select('ERROR -MainThread'), [LINES[0]]);
    assert.deepEqual(select('-ERROR'), [LINES[1], LINES[2], LINES[4]]);
    assert.deepEqual(select('-"retrying connection" WARN'), [LINES[4]]);
  });

  it('refuses unterminated quotes, dangling ? and forms Gatehouse does not support', () => {
    refused('"Failed to');
    refused('ERROR ?');
    refused('[ip, user, status]');
    refused('%ERR(OR)?%');
    refused('"ab"cd');
  });
});

describe('Filter patterns: JSON', () => {
  const EVENTS = [
    JSON.stringify({ level: 'error', status: 500, latency: 120.5, user: { name: 'alice', roles: ['admin', 'dev'] }, ok: false }),
    JSON.stringify({ level: 'info', status: 200, latency: 15, user: { name: 'bob', roles: ['dev'] }, ok: true }),
    JSON.stringify({ level: 'warn', status: 404, latency: 80, user: null, ok: true, extra: 'UpdateTrail' }),
    'not json at all',
    '["an", "array"]',
  ];

  it('string equality and inequality, with * wildcards and unquoted values', () => {
    assert.deepEqual(select('{ $.level = "error" }', EVENTS), [EVENTS[0]]);
    assert.deepEqual(select('{ $.level != "error" }', EVENTS), [EVENTS[1], EVENTS[2]]);
    assert.deepEqual(select('{ $.user.name = "al*" }', EVENTS), [EVENTS[0]]);
    assert.deepEqual(select('{ $.extra = UpdateTrail }', EVENTS), [EVENTS[2]]);
  });

  it('numeric comparisons', () => {
    assert.deepEqual(select('{ $.status = 200 }', EVENTS), [EVENTS[1]]);
    assert.deepEqual(select('{ $.status >= 400 }', EVENTS), [EVENTS[0], EVENTS[2]]);
    assert.deepEqual(select('{ $.latency < 100 }', EVENTS), [EVENTS[1], EVENTS[2]]);
    assert.deepEqual(select('{ $.latency > 100.25 }', EVENTS), [EVENTS[0]]);
    assert.deepEqual(select('{ $.status != 200 }', EVENTS), [EVENTS[0], EVENTS[2]]);
  });

  it('&&, || and parentheses', () => {
    assert.deepEqual(select('{ $.status >= 400 && $.latency > 100 }', EVENTS), [EVENTS[0]]);
    assert.deepEqual(select('{ $.level = "info" || $.level = "warn" }', EVENTS), [EVENTS[1], EVENTS[2]]);
    assert.deepEqual(select('{ ($.level = "info" || $.level = "warn") && $.status = 404 }', EVENTS), [EVENTS[2]]);
    assert.deepEqual(select('{($.status=500)||($.status=200)}', EVENTS), [EVENTS[0], EVENTS[1]]);
  });

  it('array indexes, IS TRUE/FALSE/NULL and NOT EXISTS', () => {
    assert.deepEqual(select('{ $.user.roles[0] = "admin" }', EVENTS), [EVENTS[0]]);
    assert.deepEqual(select('{ $.user.roles[1] = "dev" }', EVENTS), [EVENTS[0]]);
    assert.deepEqual(select('{ $.ok IS TRUE }', EVENTS), [EVENTS[1], EVENTS[2]]);
    assert.deepEqual(select('{ $.ok IS FALSE }', EVENTS), [EVENTS[0]]);
    assert.deepEqual(select('{ $.user IS NULL }', EVENTS), [EVENTS[2]]);
    assert.deepEqual(select('{ $.extra NOT EXISTS }', EVENTS), [EVENTS[0], EVENTS[1]]);
  });

  it('a missing field matches no comparison, and non-object messages match nothing', () => {
    assert.deepEqual(select('{ $.nope != "x" }', EVENTS), []);
    assert.deepEqual(select('{ $.nope NOT EXISTS }', EVENTS), [EVENTS[0], EVENTS[1], EVENTS[2]]);
  });

  it('refuses malformed JSON patterns', () => {
    refused('{ $.level = "error" ');
    refused('{ level = "error" }');
    refused('{ $.level "error" }');
    refused('{ $.level > "error" }');
    refused('{ $.a = 1 && }');
    refused('{ $.a IS MAYBE }');
    refused('{ $. = 1 }');
    refused('{ $.a[x] = 1 }');
    refused('{ $.a = 1 } trailing');
  });
});
