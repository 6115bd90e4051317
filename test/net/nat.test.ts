import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRun, type Run } from '../../harness/docker/index.js';
import { startTopology, type Host, type Topology } from '../../harness/net/index.js';
import {
  background,
  canConnect,
  idle,
  leftovers,
  startEchoServers,
  tcpSeenAs,
  udpSeenAs,
  udpSend,
  waitFor,
} from './probes.js';

// One topology for the file: a port-restricted home LAN with two peers, a symmetric-NAT LAN with
// one, and three public hosts (no NAT) running echo servers that report the source they saw.
let run: Run;
let topo: Topology;
let peer: Host; // home (port-restricted)
let neighbour: Host; // home, same LAN as peer
let symPeer: Host; // sym (symmetric)
let pub1: Host;
let pub2: Host;
let stranger: Host; // public, NET_ADMIN so it can try routing into a LAN

beforeAll(async () => {
  run = startRun('nettest');
  topo = await startTopology(run, {
    lans: [
      { name: 'home', nat: 'port-restricted' },
      { name: 'sym', nat: 'symmetric' },
    ],
    cluster: false,
  });
  const image = topo.images.router;
  [peer, neighbour, symPeer, pub1, pub2, stranger] = await Promise.all([
    topo.addHost('home', image, { name: 'peer', configure: idle }),
    topo.addHost('home', image, { name: 'neighbour', configure: idle }),
    topo.addHost('sym', image, { name: 'sym-peer', configure: idle }),
    topo.addPublicHost(image, { name: 'pub1', configure: idle }),
    topo.addPublicHost(image, { name: 'pub2', configure: idle }),
    topo.addPublicHost(image, {
      name: 'stranger',
      configure: (b) => idle(b.withCapabilities('NET_ADMIN')),
    }),
  ]);
  await Promise.all([startEchoServers(pub1), startEchoServers(pub2)]);
});

// On a failure, print what the routers' NAT tables and the public hosts' sockets looked like.
beforeEach(({ onTestFailed }) => {
  onTestFailed(async () => {
    for (const lan of topo?.lans ?? []) {
      console.error(`--- conntrack of router ${lan.name}:\n${await lan.router.conntrack().catch(String)}`);
    }
    for (const h of [pub1, pub2].filter(Boolean)) {
      const log = await h.exec(['tail', '-n', '30', '/tmp/netprobe.log']).then((r) => r.stdout, String);
      console.error(`--- what the echo servers on ${h.name} saw last:\n${log}`);
    }
  });
});

afterAll(async () => {
  if (!run) return;
  await run.dispose();
  expect(await leftovers(run.id)).toEqual([]);
});

describe('topology', () => {
  it('puts LAN hosts behind their router and public hosts on TEST-NET addresses', () => {
    const home = topo.lan('home');
    expect(peer.address.startsWith(home.network.subnet.split('.').slice(0, 3).join('.'))).toBe(true);
    expect(peer.publicAddress).toBe(home.router.publicAddress);
    expect(home.network.gateway).toBe(home.router.lanAddress);
    expect(pub1.address).toMatch(/^(198\.51\.100|203\.0\.113)\./);
    expect(topo.dns.address).toMatch(/^(198\.51\.100|203\.0\.113)\.\d+$/);
    expect(peer.resolver).toBe(topo.dns.address);
  });

  it("routes a LAN host via its router, which holds the LAN's gateway address, and uses the topology DNS", async () => {
    const router = topo.lan('home').router;
    const routes = await peer.run(['ip', '-4', 'route']);
    expect(routes).toContain(`default via ${router.lanAddress}`);
    const held = await router.container.run(['ip', '-4', '-o', 'addr', 'show', 'dev', router.lanInterface]);
    expect(held).toContain(`inet ${router.lanAddress}/`);
    const resolv = await peer.run(['cat', '/etc/resolv.conf']);
    expect(resolv).toContain(`nameserver ${topo.dns.address}`);
  });
});

