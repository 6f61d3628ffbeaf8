// cli.test.mjs — the command line: init, org add/list, user add/list/passwd, help, version and exit
// codes (0 ok, 1 failure, 2 usage), and that a password set by the CLI works over HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli as run, Server } from './lib.mjs';
import { uscc } from './helpers-io.mjs';

// English messages whatever the caller's locale; BEIAN_DATA unset unless a test sets it.
const cli = (args, opts = {}) => run(args, { ...opts, env: { LANG: 'C', LC_ALL: 'C', BEIAN_DATA: '', ...opts.env } });

let root, data, server;
const servers = [];

before(() => {
  root = mkdtempSync(join(tmpdir(), 'beian-cli-'));
  data = join(root, 'data');
});
after(async () => {
  for (const s of servers) await s.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

function ok(r, what) {
  assert.equal(r.status, 0, `${what}: exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}
function fails(r, code, what) {
  assert.equal(r.status, code, `${what}: exit ${r.status} (want ${code})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.ok(r.stderr.trim().length > 0, `${what}: says why on stderr`);
  return r;
}
function orgList(dir = data) {
  return JSON.parse(ok(cli(['org', 'list', '--data', dir, '--json']), 'org list').stdout);
}
function userList(dir = data) {
  return JSON.parse(ok(cli(['user', 'list', '--data', dir, '--json']), 'user list').stdout);
}

const DEMO = [
  ['admin', 'admin'], ['filer', 'filer'], ['checker', 'checker'], ['org_admin', 'entadmin'],
  ['provider', 'provider'], ['org_admin', 'provadmin'], ['reviewer', 'reviewer'], ['authority_admin', 'authadmin'],
];
let demoLogins;

// ------------------------------------------------------------------------- init

test('init DIR --demo prints 8 lines "role login password"', () => {
  const r = ok(cli(['init', data, '--demo']), 'init --demo');
  const lines = r.stdout.split('\n').filter(Boolean);
  assert.equal(lines.length, 8, r.stdout);
  assert.ok(r.stdout.endsWith('\n'));
  demoLogins = {};
  lines.forEach((line, i) => {
    const parts = line.split(' ');
    assert.equal(parts.length, 3, line);
    const [role, login, password] = parts;
    assert.deepEqual([role, login], DEMO[i]);
    assert.match(password, /^[A-Za-z2-9]{16}$/);
    demoLogins[login] = { role, password };
  });
  assert.equal(new Set(Object.values(demoLogins).map((x) => x.password)).size, 8, 'passwords differ');
  assert.ok(existsSync(join(data, 'beian.db')));
  assert.equal(statSync(data).mode & 0o777, 0o700, 'data directory is private');
  const orgs = orgList();
  assert.deepEqual(orgs.map((o) => [o.id, o.kind]), [[1, 'platform'], [2, 'enterprise'], [3, 'provider'], [4, 'authority']]);
  assert.deepEqual(orgs[3].jurisdiction, ['110000']);
  assert.equal(userList().length, 8);
});

test('init on an existing data directory exits 1 and changes nothing', () => {
  const users = userList();
  const r = fails(cli(['init', data, '--demo']), 1, 'second init');
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /already/);
  fails(cli(['init', data]), 1, 'second init without --demo');
  assert.deepEqual(userList(), users);
});

test('init without --demo creates only the administrator; usage errors exit 2', () => {
  const dir = join(root, 'plain');
  const r = ok(cli(['init', dir]), 'init');
  const lines = r.stdout.split('\n').filter(Boolean);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^admin admin [A-Za-z2-9]{16}$/);
  assert.equal(orgList(dir).length, 1);
  fails(cli(['init']), 2, 'init without a directory');
  fails(cli(['init', join(root, 'a'), join(root, 'b')]), 2, 'init with two directories');
  fails(cli(['init', join(root, 'c'), '--frobnicate']), 2, 'init with an unknown option');
  assert.ok(!existsSync(join(root, 'c')));
  fails(cli(['init', join(root, 'no', 'such', 'parent')]), 1, 'init under a missing parent');
});

// ------------------------------------------------------------------------- org add

let entId, authId;

test('org add prints only the new id', () => {
  const r = ok(cli(['org', 'add', '--data', data, '--kind', 'enterprise', '--name', '深圳示例有限公司',
    '--uscc', '91440300MA5000002N', '--region', '440300']), 'org add');
  assert.match(r.stdout, /^\d+\n$/);
  entId = Number(r.stdout);
  assert.equal(entId, 5);
  const org = orgList().find((o) => o.id === entId);
  assert.deepEqual({ kind: org.kind, name: org.name, uscc: org.uscc, region: org.region },
    { kind: 'enterprise', name: '深圳示例有限公司', uscc: '91440300MA5000002N', region: '440300' });
});

test('org add refuses a duplicate USCC, bad characters, a wrong check character, unknown regions', () => {
  const before = orgList();
  const add = (over, env) => {
    const o = { kind: 'enterprise', name: 'N', uscc: uscc('91440300MA5000007'), region: '440300', ...over };
    const args = ['org', 'add', '--data', data, '--kind', o.kind, '--name', o.name, '--uscc', o.uscc, '--region', o.region];
    if (o.jurisdiction) args.push('--jurisdiction', o.jurisdiction);
    return cli(args, { env });
  };
  let r = fails(add({ uscc: '91440300MA5000002N' }), 1, 'duplicate USCC');
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /91440300MA5000002N/);
  assert.match(r.stderr, /already exists/);

  r = fails(add({ uscc: '9144I300MA5000002N' }), 1, 'I at position 5');
  assert.match(r.stderr, /character 5 'I'/);
  r = fails(add({ uscc: '9144I300MA5000002N' }, { LANG: 'zh_CN.UTF-8' }), 1, 'I at position 5, Chinese');
  assert.match(r.stderr, /第5位/);
  r = fails(add({ uscc: '91440300MA500000ON' }), 1, 'O at position 17');
  assert.match(r.stderr, /character 17 'O'/);
  r = fails(add({ uscc: '91440300ma5000002N' }), 1, 'lower case');
  assert.match(r.stderr, /character 9 'm'/);

  r = fails(add({ uscc: '91440300MA5000002X' }), 1, 'wrong check character');
  assert.match(r.stderr, /check character should be 'N'/);
  assert.match(r.stderr, /found 'X'/);
  r = fails(add({ uscc: '91440300MA5000002' }), 1, 'too short');
  assert.match(r.stderr, /18 characters/);

  r = fails(add({ region: '999999' }), 1, 'unknown region');
  assert.match(r.stderr, /999999/);
  fails(add({ region: '4403' }), 1, 'short region');
  fails(add({ region: 'abcdef' }), 1, 'letters as region');
  r = fails(add({ kind: 'guild' }), 1, 'unknown kind');
  assert.match(r.stderr, /kind/);
  fails(add({ jurisdiction: '110000' }), 1, 'an enterprise with a jurisdiction');
  assert.deepEqual(orgList(), before, 'nothing was added');
});

