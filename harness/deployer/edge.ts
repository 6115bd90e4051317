/**
 * The edge: one container of the edge image on the public network and the cluster network. Each
 * org gets its own public p2p port, forwarded with iptables DNAT (and MASQUERADE toward the
 * cluster, so replies come back through the edge) to its org-node's 8776, and an nginx
 * `server_name <label>.<zone>` proxying to the org-node's 8080, reloaded with SIGHUP.
 *
 * `apply(routes)` is a full sync: the NAT chains and the nginx file are rewritten from the routes
 * given, atomically (iptables-restore, one file moved into place), and only when they changed.
 */
import type Docker from 'dockerode';
import {
  addressOn,
  inspectContainer,
  removeContainer,
  ROLE_LABEL,
  RUN_LABEL,
  runIn,
  startContainer,
  statusOf,
} from './docker.js';
import type { Logger } from './log.js';

export const P2P_PORT = 8776;
export const HTTP_PORT = 8080;
const DNAT_CHAIN = 'ONECLICK-DNAT';
const SNAT_CHAIN = 'ONECLICK-SNAT';
const NGINX_FILE = '/etc/nginx/conf.d/oneclick-orgs.conf';

export interface EdgeRoute {
  /** `<label>.<zone>` without the trailing dot. */
  host: string;
  /** The public p2p port. */
  port: number;
  /** The org-node's address on the cluster network. */
  address: string;
}

export interface EdgeOptions {
  docker: Docker;
  runId: string;
  image: string;
  publicNetwork: string;
  clusterNetwork: string;
  /** The URL paths routed to an org's node by its Host (default: all, `/`). */
  httpPaths?: readonly string[];
  /** The address an org's Host is proxied to (default: its own node's). */
  httpUpstream?: HttpUpstream;
  /** The address an org's public p2p port is forwarded to (default: its own node's). */
  p2pTarget?: P2pTarget;
  /** Which new connections to a p2p port are not forwarded (default: none). */
  p2pTurnedAway?: P2pTurnedAway;
  log: Logger;
}

export interface EdgeState {
  id: string;
  /** Its address on the public network: what the A records point at. */
  publicAddress: string;
}

export function edgeName(runId: string): string {
  return `oc-${runId}-edge`;
}

/** The address the edge forwards route `r`'s public p2p port to, given every route in the order written. */
export type P2pTarget = (r: EdgeRoute, routes: readonly EdgeRoute[]) => string;

export const ownP2pNode: P2pTarget = (r) => r.address;

/**
 * iptables match arguments: a new connection to a p2p port matching them is left to the edge
 * itself, which has nothing listening there and resets it. Empty: every connection is forwarded.
 */
export type P2pTurnedAway = string;

