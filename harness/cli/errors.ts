/** A mistake in what the user asked for (flags, files): exit code 2 and no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A provider package, loaded for a command: an invalid manifest is the user's mistake (exit 2). */
export async function loadProviderOrUsage(dir: string) {
  const { loadProvider, ManifestError } = await import('../provider/manifest.js');
  try {
    return await loadProvider(dir);
  } catch (error) {
    if (error instanceof ManifestError) throw new UsageError(`invalid provider:\n${error.message}`);
    throw error;
  }
}
