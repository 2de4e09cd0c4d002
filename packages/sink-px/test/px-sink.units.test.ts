import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorBodyMessage, isDuplicateMessage, isQuotaMessage } from '../src/error-body.js';
import { defaultConcurrency } from '../src/options.js';
import { encodeSegment, needsBodyId, preferencesPath, recordPath, updatePath } from '../src/paths.js';
import { holdsValues, parseJson } from '../src/record-match.js';
import {
  backoffDelay,
  DEFAULT_RETRY,
  isRetryableStatus,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
} from '../src/retry.js';
import { StartWindow } from '../src/start-window.js';
import { LATENCY_WINDOW, LatencyWindow } from '../src/stats.js';

describe('error bodies: the most useful message, one line, never assuming JSON', () => {
  const cases: Array<[string, number, string, string]> = [
    [
      'subErrors[0].message first',
      400,
      '{"externalapierror":{"status":"BAD_REQUEST","message":"Invalid User","debugMessage":null,"subErrors":[{"field":"score","message":"score: must be an integer"}]}}',
      'score: must be an integer',
    ],
    [
      'then message',
      404,
      '{"externalapierror":{"status":"NOT_FOUND","message":"User was not found for parameters {id=x}","debugMessage":null,"subErrors":null}}',
      'User was not found for parameters {id=x}',
    ],
    [
      'then status',
      500,
      '{"externalapierror":{"status":"INTERNAL_SERVER_ERROR","message":"","subErrors":[]}}',
      'INTERNAL_SERVER_ERROR',
    ],
    ['then errorMessage', 404, '{"errorMessage":"No route for GET /v1/x"}', 'No route for GET /v1/x'],
    [
      'an HTML page: its title',
      502,
      '<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>',
      '502 Bad Gateway',
    ],
    [
      'HTML without a title: its text',
      403,
      '<html><body><p>Access\n denied</p></body></html>',
      'Access denied',
    ],
    ['plain text, multi-line', 503, 'upstream\r\nconnect error\n', 'upstream connect error'],
    ['broken JSON is text', 400, '{"externalapierror": {', '{"externalapierror": {'],
    ['an empty body', 429, '', 'HTTP 429'],
    ['JSON that is not an object', 400, '"just a string"', '"just a string"'],
  ];
  for (const [name, status, body, expected] of cases) {
    it(name, () => assert.equal(errorBodyMessage(status, body), expected));
  }

  it('cut to about 200 characters', () => {
    const message = errorBodyMessage(500, 'x'.repeat(5000));
    assert.equal(message.length, 200);
    assert.ok(message.endsWith('…'));
  });

  it('duplicate and quota messages are recognised', () => {
    assert.ok(isDuplicateMessage('Possible duplicate: User already exists for parameters {identifyId=a}'));
    assert.ok(!isDuplicateMessage('identifyId: is required'));
    assert.ok(isQuotaMessage('Daily quota exceeded'));
    assert.ok(!isQuotaMessage('Rate limit exceeded'));
  });
});

describe('retry timing', () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);
  const table: Array<[string | undefined, number | undefined]> = [
    [undefined, undefined],
    ['', undefined],
    ['3', 3000],
    [' 0 ', 0],
    ['1.5', 1500],
    ['Wed, 01 Jan 2025 12:00:05 GMT', 5000],
    ['Wed, 01 Jan 2025 11:00:00 GMT', 0],
    ['soon', undefined],
    ['-1', undefined],
    ['999999', MAX_RETRY_AFTER_MS],
  ];
  for (const [header, expected] of table) {
    it(`Retry-After ${JSON.stringify(header)} -> ${expected}`, () =>
      assert.equal(parseRetryAfter(header, now), expected));
  }

  it('full jitter: uniform below min(cap, base * 2^(retry-1))', () => {
    const options = { maxAttempts: 6, backoffBaseMs: 200, backoffCapMs: 1000 };
    assert.equal(
      backoffDelay(1, options, () => 0.999999),
      199,
    );
    assert.equal(
      backoffDelay(3, options, () => 0.5),
      400,
    );
    assert.equal(
      backoffDelay(10, options, () => 0.5),
      500,
      'capped',
    );
    assert.equal(
      backoffDelay(2, options, () => 0),
      0,
    );
    assert.deepEqual(DEFAULT_RETRY, { maxAttempts: 6, backoffBaseMs: 200, backoffCapMs: 20_000 });
  });

  it('retryable statuses', () => {
    assert.deepEqual(
      [400, 401, 403, 404, 409, 429, 500, 501, 502, 503, 504].filter(isRetryableStatus),
      [429, 500, 502, 503, 504],
    );
  });
});

