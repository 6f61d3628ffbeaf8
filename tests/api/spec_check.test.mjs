// spec_check.test.mjs — the response check of lib.mjs (every response of the API suites goes through
// it) refuses what docs/openapi.json does not say: an undocumented status, member, type or content
// type, a missing required header, a path or method the spec does not have.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateResponse } from './lib.mjs';

const json = { 'content-type': 'application/json; charset=utf-8' };
const problemType = { 'content-type': 'application/problem+json' };
const system = { id: 1, org_id: 2, name: 'S', description: '', created_by: 2, created_at: '2026-12-06T06:56:16Z' };
const problem = (status, code, extra = {}) => ({
  type: `https://beian.invalid/problems/${code}`, title: 't', status, code, title_zh: '标题', title_en: 'title',
  detail: 'd', detail_zh: '详情', detail_en: 'detail', request_id: 'abc', ...extra,
});
const res = (status, headers, body) => ({ status, headers, body, text: body === undefined ? '' : JSON.stringify(body) });

test('a documented answer passes', () => {
  validateResponse('GET', '/api/v1/systems/1', res(200, json, system));
  validateResponse('GET', '/api/v1/systems?lang=en', res(200, json, { items: [system] }));
  validateResponse('GET', '/api/v1/systems/1', res(404, problemType, problem(404, 'not_found')));
  validateResponse('POST', '/api/v1/filings/1/actions/approve', res(409, problemType,
    problem(409, 'conflict', { state: 'draft', action: 'approve', allowed_roles: ['reviewer'], allowed_states: ['under_review'] })));
  validateResponse('GET', '/api/v1/me', res(401, { ...problemType, 'www-authenticate': 'Bearer realm="beian"' }, problem(401, 'unauthenticated')));
  validateResponse('DELETE', '/api/v1/filings', res(405, { ...problemType, allow: 'GET, HEAD, POST' }, problem(405, 'method_not_allowed')));
  validateResponse('GET', '/', res(200, { 'content-type': 'text/html' }, undefined));   // the web UI: not the API
});

test('an undocumented status, member, type or content type fails, naming the request', () => {
  const fails = (method, path, r, pattern) => assert.throws(() => validateResponse(method, path, r), pattern);
  fails('GET', '/api/v1/systems/1', res(418, json, system), /GET \/api\/v1\/systems\/1 → 418: status 418 is not documented/);
  fails('GET', '/api/v1/systems/1', res(200, json, { ...system, secret: 'x' }), /must NOT have additional properties[\s\S]*secret/);
  fails('GET', '/api/v1/systems/1', res(200, json, { ...system, id: '1' }), /\/id must be integer/);
  fails('GET', '/api/v1/systems/1', res(200, json, { ...system, name: undefined }), /must have required property 'name'/);
  fails('GET', '/api/v1/systems/1', res(200, { 'content-type': 'text/html' }, undefined), /content type text\/html is not documented/);
  fails('GET', '/api/v1/systems/1', res(404, problemType, problem(404, 'not_found', { hint: 'x' })), /additional properties/);
  fails('GET', '/api/v1/systems/1', res(404, problemType, problem(404, 'no_such_code')), /\/code must be equal to one of the allowed values/);
  fails('POST', '/api/v1/filings/1/actions/approve', res(409, problemType, problem(409, 'conflict', { allowed_roles: ['king'] })), /allowed_roles\/0/);
});

test('required headers, unknown paths and methods are checked', () => {
  assert.throws(() => validateResponse('GET', '/api/v1/me', res(401, problemType, problem(401, 'unauthenticated'))),
    /header WWW-Authenticate is required and missing/);
  assert.throws(() => validateResponse('GET', '/api/v1/filings/1', res(200, json, {})), /header ETag is required/);
  assert.throws(() => validateResponse('GET', '/api/v1/nothing-here', res(200, json, {})), /no path of the spec matches/);
  assert.throws(() => validateResponse('DELETE', '/api/v1/filings', res(405, problemType, problem(405, 'method_not_allowed'))), /405 without Allow/);
  assert.throws(() => validateResponse('DELETE', '/api/v1/filings', res(204, {}, undefined)), /the method is not in the spec/);
});
