/**
 * Text hygiene shared by the reporters: everything a report shows may come from the provider (logs,
 * HTTP bodies, DNS records), so it is made printable and escaped, and secrets are taken out first.
 */

/** ANSI escape sequences (colours, cursor moves) that container logs are full of. */
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]/g;
/** Characters XML 1.0 cannot carry at all (not even as &#…;): C0 controls but tab/LF/CR, U+FFFE/F, lone surrogates. */
const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex
  /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Drops ANSI sequences; writes other unprintable characters as `\uXXXX` so they stay visible. */
export function printable(text: string): string {
  return text
    .replace(ANSI, '')
    .replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** For XML/HTML text and attribute values alike (quotes included). */
export function escapeMarkup(text: string): string {
  return printable(text).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** For XML attribute values: also keeps line breaks and tabs (attribute normalisation would eat them). */
export function escapeXmlAttribute(text: string): string {
  return escapeMarkup(text).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

export type Redact = (text: string) => string;

/** Applies `redact` to every string in `value` (object keys included); numbers, booleans, null kept. */
export function redactDeep<T>(value: T, redact: Redact): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, inner]) => [redact(k), walk(inner)]));
    }
    return v;
  };
  return walk(value) as T;
}

/** Milliseconds as JUnit/humans want seconds: "12.345". */
export function seconds(ms: number | undefined): string {
  return ((ms ?? 0) / 1000).toFixed(3);
}

/** A duration for people: "850 ms", "12.3 s", "4 min 05 s", "1 h 02 min". */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** A value seen (observed facts) as one readable string: strings as they are, the rest as JSON. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? '';
}
