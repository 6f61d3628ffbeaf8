// lib.mjs — starts the real beian server on a free loopback port with a fresh demo data directory
// and talks HTTP to it. Shared by every API test file.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

// Material ids of the demo enterprise in a fresh test server (see Server.uploadDemoMaterials).
export const DEMO_MATERIALS = {
  business_licence: 1, architecture_diagram: 2, data_flow_diagram: 3, service_agreement: 4, emergency_plan: 5,
  grading_report: 6, expert_review_opinion: 7, risk_assessment_report: 8, vuln_scan_report: 9,
  cross_border_document: 10, change_description: 11, pia_report: 12, compliance_statement: 13,
  test_report: 14,
};

export const BIN = process.env.BEIAN_BIN || new URL('../../build/beian', import.meta.url).pathname;

// How much slower than native the server is allowed to be: every wait on the server (start-up,
// "answered within", "cleaned up within") is multiplied by it. 1 for the native and sanitizer
// builds, so those keep their tight limits; 10 under valgrind (~20-50x slower on CPU, far less on
// I/O waits), chosen when BEIAN_BIN is tools/valgrind-beian.sh; BEIAN_TIME_SCALE overrides both.
export const TIME_SCALE = Number(process.env.BEIAN_TIME_SCALE) || (/valgrind/.test(BIN) ? 10 : 1);

