/**
 * Structured logs: one JSON object a line, `{"level":"warn","msg":"...",...fields}`. Every line
 * passes through the redactions (secrets, credential-bearing URLs) after serialisation, so a
 * secret inside an error message from a library is caught too.
 */
import type { LogLevel } from './config.js';

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** [sensitive string, what to print instead] */
  redact?: ReadonlyArray<readonly [string, string]>;
  write?: (line: string) => void;
  now?: () => Date;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** JSON has no bigint; errors serialise as their message (and name) only. */
function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: errorMessage(value) };
  return value;
}

/** A one-line, bounded message of any thrown value (viem messages run to many lines). */
export function errorMessage(error: unknown, max = 600): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.replace(/\s*\n\s*/g, ' | ');
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

export function createLogger({
  level = 'info',
  redact = [],
  write = (line) => process.stdout.write(`${line}\n`),
  now = () => new Date(),
}: LoggerOptions = {}): Logger {
  // Longest first, so a whole secret is replaced before a part of it.
  const pairs = [...redact].filter(([s]) => s.length >= 4).sort((a, b) => b[0].length - a[0].length);
  const scrub = (line: string) => pairs.reduce((text, [s, shown]) => text.split(s).join(shown), line);
  const emit =
    (at: LogLevel) =>
    (msg: string, fields: Fields = {}) => {
      if (RANK[at] < RANK[level]) return;
      write(scrub(JSON.stringify({ level: at, msg, time: now().toISOString(), ...fields }, jsonValue)));
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** A logger that keeps its lines, for tests. */
export function memoryLogger(options: Omit<LoggerOptions, 'write'> = {}) {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', ...options, write: (line) => lines.push(line) });
  const entries = () => lines.map((line) => JSON.parse(line) as Fields & { level: LogLevel; msg: string });
  return { log, lines, entries };
}