/** iptables-restore input (with --noflush: only our two chains are rewritten). */
export function natRules(
  routes: readonly EdgeRoute[],
  target: P2pTarget = ownP2pNode,
  turnedAway: P2pTurnedAway = '',
): string {
  const lines = ['*nat', `-F ${DNAT_CHAIN}`, `-F ${SNAT_CHAIN}`];
  const sorted = [...routes].sort((a, b) => a.port - b.port);
  for (const r of sorted) {
    const address = target(r, sorted);
    if (turnedAway) lines.push(`-A ${DNAT_CHAIN} -p tcp --dport ${r.port} ${turnedAway} -j RETURN`);
    lines.push(
      `-A ${DNAT_CHAIN} -p tcp --dport ${r.port} -j DNAT --to-destination ${address}:${P2P_PORT}`,
      `-A ${SNAT_CHAIN} -d ${address}/32 -p tcp --dport ${P2P_PORT} -j MASQUERADE`,
    );
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** The address the edge proxies route `r`'s Host to, given every route in the order written. */
export type HttpUpstream = (r: EdgeRoute, routes: readonly EdgeRoute[]) => string;

export const ownNode: HttpUpstream = (r) => r.address;

export function nginxConfig(
  routes: readonly EdgeRoute[],
  paths: readonly string[] = ['/'],
  upstream: HttpUpstream = ownNode,
): string {
  const sorted = [...routes].sort((a, b) => (a.host < b.host ? -1 : 1));
  const servers = sorted.map((r) =>
    [
      'server {',
      '  listen 80;',
      `  server_name ${r.host};`,
      ...paths.flatMap((path) => [
        `  location ${path} {`,
        `    proxy_pass http://${upstream(r, sorted)}:${HTTP_PORT};`,
        '    proxy_set_header Host $host;',
        '    proxy_set_header X-Forwarded-For $remote_addr;',
        '    proxy_connect_timeout 5s;',
        '  }',
      ]),
      '}',
    ].join('\n'),
  );
  return `# Written by the oneclick reference deployer: one server per org.\n${servers.join('\n')}\n`;
}

export function createEdge({
  docker,
  runId,
  image,
  publicNetwork,
  clusterNetwork,
  httpPaths,
  httpUpstream,
  p2pTarget,
  p2pTurnedAway,
  log,
}: EdgeOptions) {
  const name = edgeName(runId);
  let prepared: string | undefined;
  let applied: { id: string; nat: string; nginx: string } | undefined;

  async function create(): Promise<void> {
    try {
      await docker.createContainer({
        name,
        Image: image,
        Hostname: 'edge',
        Labels: { [RUN_LABEL]: runId, [ROLE_LABEL]: 'edge' },
        // The image's health check is an exec every 2 s, which nothing here reads (applies fail loudly).
        Healthcheck: { Test: ['NONE'] },
        HostConfig: {
          NetworkMode: publicNetwork,
          RestartPolicy: { Name: 'unless-stopped' },
          CapAdd: ['NET_ADMIN'],
          Sysctls: { 'net.ipv4.ip_forward': '1' },
        },
        NetworkingConfig: { EndpointsConfig: { [publicNetwork]: {} } },
      });
    } catch (error) {
      if (statusOf(error) === 404) {
        // Nothing is pulled: the edge image must be on the engine already.
        throw new Error(
          `no edge image ${JSON.stringify(image)} on this Docker engine: build it (npx oneclick images ` +
            'build edge, which also tags oneclick/edge:latest) or set DEPLOYER_EDGE_IMAGE to a local image',
        );
      }
      if (statusOf(error) !== 409) throw error; // 409: another pass (or a previous life) made it
    }
  }

  /** The edge, created, attached and started if needed; its NAT chains hooked in once per container. */
  async function ensure(): Promise<EdgeState> {
    let info = await inspectContainer(docker, name);
    if (!info) {
      await create();
      info = await inspectContainer(docker, name);
      if (!info) throw new Error(`edge container ${name} vanished after creation`);
      log.info('edge created', { name, image });
    }
    if (!addressOn(info, clusterNetwork)) {
      try {
        await docker.getNetwork(clusterNetwork).connect({ Container: info.Id });
      } catch (error) {
        // 403/409: already attached (a concurrent connect).
        if (statusOf(error) !== 403 && statusOf(error) !== 409) throw error;
      }
    }
    if (!info.State.Running) await startContainer(docker, info.Id);
    info = (await inspectContainer(docker, name)) ?? info;
    const publicAddress = addressOn(info, publicNetwork);
    if (!publicAddress) throw new Error(`edge ${name} has no address on ${publicNetwork}`);
    if (prepared !== `${info.Id}:${info.State.StartedAt}`) {
      await runIn(docker, info.Id, ['sh', '-c', hookScript()]);
      prepared = `${info.Id}:${info.State.StartedAt}`;
      applied = undefined;
    }
    return { id: info.Id, publicAddress };
  }

  /** Makes the edge forward exactly `routes` (ports and Host names); a no-op when nothing changed. */
  async function apply(edge: EdgeState, routes: readonly EdgeRoute[]): Promise<boolean> {
    const nat = natRules(routes, p2pTarget, p2pTurnedAway);
    const nginx = nginxConfig(routes, httpPaths, httpUpstream);
    if (applied?.id === edge.id && applied.nat === nat && applied.nginx === nginx) return false;
    const natChanged = applied?.id !== edge.id || applied.nat !== nat;
    const nginxChanged = applied?.id !== edge.id || applied.nginx !== nginx;
    // One exec for all of it (each exec is a process the engine spawns, slow when a burst of org-nodes
    // is starting): the NAT rules end at their COMMIT line; nginx, PID 1, is sent its SIGHUP from inside.
    const asked = performance.now();
    await runIn(
      docker,
      edge.id,
      ['sh', '-c', applyScript(natChanged, nginxChanged)],
      [...(natChanged ? [nat] : []), ...(nginxChanged ? [nginx] : [])].join(''),
    );
    applied = { id: edge.id, nat, nginx };
    log.info('edge updated', { routes: routes.length, ms: Math.round(performance.now() - asked) });
    return true;
  }

  return {
    name,
    ensure,
    apply,
    /** Removes the edge (tests, or a provider shutting down for good). */
    remove: () => removeContainer(docker, name),
  };
}

export type Edge = ReturnType<typeof createEdge>;

/** Reads stdin: the NAT rules (through their COMMIT line) if `nat`, then the nginx file if `nginx`. */
export function applyScript(nat: boolean, nginx: boolean): string {
  const input = '/tmp/oneclick-edge.in';
  const steps = [`cat > ${input}`];
  if (nat) steps.push(`sed -n '1,/^COMMIT$/p' ${input} | iptables-restore --noflush`);
  if (nginx) {
    const body = nat ? `sed '1,/^COMMIT$/d' ${input}` : `cat ${input}`;
    // nginx is the container's PID 1 (the image's CMD): what `docker kill -s HUP` would signal.
    steps.push(
      `${body} > ${NGINX_FILE}.tmp`,
      `mv ${NGINX_FILE}.tmp ${NGINX_FILE}`,
      'nginx -t -q',
      'kill -HUP 1',
    );
  }
  return steps.join(' && ');
}

function hookScript(): string {
  return [
    'set -e',
    `iptables -t nat -N ${DNAT_CHAIN} 2>/dev/null || true`,
    `iptables -t nat -N ${SNAT_CHAIN} 2>/dev/null || true`,
    `iptables -t nat -C PREROUTING -j ${DNAT_CHAIN} 2>/dev/null || iptables -t nat -A PREROUTING -j ${DNAT_CHAIN}`,
    `iptables -t nat -C POSTROUTING -j ${SNAT_CHAIN} 2>/dev/null || iptables -t nat -A POSTROUTING -j ${SNAT_CHAIN}`,
  ].join('\n');
}
