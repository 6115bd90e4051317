/** The playground's live event log: chain events, provider log lines, probe changes, actions, timed peer operations. */
export type EventKind = 'chain' | 'provider' | 'probe' | 'action' | 'peer' | 'world';

export interface WorldEvent {
  seq: number;
  at: string;
  kind: EventKind;
  text: string;
  data?: Record<string, unknown>;
}

export interface EventLog {
  add(kind: EventKind, text: string, data?: Record<string, unknown>): WorldEvent;
  /** The last events kept (oldest first). */
  recent(): WorldEvent[];
  /** Calls `listener` with every new event; returns the unsubscribe. */
  subscribe(listener: (e: WorldEvent) => void): () => void;
}

const KEEP = 500;

/** An event log that redacts every text before it keeps or sends it. */
export function eventLog(redact: (text: string) => string): EventLog {
  const kept: WorldEvent[] = [];
  const listeners = new Set<(e: WorldEvent) => void>();
  let seq = 0;
  return {
    add(kind, text, data) {
      const e: WorldEvent = {
        seq: ++seq,
        at: new Date().toISOString(),
        kind,
        text: redact(text),
        ...(data && { data: JSON.parse(redact(JSON.stringify(data))) as Record<string, unknown> }),
      };
      kept.push(e);
      if (kept.length > KEEP) kept.shift();
      for (const l of listeners) l(e);
      return e;
    },
    recent: () => [...kept],
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