// Probe source ports sit below the kernel's ephemeral range (32768-60999), where Docker's embedded DNS
// and other sockets in the container may already hold a port.
describe('port-restricted NAT', () => {
  it('lets a peer reach a public host over TCP, which sees the router public address as the source', async () => {
    const seen = await tcpSeenAs(peer, pub1.address, 8080);
    expect(seen?.address).toBe(topo.lan('home').router.publicAddress);
  });

  it('keeps the source port, and one public port for every destination (endpoint-independent mapping)', async () => {
    const a = await udpSeenAs(peer, pub1.address, 9000, 24000);
    const b = await udpSeenAs(peer, pub2.address, 9000, 24000);
    expect(a).toEqual({ address: topo.lan('home').router.publicAddress, port: 24000 });
    expect(b).toEqual(a);
    const ta = await tcpSeenAs(peer, pub1.address, 8080, 25000);
    const tb = await tcpSeenAs(peer, pub2.address, 8080, 25000);
    expect(ta).toEqual({ address: topo.lan('home').router.publicAddress, port: 25000 });
    expect(tb).toEqual(ta);
  });

  it('stops a public host from opening a connection to a peer: not via its LAN address, nor the router port', async () => {
    await background(peer, 'socat TCP-LISTEN:7000,fork,reuseaddr SYSTEM:"echo peer"');
    await waitFor(async () => canConnect(neighbour, peer.address, 7000), 'the peer listener (from its LAN)');
    const router = topo.lan('home').router;
    // The LAN address is not routed on the internet...
    expect(await canConnect(pub1, peer.address, 7000)).toBe(false);
    // ...and even a host that routes the LAN via the router's public address is dropped by it.
    await stranger.run([
      'ip',
      'route',
      'replace',
      topo.lan('home').network.subnet,
      'via',
      router.publicAddress,
    ]);
    expect(await canConnect(stranger, peer.address, 7000)).toBe(false);
    expect(await canConnect(pub1, router.publicAddress, 7000)).toBe(false);
    // A mapping the peer opened (to pub1:8080, from its port 7001) lets nobody open a new connection.
    const seen = await tcpSeenAs(peer, pub1.address, 8080, 7001);
    expect(seen?.port).toBe(7001);
    await background(peer, 'socat TCP-LISTEN:7001,fork,reuseaddr SYSTEM:"echo peer"');
    expect(await canConnect(pub1, router.publicAddress, 7001)).toBe(false);
    expect(await canConnect(pub2, router.publicAddress, 7001)).toBe(false);
  });

  it('filters inbound UDP by remote address and port: only the host:port the peer sent to gets through', async () => {
    const router = topo.lan('home').router;
    // Capture what reaches the router's public port 23000 and what reaches the peer's port 23000,
    // then open a mapping to pub1:9000 from the peer's port 23000.
    const capture = async (c: Host | typeof router.container, iface: string) => {
      await background(
        c,
        `tcpdump -p -n -l -i ${iface} 'udp and dst port 23000' > /tmp/cap.txt 2> /tmp/cap.err`,
      );
      await waitFor(
        async () => (await c.exec(['grep', '-q', 'listening', '/tmp/cap.err'])).exitCode === 0,
        'tcpdump',
      );
    };
    await capture(router.container, router.wanInterface);
    await capture(peer, 'any');
    expect(await udpSeenAs(peer, pub1.address, 9000, 23000)).toEqual({
      address: router.publicAddress,
      port: 23000,
    });
    const lines = async (c: Host | typeof router.container) =>
      (await c.run(['cat', '/tmp/cap.txt'])).trim().split('\n').filter(Boolean);
    const captured = () => lines(peer);
    // pub1's echo server answers from 9000: that answer arrives.
    await waitFor(async () => (await captured()).length >= 1, 'the echo reply from pub1:9000');
    const answers = (await captured()).length;
    expect((await captured())[0]).toContain(`${pub1.address}.9000 > ${peer.address}.23000`);
    // The same public address from another port, and another public host, are dropped.
    await udpSend(pub1, router.publicAddress, 23000, 9001, 'other port');
    await udpSend(stranger, router.publicAddress, 23000, 9000, 'other host');
    // Both reached the router's public address (so they were sent), neither reached the peer.
    await waitFor(
      async () => (await lines(router.container)).length >= answers + 2,
      'the probes at the router',
    );
    const atRouter = await lines(router.container);
    expect(atRouter.some((l) => l.includes(`${pub1.address}.9001 >`))).toBe(true);
    expect(atRouter.some((l) => l.includes(`${stranger.address}.9000 >`))).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    const atPeer = await captured();
    expect(atPeer.every((l) => l.includes(`${pub1.address}.9000 > ${peer.address}.23000`))).toBe(true);
  });
});