// Poll `ready()` every 50 ms until it is truthy or `ms` × TIME_SCALE have passed; returns its last value.
export async function waitFor(ready, ms) {
  const deadline = Date.now() + ms * TIME_SCALE;
  for (;;) {
    const v = await ready();
    if (v || Date.now() >= deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

// /metrics checked by Prometheus's own linter (promtool, Debian's package prometheus): the
// exposition format and the naming conventions (counters end in _total, units in base units);
// asserts it found nothing.
// A real SMTP server (tests/api/smtp_sink.py, Debian's python3-aiosmtpd) on a free port that keeps
// each message it receives as a file in mailDir; resolves to { process, port } once it listens.
export async function startSmtpSink(mailDir) {
  const port = await freePort();
  const process = spawn('/usr/bin/python3', [new URL('./smtp_sink.py', import.meta.url).pathname, String(port), mailDir],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    process.stdout.on('data', (d) => { if (String(d).includes('ready')) resolve(); });
    process.on('exit', (c) => reject(new Error(`smtp sink exited ${c}`)));
  });
  return { process, port };
}

export function assertPromtoolClean(text) {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0 || (r.stdout + r.stderr).trim())
    throw new Error(`promtool check metrics: exit ${r.status}\n${r.stdout}${r.stderr}\n--- the exposition:\n${text}`);
}

// Run the CLI synchronously; returns {status, stdout, stderr}.
export function cli(args, { input, env } = {}) {
  const r = spawnSync(BIN, args, { input, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// On PostgreSQL (BEIAN_PG_DIR: a private cluster of tests/pg/start.sh) each data directory gets
// a fresh database of its own, which it remembers (store.uri): `--store URI` for `beian init`.
let pgDatabases = 0;
export function pgStoreArgs() {
  const dir = process.env.BEIAN_PG_DIR;
  if (!dir) return [];
  const name = `t${process.pid}_${++pgDatabases}`;
  const r = spawnSync(new URL('../pg/createdb.sh', import.meta.url).pathname, [dir, name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`createdb ${name} failed: ${r.stderr}`);
  return ['--store', r.stdout.trim()];
}

// The PostgreSQL URI a data directory remembers (store.uri), or null on SQLite.
export function pgStore(data) {
  try { return readFileSync(join(data, 'store.uri'), 'utf8').trim(); } catch { return null; }
}

// Run SQL on a data directory's database behind beian's back (to damage it, or look): sqlite3 on
// beian.db, psql on PostgreSQL. Returns {status, stdout, stderr}; rows one a line, columns by '|'.
export function dbExec(data, sql) {
  const uri = pgStore(data);
  const r = uri ? spawnSync('psql', [uri, '-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync('sqlite3', [join(data, 'beian.db'), sql], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// The kept bytes of materials behind beian's back, whichever the store: files under
// <data>/materials/sha256/<2 hex>/<sha256> (SQLite), rows of material_blobs (PostgreSQL).
const blobPath = (dir, hex) => join(dir, 'materials', 'sha256', hex.slice(0, 2), hex);
export function blobCount(dir) {
  if (pgStore(dir)) return Number(dbExec(dir, 'SELECT count(DISTINCT sha256) FROM material_blobs').stdout.trim());
  const root = join(dir, 'materials', 'sha256');
  if (!existsSync(root)) return 0;
  return readdirSync(root).reduce((n, d) => n + readdirSync(join(root, d)).length, 0);
}
export function blobRead(dir, hex) {
  if (!pgStore(dir)) return readFileSync(blobPath(dir, hex));
  const r = dbExec(dir, `SELECT encode(data, 'hex') FROM material_blobs WHERE sha256 = '${hex}' ORDER BY chunk`);
  return Buffer.from(r.stdout.split('\n').join(''), 'hex');
}
export function blobWrite(dir, hex, bytes) {
  if (!pgStore(dir)) return writeFileSync(blobPath(dir, hex), bytes);
  const r = dbExec(dir, `DELETE FROM material_blobs WHERE sha256 = '${hex}'; ` +
    `INSERT INTO material_blobs VALUES ('${hex}', 0, decode('${bytes.toString('hex')}', 'hex'))`);
  if (r.status !== 0) throw new Error(r.stderr);
}
export function blobRemove(dir, hex) {
  if (!pgStore(dir)) return rmSync(blobPath(dir, hex));
  dbExec(dir, `DELETE FROM material_blobs WHERE sha256 = '${hex}'`);
}

// The keys behind beian's back, by their path under the data directory ("keys/4/current"): files
// (SQLite), rows of deployment_keys / deployment_secrets (PostgreSQL: the deployment's keys).
const keyTable = (name) => (/\.key$|\/current$/.test(name) ? 'deployment_secrets' : 'deployment_keys');
export function keyRead(dir, name) {
  if (!pgStore(dir)) return readFileSync(join(dir, name));
  const r = dbExec(dir, `SELECT encode(value, 'hex') FROM ${keyTable(name)} WHERE name = '${name}'`);
  if (r.status !== 0 || !r.stdout.trim()) throw new Error(`no key ${name}: ${r.stderr}`);
  return Buffer.from(r.stdout.trim(), 'hex');
}
export function keyWrite(dir, name, bytes) {
  if (!pgStore(dir)) return writeFileSync(join(dir, name), bytes, { mode: 0o600 });
  const r = dbExec(dir, `UPDATE ${keyTable(name)} SET value = decode('${bytes.toString('hex')}', 'hex') WHERE name = '${name}'`);
  if (r.status !== 0) throw new Error(r.stderr);
}
export function keyNames(dir, owner) {
  if (!pgStore(dir)) return readdirSync(join(dir, 'keys', owner)).map((f) => `keys/${owner}/${f}`);
  const r = dbExec(dir, `SELECT name FROM deployment_keys UNION ALL SELECT name FROM deployment_secrets ORDER BY 1`);
  return r.stdout.trim().split('\n').filter((n) => n.startsWith(`keys/${owner}/`));
}

// A fresh data directory with the demo organisations; returns {dir, logins: {login: {role, password}}}.
export function initDemo() {
  const dir = mkdtempSync(join(tmpdir(), 'beian-test-'));
  const data = join(dir, 'data');
  const r = cli(['init', data, '--demo', ...pgStoreArgs()]);
  if (r.status !== 0) throw new Error(`beian init failed: ${r.stderr}`);
  const logins = {};
  for (const line of r.stdout.trim().split('\n')) {
    const [role, login, password] = line.split(' ');
    logins[login] = { role, password };
  }
  return { root: dir, data, logins };
}

export class Server {
  constructor(data, logins) { this.data = data; this.logins = logins; this.tokens = {}; }

  static async start(opts = {}) {
    const demo = opts.data ? { data: opts.data, logins: opts.logins, root: null } : initDemo();
    const s = new Server(demo.data, demo.logins);
    s.root = demo.root;
    s.env = opts.env || {};   // extra environment of the server process (e.g. BEIAN_POLICY_DIR)
    s.args = [...(opts.args || []), ...(opts.serveArgs || [])];   // extra `beian serve` options
    s.probe = opts.probe;                  // readiness check other than plain-HTTP /healthz (TLS)
    await s.launch();
    if (!opts.data && opts.materials !== false) await s.uploadDemoMaterials();
    return s;
  }

  // The demo enterprise's materials, uploaded first into a fresh data directory so that they get
  // the ids of DEMO_MATERIALS, which the reference document of the workflow tests attaches.
  async uploadDemoMaterials() {
    const token = await this.login('filer');
    for (const [kind, id] of Object.entries(DEMO_MATERIALS)) {
      // a title as a person would type it (words, not the kind's code: the UI shows titles)
      const title = encodeURIComponent(`演示材料 ${id}`);
      const r = await this.req('POST', `/api/v1/materials?kind=${kind}&title=${title}&filename=${kind}.txt`,
        { token, raw: `demo ${kind}\n`, contentType: 'text/plain; charset=utf-8' });
      if (r.status !== 201 || r.body.id !== id) throw new Error(`demo material ${kind}: ${r.status} ${r.text}`);
    }
  }

  async launch() {
    this.port = await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    this.log = '';
    this.proc = spawn(BIN, ['serve', '--data', this.data, '--listen', `127.0.0.1:${this.port}`, '--threads', '4',
      ...(this.args || [])],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...(this.env || {}) } });
    this.proc.stderr.on('data', (d) => { this.log += d.toString(); });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    const gone = () => this.proc.exitCode !== null || this.proc.signalCode !== null;
    const probe = this.probe ? () => this.probe(this) : () => fetch(`${this.base}/healthz`).then((r) => r.ok, () => false);
    const up = await waitFor(() => gone() || probe(), 10000);
    if (!up || gone()) throw new Error(`server did not start:\n${this.log}`);
  }

  // Stop gracefully; fails when the server exits non-zero (a sanitizer report, a crash).
  async stop({ keep = false } = {}) {
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      // A server that ignores SIGTERM fails here rather than stalling the suite forever.
      let timer;
      const late = new Promise((r) => { timer = setTimeout(r, 60000 * TIME_SCALE, 'late'); });
      if (await Promise.race([this.exited, late]) === 'late') {
        this.proc.kill('SIGKILL');
        await this.exited;
        throw new Error(`server did not stop within ${60 * TIME_SCALE} s of SIGTERM:\n${this.log.slice(-4000)}`);
      }
      clearTimeout(timer);
      const { code, signal } = await this.exited;
      if (code !== 0) throw new Error(`server exited with ${code ?? signal}:\n${this.log.slice(-4000)}`);
    }
    if (!keep && this.root) rmSync(this.root, { recursive: true, force: true });
  }

  async kill9() {
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  // HTTP helper: returns {status, headers, body (parsed JSON when JSON), text}. The response is
  // checked against docs/openapi.json (validateResponse) unless `unchecked` (deliberately malformed
  // exchanges only).
  async req(method, path, { token, body, raw, headers = {}, contentType, unchecked = false } = {}) {
    const h = { ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    let payload;
    if (raw !== undefined) { payload = raw; if (contentType !== null) h['Content-Type'] = contentType || 'application/json'; }
    else if (body !== undefined) { payload = JSON.stringify(body); h['Content-Type'] = contentType || 'application/json'; }
    const r = await fetch(this.base + path, { method, headers: h, body: payload });
    const text = await r.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    const res = { status: r.status, headers: r.headers, body: json, text };
    if (!unchecked) validateResponse(method, path, res);
    return res;
  }

  async login(login) {
    if (this.tokens[login]) return this.tokens[login];
    const r = await this.req('POST', '/api/v1/session', { body: { login, password: this.logins[login].password } });
    if (r.status !== 201) throw new Error(`login ${login} failed: ${r.status} ${r.text}`);
    this.tokens[login] = r.body.token;
    return r.body.token;
  }

  // as(login) → a bound requester
  async as(login) {
    const token = await this.login(login);
    return (method, path, opts = {}) => this.req(method, path, { ...opts, token });
  }
}

// Install a policy pack through the API (POST /policy/packs answers 202 with a job that runs in the
// background) and wait for the job to end; returns the job ({id, state: done|failed, installed,
// problem}). Throws when the request is refused at once, or the job has not ended in `ms`.
export async function installPack(s, token, dir, ms = 120000) {
  const r = await s.req('POST', '/api/v1/policy/packs', { token, body: { dir } });
  if (r.status !== 202) throw new Error(`install ${dir}: ${r.status} ${r.text}`);
  let job = r.body;
  await waitFor(async () => {
    job = (await s.req('GET', `/api/v1/policy/jobs/${r.body.id}`, { token })).body;
    return job.state === 'done' || job.state === 'failed';
  }, ms);
  if (job.state !== 'done' && job.state !== 'failed') throw new Error(`install ${dir}: still ${job.state}`);
  return job;
}

// ---- Every response is checked against docs/openapi.json (issue 17: the spec is tested, not trusted).
// The operation is found by method and path template; its status must be documented, the required
// headers present, the content type one it lists, and a JSON body must validate against the schema
// (Ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses it, with formats). A path under /api/ that no
// template matches must be the documented 404, a method the path does not have the 405 with Allow.
// Anything else throws, naming the request, the status and what did not match. Outside the API
// (the web UI, /.well-known) nothing is checked. `unchecked: true` in req() skips the check: only
// for exchanges that are deliberately malformed.
export const SPEC = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
addFormats(ajv);
ajv.addSchema(SPEC, 'openapi.json');
const API_PREFIX = new URL(SPEC.servers[0].url, 'http://x').pathname;   // "/api/v1"
// templates with fewer placeholders first, so /filings/x/versions beats /filings/{id}/{…}
const TEMPLATES = Object.keys(SPEC.paths)
  .map((t) => ({ t, re: new RegExp(`^${t.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`), holes: (t.match(/\{/g) || []).length }))
  .sort((a, b) => a.holes - b.holes);
const validators = new Map();
const pointer = (...parts) => parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
function validatorFor(ptr) {
  if (!validators.has(ptr)) validators.set(ptr, ajv.compile({ $ref: `openapi.json#/${ptr}` }));
  return validators.get(ptr);
}
const deref = (o) => {
  while (o && o.$ref) o = o.$ref.slice(2).split('/').reduce((n, k) => n[k.replace(/~1/g, '/').replace(/~0/g, '~')], SPEC);
  return o;
};
const baseType = (t) => (t || '').split(';')[0].trim().toLowerCase();

// The operation a request reaches: {template, op} | {template, op: null} (no such method) | null.
export function specOperation(method, path) {
  let p = path.split('?')[0];
  if (p.startsWith(API_PREFIX + '/')) p = p.slice(API_PREFIX.length);
  else if (!SPEC.paths[p]) return null;                  // outside the API (also /healthz, /metrics at the root)
  const m = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
  const hit = TEMPLATES.find(({ t, re }) => re.test(p) && SPEC.paths[t][m]) || TEMPLATES.find(({ re }) => re.test(p));
  if (!hit) return { template: null, op: null };
  return { template: hit.t, op: SPEC.paths[hit.t][m] || null, method: m };
}

// Throws unless the response {status, headers (Headers or plain object), body (parsed JSON), text}
// is what the spec says `method path` answers.
export function validateResponse(method, path, res) {
  const get = (h) => (typeof res.headers?.get === 'function' ? res.headers.get(h) : res.headers?.[h.toLowerCase()]) ?? null;
  const where = `${method} ${path} → ${res.status}`;
  const fail = (why, errors) => {
    const detail = errors ? '\n' + errors.map((e) => `  ${e.instancePath || '(body)'} ${e.message}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''}`).join('\n') : '';
    throw new Error(`response not as docs/openapi.json says: ${where}: ${why}${detail}\n  body: ${String(res.text ?? '').slice(0, 600)}`);
  };
  const found = specOperation(method, path);
  if (!found) return;
  let ptrBase, response;
  if (!found.op) {
    // an unknown API path: 404; a known path without this method: 405 with Allow
    const want = found.template ? 405 : 404;
    if (res.status !== want) fail(found.template ? 'the method is not in the spec for this path' : 'no path of the spec matches');
    if (want === 405 && !get('allow')) fail('405 without Allow');
    // both are problem documents, as the spec's NotFound is (a 405 belongs to no operation)
    response = SPEC.components.responses.NotFound;
    ptrBase = pointer('components', 'responses', 'NotFound');
  } else {
    const responses = found.op.responses;
    const key = responses[res.status] ? String(res.status) : responses.default ? 'default' : null;
    if (!key) fail(`status ${res.status} is not documented (documented: ${Object.keys(responses).join(', ')})`);
    ptrBase = pointer('paths', found.template, found.method, 'responses', key);
    response = responses[key];
    if (response.$ref) { ptrBase = response.$ref.slice(2); response = deref(response); }
  }
  for (const [name, h] of Object.entries(response.headers || {}))
    if (deref(h).required || h.required) if (get(name) === null) fail(`header ${name} is required and missing`);
  const bodyless = method.toUpperCase() === 'HEAD' || res.status === 204 || res.status === 304;
  if (bodyless) return;
  const content = response.content;
  if (!content) {
    if (res.text) fail('a body where the spec documents none');
    return;
  }
  const type = baseType(get('content-type'));
  const mediaKey = Object.keys(content).find((k) => baseType(k) === type) ||
    Object.keys(content).find((k) => k === '*/*' || (k.endsWith('/*') && type.startsWith(k.slice(0, -1))));
  if (!mediaKey) fail(`content type ${get('content-type')} is not documented (documented: ${Object.keys(content).join(', ')})`);
  const isJson = /^application\/([a-z.-]+\+)?json$/.test(type);
  if (!isJson || !content[mediaKey].schema) return;
  if (res.body === undefined) fail('the body is not JSON');
  const v = validatorFor(`${ptrBase}/content/${pointer(mediaKey)}/schema`);
  if (!v(res.body)) fail('the body does not match its schema', v.errors);
}
