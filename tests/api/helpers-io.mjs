// helpers-io.mjs — extra helpers for badinput/auth/visibility/cli tests (not a test file itself):
// raw HTTP over node:net for what fetch cannot express, a USCC generator, small assertions.
import assert from 'node:assert/strict';
import net from 'node:net';

// Send `chunks` (strings or Buffers) on a fresh connection, `delay` ms apart; collect the reply
// until the server closes the connection or `timeout` ms pass (then we close it).
// Returns {raw (Buffer), status, headers (lower-case names), body (Buffer), json, closedByServer}.
export function rawRequest(port, chunks, { delay = 0, end = true, timeout = 5000 } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let closedByServer = true;
    let error = null;
    sock.on('data', (d) => { data = Buffer.concat([data, d]); });
    sock.on('error', (e) => { error = e; });
    sock.setTimeout(timeout, () => { closedByServer = false; sock.destroy(); });
    sock.on('close', () => resolve({ ...parseResponse(data), closedByServer, error: error && error.code }));
    sock.on('connect', async () => {
      for (const c of chunks) {
        if (sock.destroyed) break;
        // A server that already answered may close while we still send: that is allowed.
        sock.write(c, () => {});
        if (delay) await new Promise((r) => setTimeout(r, delay));
      }
      if (end && !sock.destroyed) sock.end();
    });
  });
}

// Parse the first HTTP/1.1 response in buf (Content-Length bodies only, which is what beian sends).
export function parseResponse(buf) {
  const sep = buf.indexOf('\r\n\r\n');
  if (sep < 0) return { raw: buf, status: 0, headers: {}, body: Buffer.alloc(0), json: undefined };
  const head = buf.subarray(0, sep).toString('latin1').split('\r\n');
  const status = Number(head[0].split(' ')[1]);
  const headers = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const len = headers['content-length'] !== undefined ? Number(headers['content-length']) : buf.length - sep - 4;
  const body = buf.subarray(sep + 4, sep + 4 + len);
  let json;
  try { json = JSON.parse(body.toString('utf8')); } catch { json = undefined; }
  return { raw: buf, status, headers, body, json };
}

// Request head for rawRequest.
export function head(method, path, headers) {
  let s = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`;
  for (const [k, v] of Object.entries(headers)) s += `${k}: ${v}\r\n`;
  return s + '\r\n';
}

// A valid USCC (GB 32100-2015) from its first 17 characters.
const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
export function usccCheckChar(first17) {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_CHARSET.indexOf(first17[i]);
    if (v < 0) throw new Error(`bad USCC character ${first17[i]}`);
    sum += v * USCC_WEIGHTS[i];
  }
  const c = 31 - (sum % 31);
  return USCC_CHARSET[c === 31 ? 0 : c];
}
export function uscc(first17) { return first17 + usccCheckChar(first17); }

// An RFC 9457 problem document as beian sends it.
export function assertProblem(r, status, code) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
  const ct = r.headers.get ? r.headers.get('content-type') : r.headers['content-type'];
  assert.match(ct || '', /^application\/problem\+json/, `content type of a ${status}`);
  const body = r.body ?? r.json;
  assert.ok(body && typeof body === 'object', `problem body is JSON: ${r.text}`);
  assert.equal(body.status, status);
  if (code) assert.equal(body.code, code, `problem code: ${JSON.stringify(body)}`);
  assert.equal(typeof body.title, 'string');
  assert.equal(typeof body.detail, 'string');
  return body;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
