/** A mistake in what the user asked for (flags, files): exit code 2 and no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
