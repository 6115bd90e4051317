/** Every statement the store runs, prepared once per open database. */
import type Database from 'better-sqlite3';

/** Orgs per upsert statement: a catch-up's statement runs cost more than their rows. */
export const ORG_BATCH = 200;

/** Upserts the watcher's columns of `rows` orgs, 7 parameters each (the reconciler's stay). */
function upsertOrgs(db: Database.Database, rows: number) {
  return db.prepare(`
      INSERT INTO orgs (address, expiry, active, stopped_at, desired, changes_at, updated_block)
      VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}
      ON CONFLICT (address) DO UPDATE SET
        expiry = excluded.expiry, active = excluded.active, stopped_at = excluded.stopped_at,
        desired = excluded.desired, changes_at = excluded.changes_at, updated_block = excluded.updated_block`);
}

export function prepareQueries(db: Database.Database) {
  return {
    cursor: db.prepare('SELECT number, hash FROM cursor WHERE id = 1'),
    setCursor: db.prepare(
      'INSERT INTO cursor (id, number, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET number = excluded.number, hash = excluded.hash',
    ),
    addBlock: db.prepare('INSERT OR REPLACE INTO blocks (number, hash) VALUES (?, ?)'),
    pruneBlocks: db.prepare('DELETE FROM blocks WHERE number < ?'),
    knownBlocks: db.prepare(`
      SELECT number, hash FROM blocks WHERE number >= @from
      UNION SELECT number, hash FROM block_logs WHERE number >= @from
      UNION SELECT block_number, block_hash FROM anchors WHERE block_number >= @from
      ORDER BY number DESC`),
    knownBlockBelow: db.prepare(`
      SELECT number, hash FROM (
        SELECT number, hash FROM blocks WHERE number < @below
        UNION SELECT number, hash FROM block_logs WHERE number < @below
      ) ORDER BY number DESC LIMIT 1`),
    org: db.prepare('SELECT * FROM orgs WHERE address = ?'),
    orgs: db.prepare('SELECT * FROM orgs ORDER BY address'),
    // One statement for a step's orgs: the lookups run inside SQLite, not one call each.
    orgsIn: db.prepare('SELECT * FROM orgs WHERE address IN (SELECT value FROM json_each(?))'),
    addresses: db.prepare('SELECT address FROM orgs ORDER BY address').pluck(),
    due: db.prepare('SELECT * FROM orgs WHERE changes_at IS NOT NULL AND changes_at <= ?'),
    logsAfter: db.prepare('SELECT events FROM block_logs WHERE number > ? ORDER BY number').pluck(),
    updatedAfter: db.prepare('SELECT address FROM orgs WHERE updated_block > ?').pluck(),
    anchoredAfter: db.prepare('SELECT DISTINCT org FROM anchors WHERE block_number > ?').pluck(),
    upsertOrg: upsertOrgs(db, 1),
    upsertOrgBatch: upsertOrgs(db, ORG_BATCH),
    deleteFreeOrg: db.prepare(`
      DELETE FROM orgs WHERE address = ? AND status = 'pending'
        AND port IS NULL AND nid IS NULL AND container_id IS NULL AND volume IS NULL`),
    // A step writes only above its (rewound) cursor: a block already stored is the same block.
    addBlockLogs: db.prepare('INSERT OR IGNORE INTO block_logs (number, hash, events) VALUES (?, ?, ?)'),
    addAnchor: db.prepare(
      'INSERT OR IGNORE INTO anchors (block_hash, tx_hash, log_index, block_number, org, repo, id, tag, multihash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    anchorsOf: db.prepare(
      'SELECT org, id, repo, tag, multihash, block_number FROM anchors WHERE org = ? ORDER BY block_number, log_index',
    ),
    deleteAnchorsOf: db.prepare('DELETE FROM anchors WHERE org = ?'),
    rewindLogs: db.prepare('DELETE FROM block_logs WHERE number > ?'),
    rewindAnchors: db.prepare('DELETE FROM anchors WHERE block_number > ?'),
    rewindBlocks: db.prepare('DELETE FROM blocks WHERE number > ?'),
    rewindScans: db.prepare('UPDATE anchor_scans SET until_block = @to WHERE until_block > @to'),
    addScan: db.prepare('INSERT OR IGNORE INTO anchor_scans (org, next_block, until_block) VALUES (?, ?, ?)'),
    advanceScan: db.prepare('UPDATE anchor_scans SET next_block = ? WHERE org = ?'),
    finishScans: db.prepare('DELETE FROM anchor_scans WHERE next_block > until_block'),
    deleteScan: db.prepare('DELETE FROM anchor_scans WHERE org = ?'),
    firstScanBlock: db.prepare('SELECT MIN(next_block) FROM anchor_scans').pluck(),
    scansFrom: db.prepare(
      'SELECT org, next_block, until_block FROM anchor_scans WHERE next_block = ? LIMIT ?',
    ),
    count: (table: string) => db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck(),
    countLogs: db.prepare('SELECT COALESCE(SUM(json_array_length(events)), 0) FROM block_logs').pluck(),
    usedPorts: db
      .prepare('SELECT port FROM orgs WHERE port IS NOT NULL AND port BETWEEN ? AND ? ORDER BY port')
      .pluck(),
    setPort: db.prepare('UPDATE orgs SET port = ? WHERE address = ?'),
    statusCounts: db.prepare('SELECT status, COUNT(*) AS n FROM orgs GROUP BY status'),
  };
}

export type Queries = ReturnType<typeof prepareQueries>;