describe('symmetric NAT', () => {
  it('lets a peer reach a public host, seen from the router public address', async () => {
    const seen = await tcpSeenAs(symPeer, pub1.address, 8080);
    expect(seen?.address).toBe(topo.lan('sym').router.publicAddress);
  });

  it('gives every destination its own public source port (UDP and TCP)', async () => {
    const a = await udpSeenAs(symPeer, pub1.address, 9000, 24000);
    const b = await udpSeenAs(symPeer, pub2.address, 9000, 24000);
    expect(a?.address).toBe(topo.lan('sym').router.publicAddress);
    expect(b?.address).toBe(topo.lan('sym').router.publicAddress);
    expect(a?.port).not.toBe(b?.port);
    expect([a?.port, b?.port]).not.toContain(24000);
    const ta = await tcpSeenAs(symPeer, pub1.address, 8080, 25000);
    const tb = await tcpSeenAs(symPeer, pub2.address, 8080, 25000);
    expect(ta?.address).toBe(topo.lan('sym').router.publicAddress);
    expect(ta?.port).not.toBe(tb?.port);
  });

  it('can be switched at run time: the home router made symmetric changes ports per destination', async () => {
    const router = topo.lan('home').router;
    await router.setNat('symmetric');
    try {
      const a = await udpSeenAs(peer, pub1.address, 9000, 44000);
      const b = await udpSeenAs(peer, pub2.address, 9000, 44000);
      expect(a?.port).not.toBe(b?.port);
    } finally {
      await router.setNat('port-restricted');
    }
    const c = await udpSeenAs(peer, pub1.address, 9000, 44001);
    expect(c?.port).toBe(44001);
  });
});

describe('public hosts (no NAT)', () => {
  it('are seen with their own address and port, and accept inbound connections', async () => {
    const seen = await tcpSeenAs(pub2, pub1.address, 8080, 45000);
    expect(seen).toEqual({ address: pub2.address, port: 45000 });
    expect(await canConnect(pub1, pub2.address, 8080)).toBe(true);
    expect(pub2.publicAddress).toBe(pub2.address);
  });
});

describe('port forwards and hairpin', () => {
  it('forwards a public port to a LAN host; LAN hosts reach it via the public address only with hairpin on', async () => {
    const router = topo.lan('home').router;
    await background(
      peer,
      'socat TCP-LISTEN:7100,fork,reuseaddr SYSTEM:"echo \\$SOCAT_PEERADDR \\$SOCAT_PEERPORT"',
    );
    await waitFor(async () => canConnect(neighbour, peer.address, 7100), 'the forwarded service');
    expect(await canConnect(pub1, router.publicAddress, 8100)).toBe(false);
    await router.forwardPort({ publicPort: 8100, to: peer, port: 7100 });
    // From the internet the forward works and the peer sees the real client address.
    expect(await tcpSeenAs(pub1, router.publicAddress, 8100)).toMatchObject({ address: pub1.address });
    // Hairpin off: a LAN neighbour cannot use the public address.
    expect(router.hairpin).toBe(false);
    expect(await canConnect(neighbour, router.publicAddress, 8100)).toBe(false);
    // Hairpin on: it can, and the peer sees the router (NAT loopback), so replies go back through it.
    await router.setHairpin(true);
    const seen = await tcpSeenAs(neighbour, router.publicAddress, 8100);
    expect(seen?.address).toMatch(/^10\./);
    expect(seen?.address).not.toBe(neighbour.address);
    await router.setHairpin(false);
    await router.removeForward('tcp', 8100);
    expect(await canConnect(pub1, router.publicAddress, 8100)).toBe(false);
  });
});

describe('restarts', () => {
  it('a restarted router comes back with its NAT preset, port forwards and LAN gateway; a restarted peer still resolves', async () => {
    const router = topo.lan('sym').router;
    await router.forwardPort({ publicPort: 8200, to: symPeer, port: 7200 });
    await router.container.restart(1);
    await router.container.waitHealthy(30_000);
    const settings = await router.show();
    expect(settings).toContain("ROUTER_NAT='symmetric'");
    expect(settings).toContain(`dnat to ${symPeer.address}:7200`);
    const a = await udpSeenAs(symPeer, pub1.address, 9000, 46000);
    const b = await udpSeenAs(symPeer, pub2.address, 9000, 46000);
    expect(a?.address).toBe(router.publicAddress);
    expect(a?.port).not.toBe(b?.port);
    // Docker rewrites resolv.conf on a restart (its embedded DNS, forwarding to the topology's server).
    await symPeer.restart(1);
    expect(await topo.resolve(symPeer, 'ns', 'A')).toEqual([topo.dns.address]);
    expect(await tcpSeenAs(symPeer, pub1.address, 8080)).toMatchObject({ address: router.publicAddress });
  });
});