describe('paths: an id is one encoded segment, or travels in the body', () => {
  const table: Array<[string, string, string]> = [
    ['plain-id', '/users/plain-id', '/users/plain-id'],
    ['a/b?c#d é', '/users/a%2Fb%3Fc%23d%20%C3%A9', '/users/a%2Fb%3Fc%23d%20%C3%A9'],
    ['../admin', '/users/..%2Fadmin', '/users/..%2Fadmin'],
    ['%41', '/users/%2541', '/users/%2541'],
    ['update', '/users/update', '/users/update'],
    ['..', '/users/update', '/users/%2E%2E'],
    ['.', '/users/update', '/users/%2E'],
    ['...', '/users/...', '/users/...'],
  ];
  for (const [id, put, get] of table) {
    it(`${JSON.stringify(id)}: PUT ${put}, GET ${get}`, () => {
      assert.equal(updatePath('USER', id), put);
      assert.equal(recordPath('USER', id), get);
    });
  }

  it('accounts and preferences', () => {
    assert.equal(updatePath('ACCOUNT', 'update'), '/accounts/update');
    assert.equal(updatePath('ACCOUNT', 'x y'), '/accounts/x%20y');
    assert.equal(preferencesPath('update'), '/user/preferences/update');
    assert.equal(preferencesPath('..'), '/user/preferences/%2E%2E');
    assert.ok(needsBodyId('update') && !needsBodyId('Update'));
    assert.equal(encodeSegment('ユ'), '%E3%83%A6');
  });
});

describe('start window: starts held to the rate in every window', () => {
  it('never more than floor(rate) bookings in any 1000 ms, however fast they are asked for', () => {
    const window = new StartWindow(50);
    const booked: number[] = [];
    // 300 requests asked for within 30 ms (bottleneck slots from an old, higher rate).
    for (let i = 0; i < 300; i++) booked.push(window.reserve(i / 10, 50).at);
    for (let i = 50; i < booked.length; i++) assert.ok(booked[i]! - booked[i - 50]! >= 1000, `booking ${i}`);
    for (let i = 1; i < booked.length; i++) assert.ok(booked[i]! - booked[i - 1]! >= 0.9 * 20 - 1e-9);
  });

  it('a lower rate applies at once; a late start moves the window', () => {
    const window = new StartWindow(100);
    const first = window.reserve(0, 100);
    assert.equal(first.at, 0);
    window.started(first.slot, 7);
    assert.ok(window.reserve(7, 10).at >= 7 + 90, 'spaced at the new rate from the real start');
  });
});

describe('stats', () => {
  it('latency: mean and max of all, percentiles of a bounded window', () => {
    const latency = new LatencyWindow();
    assert.deepEqual(latency.summary(), { mean: 0, p50: 0, p95: 0, max: 0 });
    for (let i = 1; i <= 100; i++) latency.add(i);
    assert.deepEqual(latency.summary(), { mean: 50.5, p50: 51, p95: 96, max: 100 });
    for (let i = 0; i < LATENCY_WINDOW; i++) latency.add(1);
    const summary = latency.summary();
    assert.equal(summary.p95, 1, 'old samples left the window');
    assert.equal(summary.max, 100);
  });

  it('default concurrency before any answer is the floor of the sizing, rate × 0.25, between 8 and 512', () => {
    assert.equal(defaultConcurrency(150), 38);
    assert.equal(defaultConcurrency(5), 8);
    assert.equal(defaultConcurrency(10_000), 512);
    assert.equal(defaultConcurrency(800, 100), 100, 'maxConcurrency caps it');
  });
});

describe('a record read back holds the row: values of the body, compared exactly', () => {
  const body = { identifyId: 'u', propertyKeys: ['AP-1'], score: 3, location: { city: 'Paris' }, ok: false };
  const table: Array<[string, unknown, boolean]> = [
    ['the same record', { ...body }, true],
    [
      'plus read-only fields and nested extras',
      { ...body, aptrinsicId: 'x', location: { city: 'Paris', cc: 'FR' } },
      true,
    ],
    ['another value', { ...body, score: 4 }, false],
    ['a missing field', { identifyId: 'u', propertyKeys: ['AP-1'], score: 3, ok: false }, false],
    ['an array not the same', { ...body, propertyKeys: ['AP-1', 'AP-2'] }, false],
    ['a string for a number', { ...body, score: '3' }, false],
    ['false vs absent', { ...body, ok: undefined }, false],
    ['not an object', parseJson('<html>'), false],
    ['a list', [body], false],
  ];
  for (const [name, record, expected] of table) {
    it(`${name}: ${expected}`, () => assert.equal(holdsValues(record, body), expected));
  }
});
