import { container, type StartedContainer } from '../docker/container.js';

/**
 * How a home router translates its LAN:
 * - `port-restricted`: plain MASQUERADE. Endpoint-independent mapping (the LAN source port is kept
 *   while free), address-and-port-dependent filtering (conntrack lets in only replies from the exact
 *   remote address and port a LAN host sent to).
 * - `symmetric`: MASQUERADE fully-random: every new flow (a new destination) gets its own random
 *   public port, so the mapping depends on the destination; filtering as above.
 * A host with no NAT at all is a host directly on `internet` (Topology.addPublicHost).
 */
export type NatPreset = 'port-restricted' | 'symmetric';

export const NAT_PRESETS: readonly NatPreset[] = ['port-restricted', 'symmetric'];

export interface PortForward {
  proto?: 'tcp' | 'udp';
  /** The port on the router's public address. */
  publicPort: number;
  /** The LAN host (address or anything with `address`). */
  to: string | { address: string };
  /** Its port; defaults to publicPort. */
  port?: number;
}

export interface Router {
  readonly container: StartedContainer;
  /** The LAN it serves. */
  readonly lan: string;
  /** Its address on `internet`: what every remote host sees as the LAN's source address. */
  readonly publicAddress: string;
  /** The LAN's gateway address, which the router holds (LAN hosts' default route). */
  readonly lanAddress: string;
  /** Its interface names (eth0/eth1 order is Docker's, not the attach order). */
  readonly wanInterface: string;
  readonly lanInterface: string;
  readonly nat: NatPreset;
  readonly hairpin: boolean;
  /** Changes the NAT preset in place (existing conntrack entries keep their mapping; see flushConntrack). */
  setNat(nat: NatPreset): Promise<void>;
  /** Hairpin (NAT loopback): LAN hosts reaching a port forward through the router's public address. */
  setHairpin(on: boolean): Promise<void>;
  forwardPort(forward: PortForward): Promise<void>;
  removeForward(proto: 'tcp' | 'udp', publicPort: number): Promise<void>;
  /** `conntrack -L` (the NAT table in force), for diagnostics and tests. */
  conntrack(): Promise<string>;
  flushConntrack(): Promise<void>;
  /** The router's settings and nftables table, as text. */
  show(): Promise<string>;
}

export interface StartRouterOptions {
  name: string;
  image: string;
  labels: Record<string, string>;
  lan: string;
  internet: { network: string; address: string; gateway: string };
  lanNetwork: { network: string; subnet: string; gateway: string; address: string };
  nat: NatPreset;
  hairpin: boolean;
}

/** Starts a router container on `internet` and the LAN, waits until its ruleset is in force. */
export async function startRouter(o: StartRouterOptions): Promise<Router> {
  if (!NAT_PRESETS.includes(o.nat))
    throw new Error(`unknown NAT preset "${o.nat}" (${NAT_PRESETS.join(', ')})`);
  const started = await container(o.image)
    .named(o.name)
    .withHostname(`router-${o.lan}`)
    .withLabels(o.labels)
    .withNetwork(o.internet.network, { ip: o.internet.address })
    .withNetwork(o.lanNetwork.network, { ip: o.lanNetwork.address })
    .withCapabilities('NET_ADMIN', 'NET_RAW')
    .withSysctls({
      'net.ipv4.ip_forward': '1',
      'net.ipv4.conf.all.send_redirects': '0',
      'net.ipv4.conf.default.send_redirects': '0',
    })
    .withEnv({
      ROUTER_WAN_ADDR: o.internet.address,
      ROUTER_WAN_GATEWAY: o.internet.gateway,
      ROUTER_LAN_ADDR: o.lanNetwork.address,
      ROUTER_LAN_SUBNET: o.lanNetwork.subnet,
      ROUTER_LAN_GATEWAY: o.lanNetwork.gateway,
      ROUTER_NAT: o.nat,
      ROUTER_HAIRPIN: o.hairpin ? 'on' : 'off',
    })
    .withInit()
    .withCommand(['oneclick-router', 'run'])
    .start();
  try {
    await started.waitHealthy(60_000);
  } catch (error) {
    const logs = await started.logs(40).catch(() => '');
    throw new Error(`router ${o.name} did not come up: ${(error as Error).message}\n${logs}`);
  }
  const settings = parseEnv(await started.run(['cat', '/run/oneclick/router.env']));
  const state = { nat: o.nat, hairpin: o.hairpin };
  const cli = (...args: string[]) => started.run(['oneclick-router', ...args]);
  return {
    container: started,
    lan: o.lan,
    publicAddress: o.internet.address,
    lanAddress: o.lanNetwork.gateway,
    wanInterface: settings.ROUTER_WAN_IF ?? '?',
    lanInterface: settings.ROUTER_LAN_IF ?? '?',
    get nat() {
      return state.nat;
    },
    get hairpin() {
      return state.hairpin;
    },
    async setNat(nat) {
      if (!NAT_PRESETS.includes(nat))
        throw new Error(`unknown NAT preset "${nat}" (${NAT_PRESETS.join(', ')})`);
      await cli('set', `ROUTER_NAT=${nat}`);
      state.nat = nat;
    },
    async setHairpin(on) {
      await cli('set', `ROUTER_HAIRPIN=${on ? 'on' : 'off'}`);
      state.hairpin = on;
    },
    async forwardPort(f) {
      const to = typeof f.to === 'string' ? f.to : f.to.address;
      await cli('forward', 'add', f.proto ?? 'tcp', String(f.publicPort), to, String(f.port ?? f.publicPort));
    },
    async removeForward(proto, publicPort) {
      await cli('forward', 'del', proto, String(publicPort));
    },
    conntrack: async () => {
      const r = await started.exec(['conntrack', '-L']);
      return r.stdout;
    },
    flushConntrack: async () => {
      await started.exec(['conntrack', '-F']);
    },
    show: () => cli('show'),
  };
}

function parseEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+)='(.*)'$/.exec(line.trim());
    if (m?.[1]) out[m[1]] = m[2] ?? '';
  }
  return out;
}
