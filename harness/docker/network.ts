import { dockerEngine } from './engine.js';

export interface NetworkSpec {
  name: string;
  subnet: string;
  gateway?: string;
  /** Where dynamically assigned addresses come from (a sub-range of `subnet`); static ones may lie outside. */
  ipRange?: string;
  labels: Record<string, string>;
  /** Extra bridge options, e.g. disabling the host's masquerade for a LAN behind a NAT router. */
  options?: Record<string, string>;
}

export interface CreatedNetwork {
  readonly id: string;
  readonly name: string;
  readonly subnet: string;
  remove(): Promise<void>;
}

/** An ordinary bridge (never --internal: br_netfilter drops routed NAT there). */
export async function createNetwork(spec: NetworkSpec): Promise<CreatedNetwork> {
  const docker = dockerEngine();
  let created;
  try {
    created = await docker.createNetwork({
      Name: spec.name,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: spec.labels,
      Options: spec.options,
      IPAM: {
        Driver: 'default',
        Config: [
          {
            Subnet: spec.subnet,
            ...(spec.gateway ? { Gateway: spec.gateway } : {}),
            ...(spec.ipRange ? { IPRange: spec.ipRange } : {}),
          },
        ],
      },
    });
  } catch (error) {
    throw new Error(`could not create network ${spec.name} (${spec.subnet}): ${(error as Error).message}`);
  }
  return {
    id: created.id,
    name: spec.name,
    subnet: spec.subnet,
    remove: () =>
      created.remove().then(
        () => undefined,
        (e: { statusCode?: number }) => {
          if (e.statusCode !== 404) throw e;
        },
      ),
  };
}

export async function createVolume(name: string, labels: Record<string, string>): Promise<string> {
  // dockerode resolves to a Volume handle (`.name`), not the API's `{ Name }` body.
  const volume = await dockerEngine().createVolume({ Name: name, Labels: labels });
  return (volume as unknown as { name: string }).name;
}
