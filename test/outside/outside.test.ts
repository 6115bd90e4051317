/**
 * The outside view's pure parts and its HTTP/TCP probes against real local servers: what a
 * publication is made of, Host routing, and what counts as "nothing answered".
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fqdnOf,
  httpAnswer,
  httpGet,
  labelOf,
  nodeInfo,
  parseTxt,
  publishedOf,
  repoHead,
  servesRepo,
  browseNameOf,
  instanceNameOf,
  tcpOpen,
} from '../../harness/outside/index.js';

const ORG = '0x00000000000000000000000000000000000A11CE';
const NID = 'z6MkrLMMsiPWUcNPHcRaJN7kVVf8TW3nsrcDdCzSm7kd9a1Z';

describe('names', () => {
  it("derive the label, the name, the DNS-SD instance and the browse name from the org (Radicle's service type)", () => {
    expect(labelOf(ORG)).toBe('00000000000000000000000000000000000a11ce');
    expect(fqdnOf(ORG, 'org.test')).toBe('00000000000000000000000000000000000a11ce.org.test');
    expect(instanceNameOf('x.org.test')).toBe('x._radicle-node._tcp.org.test');
    expect(browseNameOf('org.test')).toBe('_radicle-node._tcp.org.test');
  });
});

describe('TXT and publications', () => {
  it('reads one key=value per string (RFC 6763 §6), keys in any case, the first of a key, no numeric expiry ignored', () => {
    expect(parseTxt(['expiry=42', `NID=${NID}`, 'nid=other'])).toEqual({
      raw: `"expiry=42" "NID=${NID}" "nid=other"`,
      nid: NID,
      expiry: 42n,
    });
    expect(parseTxt([`nid=${NID}`, 'expiry=soon', 'flag'])).toMatchObject({ nid: NID });
    expect(parseTxt([`nid=${NID}`, 'expiry=soon'])).not.toHaveProperty('expiry');
    // One string with a separator inside is one pair: the NID is not what it seems (a v1 TXT).
    expect(parseTxt([`nid=${NID} expiry=42`])).toEqual({
      raw: `"nid=${NID} expiry=42"`,
      nid: `${NID} expiry=42`,
    });
  });

  it('is complete only with an A, the browse PTR, an SRV and a TXT nid', () => {
    const records = {
      a: ['10.0.0.5'],
      ptr: ['x._radicle-node._tcp.org.test'],
      srv: [{ target: 'x.org.test', port: 30001 }],
      txt: [parseTxt([`nid=${NID}`, 'expiry=9'])],
    };
    expect(publishedOf('x.org.test', records)).toEqual({
      name: 'x.org.test',
      nid: NID,
      address: '10.0.0.5',
      port: 30001,
      target: 'x.org.test',
      expiry: 9n,
    });
    expect(publishedOf('x.org.test', { ...records, a: [] })).toBeUndefined();
    expect(publishedOf('x.org.test', { ...records, srv: [] })).toBeUndefined();
    expect(publishedOf('x.org.test', { ...records, ptr: [] })).toBeUndefined();
    expect(publishedOf('x.org.test', { ...records, txt: [parseTxt(['expiry=9'])] })).toBeUndefined();
  });
});

describe('HTTP by Host', () => {
  // Port 80, as SPEC.md §4 says, on a loopback address of its own (any of 127/8 is this host).
  const address = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.7`;
  let server: Server;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.headers.host !== 'x.org.test') return res.writeHead(404).end('unknown host');
      if (req.url === '/api/v1/node') {
        return res.end(JSON.stringify({ id: NID, supervisor: { startedAt: 'then', restarts: 2 } }));
      }
      if (req.url === '/api/v1/repos/rad:z1') {
        return res.end(JSON.stringify({ payloads: { 'xyz.radicle.project': { meta: { head: 'abc' } } } }));
      }
      if (req.url === '/api/v1/repos/rad:z2') return res.end('{}');
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(80, address, resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('routes by the Host header', async () => {
    expect((await httpGet(address, '/api/v1/node', { host: 'x.org.test' })).status).toBe(200);
    expect(await httpGet(address, '/api/v1/node', { host: 'y.org.test' })).toEqual({
      status: 404,
      body: 'unknown host',
    });
  });

  it('rejects when nothing answers; httpAnswer says status 0 instead (an observation)', async () => {
    const closed = await freePort();
    await expect(httpGet('127.0.0.1', '/', { port: closed })).rejects.toThrow(/ECONNREFUSED/);
    expect(await httpAnswer('127.0.0.1', '/', { port: closed })).toMatchObject({ status: 0 });
  });

  it('reads the node, the repositories it serves and their heads', async () => {
    expect(await nodeInfo(address, 'x.org.test')).toEqual({
      status: 200,
      nid: NID,
      startedAt: 'then',
      restarts: 2,
    });
    expect(await nodeInfo(address, 'y.org.test')).toEqual({ status: 404 });
    expect(await servesRepo(address, 'x.org.test', 'rad:z1')).toBe(true);
    expect(await servesRepo(address, 'x.org.test', 'rad:z9')).toBe(false);
    expect(await repoHead(address, 'x.org.test', 'rad:z1')).toBe('abc');
    expect(await repoHead(address, 'x.org.test', 'rad:z2')).toBe('');
    expect(await repoHead(address, 'x.org.test', 'rad:z9')).toBeUndefined();
  });
});

describe('TCP', () => {
  it('tells an accepting port from a closed one', async () => {
    const server = createTcpServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const open = (server.address() as AddressInfo).port;
    expect(await tcpOpen('127.0.0.1', open)).toBe(true);
    server.close();
    expect(await tcpOpen('127.0.0.1', await freePort())).toBe(false);
  });
});

async function freePort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
