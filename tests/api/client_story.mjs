// client_story.mjs — one filing from sign-in to public verification, driven by a client generated
// from docs/openapi.json (openapi-typescript types, openapi-fetch calls). client.test.mjs runs it
// against a live server and type-checks it (tsc --checkJs) against the generated types, so a path,
// a parameter or a body member the spec does not have fails the check.
import createClient from 'openapi-fetch';

/** @typedef {import('../../build/openapi-client/schema').paths} paths */
/** @typedef {import('../../build/openapi-client/schema').components['schemas']} schemas */

/**
 * @param {string} baseUrl   e.g. http://127.0.0.1:8080/api/v1
 * @param {Record<string, {password: string}>} logins
 * @param {any} reference the reference filing document of the pack
 * @param {import('openapi-fetch').Middleware} [check] sees every response (the spec check)
 */
export async function story(baseUrl, logins, reference, check) {
  /** @param {string} [token] */
  const client = (token) => {
    /** @type {import('openapi-fetch').Client<paths>} */
    const c = createClient({ baseUrl, headers: token ? { Authorization: `Bearer ${token}` } : {} });
    if (check) c.use(check);
    return c;
  };
  const anyone = client();
  /** @param {string} login */
  const signIn = async (login) => {
    const { data, error } = await anyone.POST('/session', { body: { login, password: logins[login].password } });
    if (!data) throw new Error(`sign-in ${login}: ${error?.detail_en}`);
    return client(data.token);
  };
  const filer = await signIn('filer');
  const checker = await signIn('checker');
  const provider = await signIn('provider');
  const reviewer = await signIn('reviewer');

  const sys = await filer.POST('/systems', { body: { name: '生成客户端的业务系统' } });
  if (!sys.data) throw new Error(`system: ${sys.error?.detail_en}`);
  const created = await filer.POST('/filings', { body: { system_id: sys.data.id } });
  if (!created.data) throw new Error(`filing: ${created.error?.detail_en}`);
  /** @type {schemas['Filing']} */
  let filing = created.data;
  const id = filing.id;

  const saved = await filer.PUT('/filings/{id}/document', {
    params: { path: { id }, header: { 'If-Match': filing.etag } },
    body: { ...reference, system: { ...reference.system, name: sys.data.name } },
  });
  if (!saved.data) throw new Error(`save: ${saved.error?.detail_en}`);
  const errors = saved.data.findings.filter((f) => f.severity === 'error');
  if (errors.length) throw new Error(`the document has errors: ${errors.map((f) => f.rule).join(', ')}`);

  /** @type {Array<[ReturnType<typeof client>, schemas['Action']]>} */
  const steps = [[filer, 'submit_for_check'], [checker, 'approve_check'], [provider, 'confirm_hosting'],
    [reviewer, 'accept'], [reviewer, 'approve']];
  /** @type {string[]} */
  const states = [];
  for (const [who, action] of steps) {
    const r = await who.POST('/filings/{id}/actions/{action}', { params: { path: { id, action } }, body: {} });
    if (!r.data) throw new Error(`${action}: ${r.error?.detail_en}`);
    filing = r.data.filing;
    states.push(filing.state);
  }
  const got = await filer.GET('/filings/{id}', { params: { path: { id } } });
  if (!got.data?.number) throw new Error('no filing number');
  const pub = await anyone.GET('/public/filings/{number}', { params: { path: { number: got.data.number } } });
  if (!pub.data) throw new Error(`public verification: ${pub.error?.detail_en}`);
  return { states, number: got.data.number, public: pub.data };
}
