/** The harness's own radicle peers in a world: on `internet` or in a LAN behind its NAT router. */
import type { Host, HostOptions, Topology } from '../net/topology.js';
import { orgNodeEnv, waitReady } from '../peers/index.js';

export interface PeerSpec {
  /** Container name suffix (`<run>-<name>`). */
  name: string;
  /** Its radicle alias; default `name`. */
  alias?: string;
  /** The LAN it sits in; absent: on `internet`. */
  lan?: string;
  /** Seeds its key: the same seed, the same NID. */
  keygenSeed?: string;
}

export interface WorldPeer {
  spec: PeerSpec;
  host: Host;
  nid: string;
}

/** Starts every peer side by side and waits until each node answers; in the order given. */
export function startPeers(
  topology: Topology,
  image: string,
  specs: readonly PeerSpec[],
  readyTimeoutMs?: number,
): Promise<WorldPeer[]> {
  return Promise.all(
    specs.map(async (spec) => {
      const env = orgNodeEnv({
        alias: spec.alias ?? spec.name,
        ...(spec.keygenSeed !== undefined && { keygenSeed: spec.keygenSeed }),
      });
      const options: HostOptions = { name: spec.name, configure: (b) => void b.withEnv(env) };
      const host = spec.lan
        ? await topology.addHost(spec.lan, image, options)
        : await topology.addPublicHost(image, options);
      return { spec, host, nid: await waitReady(host, readyTimeoutMs) };
    }),
  );
}
