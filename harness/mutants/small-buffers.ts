import type { Mutant } from './mutant.js';

/**
 * Tunes its org-nodes for hundreds of idle orgs by cutting each node's TCP socket buffers to 1 KiB
 * (kernel memory per connection): on a LAN a push replicates as fast as ever, but a peer far away
 * gets well under a KiB in flight per round trip, so a push of some size over a lossy link with
 * latency takes minutes.
 */
export const smallBuffers: Mutant = {
  bug: "cuts every org-node's TCP socket buffers to 1 KiB (net.ipv4.tcp_rmem / tcp_wmem)",
  policy: () => ({
    nodeSysctls: { 'net.ipv4.tcp_rmem': '1024 1024 1024', 'net.ipv4.tcp_wmem': '1024 1024 1024' },
  }),
};
