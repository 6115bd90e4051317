/** The node containers of SPEC.md §4, found by their labels as an operator lists them. */
import type { Address } from 'viem';
import { dockerEngine } from '../docker/engine.js';
import { RUN_LABEL } from '../docker/labels.js';

/** The label SPEC.md §4 puts on an org's node container (value: the org address, lowercase, 0x). */
export const ORG_LABEL = 'oneclick.org';

export interface OrgContainersOptions {
  /** Stopped ones too. */
  all?: boolean;
  /** Only those with `oneclick.role=<role>` (the reference labels its org-nodes `org-node`). */
  role?: string;
}

/** Containers of the run labelled for `org` (running ones unless `all`). */
export async function orgContainers(runId: string, org: Address, options: OrgContainersOptions = {}) {
  const label = [`${RUN_LABEL}=${runId}`, `${ORG_LABEL}=${org.toLowerCase()}`];
  if (options.role) label.push(`oneclick.role=${options.role}`);
  return dockerEngine().listContainers({ all: options.all ?? false, filters: { label } });
}
