import Docker from 'dockerode';

let engine: Docker | undefined;

/** The one Docker engine client of this process (DOCKER_HOST or the local socket). */
export function dockerEngine(): Docker {
  engine ??= new Docker();
  return engine;
}

export async function engineVersion(): Promise<string> {
  try {
    const version = await dockerEngine().version();
    return version.Version;
  } catch (error) {
    throw new Error(
      `The Docker engine does not answer (${(error as Error).message}). ` +
        'Start it (`dockerd &`, or run scripts/bootstrap.sh) and check `docker info`.',
    );
  }
}
