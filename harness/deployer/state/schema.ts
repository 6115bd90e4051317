/** The state file's schema (versioned migrations) and the provider it belongs to. */
import type Database from 'better-sqlite3';
import type { Address } from 'viem';

export const STATE_FILE = 'deployer.sqlite';

/** Versioned migrations: index i brings `user_version` from i to i + 1. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE orgs (
    address       TEXT PRIMARY KEY,
    expiry        TEXT NOT NULL,
    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
    stopped_at    INTEGER,
    desired       TEXT NOT NULL CHECK (desired IN ('run', 'stop', 'purge')),
    changes_at    TEXT,
    updated_block INTEGER NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'active', 'expiring', 'stopped', 'gone')),
    port          INTEGER UNIQUE,
    nid           TEXT,
    container_id  TEXT,
    volume        TEXT
  );
  CREATE INDEX orgs_changes_at ON orgs (changes_at) WHERE changes_at IS NOT NULL;
  CREATE TABLE cursor (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    number INTEGER NOT NULL,
    hash   TEXT NOT NULL
  );
  CREATE TABLE blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL);
  CREATE TABLE logs (
    block_hash   TEXT NOT NULL,
    tx_hash      TEXT NOT NULL,
    log_index    INTEGER NOT NULL,
    block_number INTEGER NOT NULL,
    org          TEXT NOT NULL,
    event        TEXT NOT NULL CHECK (event IN ('top-up', 'stopped')),
    value        TEXT NOT NULL,
    PRIMARY KEY (block_hash, tx_hash, log_index)
  ) WITHOUT ROWID;
  CREATE INDEX logs_block ON logs (block_number);
  CREATE INDEX logs_org ON logs (org, block_number, log_index);
  CREATE TABLE anchors (
    block_hash   TEXT NOT NULL,
    tx_hash      TEXT NOT NULL,
    log_index    INTEGER NOT NULL,
    block_number INTEGER NOT NULL,
    org          TEXT NOT NULL,
    repo         TEXT NOT NULL,
    id           TEXT NOT NULL,
    tag          INTEGER NOT NULL,
    multihash    TEXT NOT NULL,
    PRIMARY KEY (block_hash, tx_hash, log_index)
  ) WITHOUT ROWID;
  CREATE INDEX anchors_block ON anchors (block_number);
  CREATE INDEX anchors_org ON anchors (org, block_number, log_index);
  CREATE TABLE anchor_scans (
    org         TEXT PRIMARY KEY,
    next_block  INTEGER NOT NULL,
    until_block INTEGER NOT NULL
  );
  `,
  // v2: a block's deployment logs in one row (a catch-up wrote one row and three index entries
  // per log: most of its time). Each log carries its org's state before it, so a rewind restores
  // an org touched above the fork from the fork's side, as `lastEvent` gave it from v1's rows.
  // The entry: [log index, org, kind, value, expiry before, stopped-at before or null].
  // Orgs keyed by address alone (no rowid beside it) and ports indexed only where set: two fewer
  // index entries per new org.
  `
  CREATE TABLE block_logs (
    number INTEGER PRIMARY KEY,
    hash   TEXT NOT NULL,
    events TEXT NOT NULL
  );
  INSERT INTO block_logs (number, hash, events)
    SELECT block_number, MIN(block_hash),
      json_group_array(json_array(log_index, org, event, value, before_expiry, before_stopped))
    FROM (
      SELECT block_number, block_hash, log_index, org, event, value,
        COALESCE(LAG(value) OVER w, '0') AS before_expiry,
        CASE WHEN LAG(event) OVER w = 'stopped' THEN LAG(value) OVER w END AS before_stopped
      FROM logs WINDOW w AS (PARTITION BY org ORDER BY block_number, log_index)
      ORDER BY block_number, log_index
    )
    GROUP BY block_number;
  DROP TABLE logs;
  CREATE TABLE orgs_v2 (
    address       TEXT PRIMARY KEY,
    expiry        TEXT NOT NULL,
    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
    stopped_at    INTEGER,
    desired       TEXT NOT NULL CHECK (desired IN ('run', 'stop', 'purge')),
    changes_at    TEXT,
    updated_block INTEGER NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'active', 'expiring', 'stopped', 'gone')),
    port          INTEGER,
    nid           TEXT,
    container_id  TEXT,
    volume        TEXT
  ) WITHOUT ROWID;
  INSERT INTO orgs_v2 SELECT address, expiry, active, stopped_at, desired, changes_at, updated_block,
    status, port, nid, container_id, volume FROM orgs;
  DROP TABLE orgs;
  ALTER TABLE orgs_v2 RENAME TO orgs;
  CREATE UNIQUE INDEX orgs_port ON orgs (port) WHERE port IS NOT NULL;
  CREATE INDEX orgs_changes_at ON orgs (changes_at) WHERE changes_at IS NOT NULL;
  `,
  // v3: orgs keyed by lowercase address everywhere (EIP-55 hashing per new org was a tenth of a
  // catch-up), and their CHECKs as comparisons: SQLite builds a lookup table for `IN (…)` at every
  // execution of a statement, which cost half the time of a catch-up's org writes.
  `
  CREATE TABLE orgs_v3 (
    address       TEXT PRIMARY KEY,
    expiry        TEXT NOT NULL,
    active        INTEGER NOT NULL CHECK (active = 0 OR active = 1),
    stopped_at    INTEGER,
    desired       TEXT NOT NULL CHECK (desired = 'run' OR desired = 'stop' OR desired = 'purge'),
    changes_at    TEXT,
    updated_block INTEGER NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status = 'pending' OR status = 'active'
                  OR status = 'expiring' OR status = 'stopped' OR status = 'gone'),
    port          INTEGER,
    nid           TEXT,
    container_id  TEXT,
    volume        TEXT
  ) WITHOUT ROWID;
  INSERT INTO orgs_v3 SELECT lower(address), expiry, active, stopped_at, desired, changes_at,
    updated_block, status, port, nid, container_id, volume FROM orgs;
  DROP TABLE orgs;
  ALTER TABLE orgs_v3 RENAME TO orgs;
  CREATE UNIQUE INDEX orgs_port ON orgs (port) WHERE port IS NOT NULL;
  CREATE INDEX orgs_changes_at ON orgs (changes_at) WHERE changes_at IS NOT NULL;
  UPDATE anchors SET org = lower(org);
  UPDATE anchor_scans SET org = lower(org);
  UPDATE block_logs SET events = (
    SELECT json_group_array(json_set(value, '$[1]', lower(value ->> 1))) FROM json_each(events)
  );
  `,
  // v4: changes_at as INTEGER (block numbers; a later one is stored as 2^63 - 1, which no chain
  // reaches): its index held a 20-digit text per org, a fifth of a catch-up's org writes.
  `
  CREATE TABLE orgs_v4 (
    address       TEXT PRIMARY KEY,
    expiry        TEXT NOT NULL,
    active        INTEGER NOT NULL CHECK (active = 0 OR active = 1),
    stopped_at    INTEGER,
    desired       TEXT NOT NULL CHECK (desired = 'run' OR desired = 'stop' OR desired = 'purge'),
    changes_at    INTEGER,
    updated_block INTEGER NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status = 'pending' OR status = 'active'
                  OR status = 'expiring' OR status = 'stopped' OR status = 'gone'),
    port          INTEGER,
    nid           TEXT,
    container_id  TEXT,
    volume        TEXT
  ) WITHOUT ROWID;
  INSERT INTO orgs_v4 SELECT address, expiry, active, stopped_at, desired,
    CASE WHEN changes_at > '09223372036854775807' THEN 9223372036854775807
      ELSE CAST(changes_at AS INTEGER) END,
    updated_block, status, port, nid, container_id, volume FROM orgs;
  DROP TABLE orgs;
  ALTER TABLE orgs_v4 RENAME TO orgs;
  CREATE UNIQUE INDEX orgs_port ON orgs (port) WHERE port IS NOT NULL;
  CREATE INDEX orgs_changes_at ON orgs (changes_at) WHERE changes_at IS NOT NULL;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database.Database): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > MIGRATIONS.length) {
    throw new Error(`state schema version ${current} is newer than this deployer's ${MIGRATIONS.length}`);
  }
  MIGRATIONS.slice(current).forEach((sql, i) => {
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${current + i + 1}`);
    })();
  });
}

/** Pins the state to one provider on one chain: opening it for another is an error. */
export function pinIdentity(db: Database.Database, identity: { chainId: number; provider: Address }): void {
  const wanted = { chain_id: String(identity.chainId), provider: identity.provider };
  db.transaction(() => {
    for (const [key, value] of Object.entries(wanted)) {
      const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
        { value: string } | undefined;
      if (!row) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(key, value);
      else if (row.value !== value) {
        throw new Error(
          `state in this directory belongs to ${key} ${row.value}, not ${value}: use another DEPLOYER_STATE_DIR`,
        );
      }
    }
  })();
}