test('org add: missing options or data directory → exit 2', () => {
  const base = ['--data', data, '--kind', 'enterprise', '--name', 'N', '--uscc', uscc('91440300MA5000008'), '--region', '440300'];
  for (const drop of ['--kind', '--name', '--uscc', '--region']) {
    const i = base.indexOf(drop);
    const args = [...base.slice(0, i), ...base.slice(i + 2)];
    const r = fails(cli(['org', 'add', ...args]), 2, `without ${drop}`);
    assert.match(r.stderr, /--help/);
  }
  const noData = base.slice(2);
  let r = fails(cli(['org', 'add', ...noData]), 2, 'without --data or BEIAN_DATA');
  assert.match(r.stderr, /BEIAN_DATA/);
  fails(cli(['org', 'add', ...base, '--colour', 'red']), 2, 'unknown option');
  fails(cli(['org', 'add', ...base, 'stray']), 2, 'stray argument');
  fails(cli(['org']), 2, 'org without a subcommand');
  fails(cli(['org', 'frob']), 2, 'unknown org subcommand');
  r = fails(cli(['org', 'add', '--data', join(root, 'nowhere'), ...noData]), 1, 'a data directory that does not exist');
  assert.match(r.stderr, /nowhere/);
});

test('org add --jurisdiction for an authority', () => {
  const r = ok(cli(['org', 'add', '--data', data, '--kind', 'authority', '--name', '京沪备案管理部门',
    '--uscc', uscc('11110000MB0000001'), '--region', '110000', '--jurisdiction', '110000,310000']), 'authority');
  assert.match(r.stdout, /^\d+\n$/);
  authId = Number(r.stdout);
  const org = orgList().find((o) => o.id === authId);
  assert.equal(org.kind, 'authority');
  assert.deepEqual(org.jurisdiction, ['110000', '310000']);
  // an authority needs one, and every code must be known
  fails(cli(['org', 'add', '--data', data, '--kind', 'authority', '--name', 'x', '--uscc', uscc('11110000MB0000002'),
    '--region', '110000']), 1, 'authority without a jurisdiction');
  const bad = fails(cli(['org', 'add', '--data', data, '--kind', 'authority', '--name', 'x', '--uscc', uscc('11110000MB0000003'),
    '--region', '110000', '--jurisdiction', '110000,999999']), 1, 'unknown jurisdiction code');
  assert.match(bad.stderr, /jurisdiction/);
  // filtered list
  const auths = JSON.parse(ok(cli(['org', 'list', '--data', data, '--kind', 'authority', '--json']), 'list').stdout);
  assert.deepEqual(auths.map((o) => o.id), [4, authId]);
  // the text listing has a header and a row per organisation
  const text = ok(cli(['org', 'list', '--data', data]), 'org list').stdout.trim().split('\n');
  assert.match(text[0], /^ID\s+KIND\s+USCC\s+REGION\s+NAME$/);
  assert.equal(text.length, 1 + orgList().length);
});

