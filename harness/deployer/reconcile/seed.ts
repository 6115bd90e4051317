/** The org's anchored repositories, seeded (`rad seed`) in its node, each once per container. */
import type { ExecResult } from '../docker.js';
import type { Logger } from '../log.js';
import type { StoredAnchor } from '../state/index.js';

/** Runs a command in the org's node. */
export type NodeExec = (cmd: string[]) => Promise<ExecResult>;

export async function seedAnchors(
  exec: NodeExec,
  o: { org: string; containerId: string; anchors: readonly StoredAnchor[]; seeded: Set<string>; log: Logger },
): Promise<void> {
  for (const anchor of o.anchors) {
    const key = `${o.containerId} ${anchor.repo}`;
    if (o.seeded.has(key)) continue;
    const r = await exec(['rad', 'seed', anchor.repo, '--scope', 'all', '--no-fetch']);
    if (r.exitCode !== 0) {
      throw new Error(
        `rad seed ${anchor.repo} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`,
      );
    }
    o.seeded.add(key);
    o.log.info('seeding anchored repository', { org: o.org, repo: anchor.repo });
    // Fetch from whoever has it, in the background: the policy is what lasts.
    void exec(['rad', 'sync', '--fetch', anchor.repo, '--timeout', '10s']).catch(() => undefined);
  }
}
