// names.test.mjs — names people read refuse the characters that make them show as something else
// (issue 12): bidirectional controls, zero-width and invisible characters, C0/C1 controls, line and
// paragraph separators, and names that are blank only. One validator (service/input.c) behind every
// entry point: organisation names (API and `beian org add`), user names, system names, material
// titles and filenames; each answers 422 naming the field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, cli } from './lib.mjs';
import { assertProblem, uscc } from './helpers-io.mjs';
import { API, DEMO } from './story.mjs';

let s;

// One of each kind the issue names, plus blank-only names.
const BAD = {
  'RLO U+202E': 'invoice\u202Efdp.exe',
  'LRE U+202A': '\u202A某某公司',
  'RLE U+202B': '某\u202B某公司',
  'PDF U+202C': '某某\u202C公司',
  'LRO U+202D': '\u202D某某公司',
  'LRI U+2066': '\u2066某某公司\u2069',
  'RLI U+2067': '\u2067某某公司',
  'FSI U+2068': '\u2068某某公司',
  'PDI U+2069': '某某公司\u2069',
  'LRM U+200E': '某某\u200E公司',
  'RLM U+200F': '某某\u200F公司',
  'ALM U+061C': '某某\u061C公司',
  'ZWSP U+200B': '某某\u200B公司',
  'ZWNJ U+200C': '某某\u200C公司',
  'ZWJ U+200D': '某某\u200D公司',
  'WJ U+2060': '某某\u2060公司',
  'BOM U+FEFF': '\uFEFF某某公司',
  'NUL-free C0 U+0007': '某某\u0007公司',
  'C0 tab': '某某\t公司',
  'C0 newline': '某某\n公司',
  'DEL U+007F': '某某\u007F公司',
  'C1 U+0085': '某某\u0085公司',
  'C1 U+009B': '某某\u009B公司',
  'LS U+2028': '某某\u2028公司',
  'PS U+2029': '某某\u2029公司',
  'blank spaces': '   ',
  'blank ideographic space': '\u3000\u3000',
  'blank no-break space': '\u00A0',
};
// Names that must stay acceptable.
const GOOD = ['北京示例科技有限公司', "O'Brien & Co. (Beijing) Ltd.", 'شركة مثال', 'Société Générale 中国', 'A B'];

before(async () => {
  s = await Server.start();
  for (const login of ['admin', 'filer', 'entadmin']) await s.login(login);
});
after(async () => { await s?.stop(); });

let usccN = 100;
const nextUscc = () => uscc(`91110108MA${String(++usccN).padStart(7, '0')}`);

test('organisation names: every invisible or bidirectional character and blank names are 422 at /name; ordinary names pass', async () => {
  for (const [what, name] of Object.entries(BAD)) {
    const r = await s.req('POST', `${API}/orgs`, { token: s.tokens.admin, body: { kind: 'enterprise', name, uscc: nextUscc(), region: '110108' } });
    const p = assertProblem(r, 422, 'validation_failed');
    assert.equal(p.field, '/name', what);
  }
  for (const name of GOOD) {
    const r = await s.req('POST', `${API}/orgs`, { token: s.tokens.admin, body: { kind: 'enterprise', name, uscc: nextUscc(), region: '110108' } });
    assert.equal(r.status, 201, `${name}: ${r.text}`);
  }
  const p = assertProblem(await s.req('POST', `${API}/orgs`, {
    token: s.tokens.admin, body: { kind: 'enterprise', name: 'a\u202Eb', uscc: nextUscc(), region: '110108' },
  }), 422);
  assert.match(p.detail_en, /\/name contains U\+202E/);
});

test('user names: 422 at /name', async () => {
  let n = 0;
  for (const [what, name] of Object.entries(BAD)) {
    const r = await s.req('POST', `${API}/users`, {
      token: s.tokens.entadmin, body: { org_id: DEMO.enterprise, login: `u${++n}`, name, roles: ['filer'], password: 'Long-enough-pw-9!' },
    });
    assert.equal(assertProblem(r, 422, 'validation_failed').field, '/name', what);
  }
  const r = await s.req('POST', `${API}/users`, {
    token: s.tokens.entadmin, body: { org_id: DEMO.enterprise, login: 'goodname', name: '张三', roles: ['filer'], password: 'Long-enough-pw-9!' },
  });
  assert.equal(r.status, 201, r.text);
});

test('system names: 422 at /name', async () => {
  for (const [what, name] of Object.entries(BAD)) {
    const r = await s.req('POST', `${API}/systems`, { token: s.tokens.filer, body: { name } });
    assert.equal(assertProblem(r, 422, 'validation_failed').field, '/name', what);
  }
  assert.equal((await s.req('POST', `${API}/systems`, { token: s.tokens.filer, body: { name: '网上营业厅' } })).status, 201);
});

test('material titles and filenames: 422 at title and filename', async () => {
  const pdf = Buffer.from('%PDF-1.7\n% names\n%%EOF\n');
  const up = (title, filename) => {
    const q = new URLSearchParams({ kind: 'architecture_diagram', title, filename });
    return s.req('POST', `${API}/materials?${q}`, { token: s.tokens.filer, raw: pdf, contentType: 'application/pdf' });
  };
  for (const [what, name] of Object.entries(BAD)) {
    assert.equal(assertProblem(await up(name, 'a.pdf'), 422, 'validation_failed').field, 'title', `title ${what}`);
    const filename = what.startsWith('blank') ? name : `${name}.pdf`;   // "   .pdf" names a file
    assert.equal(assertProblem(await up('架构图', filename), 422, 'validation_failed').field, 'filename', `filename ${what}`);
  }
  assert.equal((await up('架构图 v2', '架构图 v2.pdf')).status, 201);
});

test('`beian org add` refuses the same names (exit 1, the field named) and nothing is added', () => {
  const list = () => JSON.parse(cli(['org', 'list', '--data', s.data, '--json']).stdout);
  const before = list().length;
  for (const [what, name] of Object.entries(BAD)) {
    const r = cli(['org', 'add', '--data', s.data, '--kind', 'enterprise', '--name', name, '--uscc', nextUscc(), '--region', '110108']);
    assert.equal(r.status, 1, `${what}: ${r.status} ${r.stdout} ${r.stderr}`);
    assert.match(r.stderr, /\/name/, what);
  }
  assert.equal(list().length, before);
  const ok = cli(['org', 'add', '--data', s.data, '--kind', 'enterprise', '--name', '命令行示例公司', '--uscc', nextUscc(), '--region', '110108']);
  assert.equal(ok.status, 0, ok.stderr);
});

test('`beian user add --name` refuses them too', () => {
  for (const [what, name] of Object.entries(BAD)) {
    const r = cli(['user', 'add', '--data', s.data, '--org', String(DEMO.enterprise), '--login', 'cli.names', '--name', name,
      '--role', 'filer', '--password-stdin'], { input: 'Long-enough-pw-9!\n' });
    assert.equal(r.status, 1, `${what}: ${r.status} ${r.stdout} ${r.stderr}`);
    assert.match(r.stderr, /\/name/, what);
  }
});