// ------------------------------------------------------------------------- users

const PW1 = 'first password 123';
const PW2 = 'second password 456';

test('user add with two roles reads the password from stdin and prints the id', () => {
  const r = ok(cli(['user', 'add', '--data', data, '--org', String(entId), '--login', 'zhang.san', '--name', '张三',
    '--role', 'filer', '--role', 'checker', '--password-stdin'], { input: `${PW1}\n` }), 'user add');
  assert.match(r.stdout, /^\d+\n$/);
  const id = Number(r.stdout);
  const users = userList();
  const u = users.find((x) => x.login === 'zhang.san');
  assert.ok(u, JSON.stringify(users));
  assert.equal(u.id, id);
  assert.equal(u.org_id, entId);
  assert.equal(u.name, '张三');
  assert.deepEqual([...u.roles].sort(), ['checker', 'filer']);
  assert.equal(u.disabled, false);
  for (const x of users) assert.equal(x.pw_hash, undefined);
  // the text listing shows both roles, filtered by organisation
  const text = ok(cli(['user', 'list', '--data', data, '--org', String(entId)]), 'user list').stdout;
  assert.match(text, /zhang\.san\s+(filer,checker|checker,filer)/);
  const rows = text.trim().split('\n');
  assert.match(rows[0], /^ID\s+ORG\s+LOGIN\s+ROLES$/);
  assert.equal(rows.length - 1, users.filter((x) => x.org_id === entId).length);
  for (const row of rows.slice(1)) assert.equal(Number(row.trim().split(/\s+/)[1]), entId, row);
  // the password never reaches argv or stdout
  assert.ok(!r.stdout.includes(PW1) && !r.stderr.includes(PW1));
});

