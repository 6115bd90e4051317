import type { Mutant } from './mutant.js';

/**
 * Tunes its org-nodes for hundreds of idle orgs: TCP socket buffers cut to the least the kernel
 * takes (4 KiB received: Linux 6.18 refuses less at container start with `invalid argument`; 1 KiB
 * sent), and no SACK or timestamps (fewer option bytes per segment). On a LAN a push replicates as
 * before, but over a lossy link with latency a few KiB are in flight per round trip and each loss
 * waits for a timeout, so a push of some size takes minutes. With the buffers alone (4 KiB / 1 KiB)
 * the 768 KiB push of `link-faults` still arrived within `replicate`.
 */
export const smallBuffers: Mutant = {
  bug: "cuts every org-node's TCP socket buffers to 4 KiB received, 1 KiB sent, and turns off SACK and timestamps (net.ipv4.tcp_*)",
  policy: () => ({
    nodeSysctls: {
      'net.ipv4.tcp_rmem': '4096 4096 4096',
      'net.ipv4.tcp_wmem': '1024 1024 1024',
      'net.ipv4.tcp_sack': '0',
      'net.ipv4.tcp_timestamps': '0',
    },
  }),
};