test('user add refuses roles that do not fit, short passwords, duplicates; usage errors exit 2', () => {
  const before = userList();
  const add = (args, input = `${PW1}\n`) => cli(['user', 'add', '--data', data, ...args], { input });
  let r = fails(add(['--org', String(entId), '--login', 'rev', '--role', 'reviewer', '--password-stdin']), 1, 'reviewer in an enterprise');
  assert.match(r.stderr, /reviewer/);
  assert.match(r.stderr, /enterprise/);
  fails(add(['--org', String(authId), '--login', 'fil', '--role', 'filer', '--password-stdin']), 1, 'filer in an authority');
  fails(add(['--org', String(entId), '--login', 'adm', '--role', 'admin', '--password-stdin']), 1, 'admin outside the platform');
  fails(add(['--org', String(entId), '--login', 'wiz', '--role', 'wizard', '--password-stdin']), 1, 'unknown role');
  r = fails(add(['--org', String(entId), '--login', 'shorty', '--role', 'filer', '--password-stdin'], 'short\n'), 1, 'short password');
  assert.match(r.stderr, /10/);
  fails(add(['--org', String(entId), '--login', 'zhang.san', '--role', 'filer', '--password-stdin']), 1, 'duplicate login');
  fails(add(['--org', '999', '--login', 'ghost', '--role', 'filer', '--password-stdin']), 1, 'unknown organisation');
  fails(add(['--org', String(entId), '--login', 'bad login', '--role', 'filer', '--password-stdin']), 1, 'bad login');
  // usage
  fails(add(['--org', String(entId), '--login', 'nopw', '--role', 'filer']), 2, 'without --password-stdin');
  fails(add(['--org', String(entId), '--login', 'norole', '--password-stdin']), 2, 'without --role');
  fails(add(['--login', 'noorg', '--role', 'filer', '--password-stdin']), 2, 'without --org');
  fails(add(['--org', String(entId), '--role', 'filer', '--password-stdin']), 2, 'without --login');
  fails(add(['--org', 'five', '--login', 'x1', '--role', 'filer', '--password-stdin']), 2, 'non-numeric --org');
  fails(add(['--org', String(entId), '--login', 'empty', '--role', 'filer', '--password-stdin'], ''), 2, 'nothing on stdin');
  fails(cli(['user']), 2, 'user without a subcommand');
  fails(cli(['user', 'frob']), 2, 'unknown user subcommand');
  assert.deepEqual(userList(), before, 'no user was added');
});

test('user passwd, then the new password works over HTTP and the old sessions end', async () => {
  server = await Server.start({ data, logins: { 'zhang.san': { role: 'filer', password: PW1 } } });
  servers.push(server);
  const first = await server.req('POST', '/api/v1/session', { body: { login: 'zhang.san', password: PW1 } });
  assert.equal(first.status, 201, first.text);
  assert.deepEqual([...first.body.user.roles].sort(), ['checker', 'filer']);
  assert.equal(first.body.user.org.id, entId);

  ok(cli(['user', 'passwd', '--data', data, '--login', 'zhang.san', '--password-stdin'], { input: `${PW2}\n` }), 'passwd');

  assert.equal((await server.req('GET', '/api/v1/me', { token: first.body.token })).status, 401, 'old session ended');
  const old = await server.req('POST', '/api/v1/session', { body: { login: 'zhang.san', password: PW1 } });
  assert.equal(old.status, 401);
  const now = await server.req('POST', '/api/v1/session', { body: { login: 'zhang.san', password: PW2 } });
  assert.equal(now.status, 201, now.text);
  const me = await server.req('GET', '/api/v1/me', { token: now.body.token });
  assert.equal(me.body.login, 'zhang.san');
  // the demo logins printed by init work as well
  const demo = await server.req('POST', '/api/v1/session', { body: { login: 'reviewer', password: demoLogins.reviewer.password } });
  assert.equal(demo.status, 201);

  // failures
  fails(cli(['user', 'passwd', '--data', data, '--login', 'nobody', '--password-stdin'], { input: `${PW2}\n` }), 1, 'unknown login');
  fails(cli(['user', 'passwd', '--data', data, '--login', 'zhang.san', '--password-stdin'], { input: 'short\n' }), 1, 'short password');
  fails(cli(['user', 'passwd', '--data', data, '--login', 'zhang.san'], { input: `${PW2}\n` }), 2, 'without --password-stdin');
  fails(cli(['user', 'passwd', '--data', data, '--password-stdin'], { input: `${PW2}\n` }), 2, 'without --login');
  // the refused short password did not replace the good one
  assert.equal((await server.req('POST', '/api/v1/session', { body: { login: 'zhang.san', password: PW2 } })).status, 201);
});

test('BEIAN_DATA works instead of --data', () => {
  const env = { BEIAN_DATA: data };
  const orgs = JSON.parse(ok(cli(['org', 'list', '--json'], { env }), 'org list via env').stdout);
  assert.deepEqual(orgs, orgList());
  const r = ok(cli(['org', 'add', '--kind', 'provider', '--name', '环境变量云', '--uscc', uscc('91110000MA0000004'),
    '--region', '110000'], { env }), 'org add via env');
  const id = Number(r.stdout);
  assert.ok(orgList().some((o) => o.id === id && o.kind === 'provider'));
  const u = ok(cli(['user', 'add', '--org', String(id), '--login', 'env.user', '--role', 'provider', '--password-stdin'],
    { env, input: `${PW1}\n` }), 'user add via env');
  assert.match(u.stdout, /^\d+\n$/);
  const users = JSON.parse(ok(cli(['user', 'list', '--json', '--org', String(id)], { env }), 'user list via env').stdout);
  assert.deepEqual(users.map((x) => [x.login, x.roles]), [['env.user', ['provider']]]);
  ok(cli(['user', 'passwd', '--login', 'env.user', '--password-stdin'], { env, input: `${PW2}\n` }), 'passwd via env');
  // --data wins over the environment
  const other = join(root, 'plain');
  const fromFlag = JSON.parse(ok(cli(['org', 'list', '--data', other, '--json'], { env }), 'flag wins').stdout);
  assert.equal(fromFlag.length, 1);
});

// ------------------------------------------------------------------------- help, version, unknown

test('every command and subcommand has --help (exit 0, usage on stdout)', () => {
  const cases = [
    [['--help']], [['-h']], [['help']],
    [['init', '--help']], [['serve', '--help']], [['version', '--help']],
    [['org', '--help']], [['org', 'add', '--help']], [['org', 'list', '--help']],
    [['user', '--help']], [['user', 'add', '--help']], [['user', 'list', '--help']], [['user', 'passwd', '--help']],
  ];
  for (const [args] of cases) {
    const r = cli(args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /usage:/i, args.join(' '));
    assert.equal(r.stderr, '', `${args.join(' ')} writes nothing on stderr`);
  }
  const top = cli(['--help']).stdout;
  for (const c of ['serve', 'init', 'org', 'user', 'version']) assert.match(top, new RegExp(`^\\s+${c}\\s`, 'm'));
  assert.match(cli(['user', '--help']).stdout, /--password-stdin/);
  assert.match(cli(['org', 'add', '--help']).stdout, /--jurisdiction/);
});

test('unknown command → exit 2; no command → exit 2', () => {
  let r = fails(cli(['frobnicate']), 2, 'unknown command');
  assert.match(r.stderr, /frobnicate/);
  assert.equal(r.stdout, '');
  r = fails(cli([]), 2, 'no command');
  assert.match(r.stderr, /usage:/);
  fails(cli(['serve', '--data', data, '--listen', 'nonsense']), 2, 'serve with a bad --listen');
  fails(cli(['serve', '--data', data, '--threads', '0', '--listen', '127.0.0.1:1']), 2, 'serve with --threads 0');
  fails(cli(['serve', '--listen', '127.0.0.1:1']), 2, 'serve without a data directory');
});

test('version prints the version and the SHA-256 block function in use', () => {
  for (const args of [['version'], ['--version']]) {
    const r = ok(cli(args), args[0]);
    assert.match(r.stdout, /^beian \d+\.\d+(\.\d+)?\S*\nsha256: (sha-ni|portable)\n$/);
  }
  fails(cli(['version', 'extra']), 2, 'version with an argument');
});
