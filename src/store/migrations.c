/* migrations.c — the numbered schema migrations of the SQLite store, applied in order at start.
 * A migration is never edited once released; a change is a new migration at the end. */
#include "store/migrations.h"

/* Every change of table t moves the records' generation (migration 16). */
#define MOVES_RECORDS(t)                                                                                     \
    "CREATE TRIGGER " #t "_moves_records_insert AFTER INSERT ON " #t                                       \
    " BEGIN UPDATE record_generation SET n = n + 1; END;"                                                  \
    "CREATE TRIGGER " #t "_moves_records_update AFTER UPDATE ON " #t                                       \
    " BEGIN UPDATE record_generation SET n = n + 1; END;"                                                  \
    "CREATE TRIGGER " #t "_moves_records_delete AFTER DELETE ON " #t                                       \
    " BEGIN UPDATE record_generation SET n = n + 1; END;"

static const char *const MIGRATIONS[] = {
    /* 1: organisations, users, tokens, systems, filings, versions, rectifications, audit */
    "CREATE TABLE orgs("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('enterprise','provider','authority','platform')),"
    "  name TEXT NOT NULL, uscc TEXT NOT NULL UNIQUE, region TEXT NOT NULL,"
    "  jurisdiction TEXT NOT NULL DEFAULT '[]',"
    "  number_format TEXT NOT NULL DEFAULT '{region}-{year}-{seq:06}',"
    "  created_at TEXT NOT NULL);"
    "CREATE TABLE users("
    "  id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id),"
    "  login TEXT NOT NULL UNIQUE, name TEXT NOT NULL, pw_hash TEXT NOT NULL, roles TEXT NOT NULL,"
    "  disabled INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);"
    "CREATE TABLE tokens("
    "  hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('session','api')), name TEXT, csrf TEXT,"
    "  created_at TEXT NOT NULL, expires_at INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE systems("
    "  id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id), name TEXT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '', created_by INTEGER, created_at TEXT NOT NULL);"
    "CREATE TABLE filings("
    "  id INTEGER PRIMARY KEY, system_id INTEGER NOT NULL REFERENCES systems(id),"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('initial','change')),"
    "  parent_id INTEGER REFERENCES filings(id), state TEXT NOT NULL, check_from TEXT,"
    "  provider_org_id INTEGER, authority_org_id INTEGER, reviewer_id INTEGER, last_editor_id INTEGER,"
    "  region TEXT, level INTEGER, type TEXT, subject_name TEXT, system_name TEXT,"
    "  document TEXT NOT NULL, revision INTEGER NOT NULL DEFAULT 1,"
    "  current_version INTEGER NOT NULL DEFAULT 0, record_version INTEGER, number TEXT UNIQUE,"
    "  pack TEXT, submitted_at TEXT, due_at TEXT, paused_remaining INTEGER, filed_at TEXT,"
    "  decided_at TEXT, version_date TEXT, provider_visible INTEGER NOT NULL DEFAULT 0,"
    "  authority_visible INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
    "CREATE INDEX filings_org ON filings(org_id, id);"
    "CREATE INDEX filings_provider ON filings(provider_org_id, id);"
    "CREATE INDEX filings_authority ON filings(authority_org_id, id);"
    "CREATE INDEX filings_parent ON filings(parent_id);"
    "CREATE TABLE filing_versions("
    "  filing_id INTEGER NOT NULL REFERENCES filings(id), n INTEGER NOT NULL, document TEXT NOT NULL,"
    "  sha256 TEXT NOT NULL, action TEXT NOT NULL, created_by INTEGER, findings TEXT NOT NULL DEFAULT '[]',"
    "  pack TEXT, created_at TEXT NOT NULL, PRIMARY KEY (filing_id, n));"
    "CREATE TRIGGER filing_versions_no_update BEFORE UPDATE ON filing_versions"
    "  BEGIN SELECT RAISE(ABORT, 'filing versions are immutable'); END;"
    "CREATE TRIGGER filing_versions_no_delete BEFORE DELETE ON filing_versions"
    "  BEGIN SELECT RAISE(ABORT, 'filing versions are immutable'); END;"
    "CREATE TABLE number_seq("
    "  authority_org_id INTEGER NOT NULL, year INTEGER NOT NULL, seq INTEGER NOT NULL,"
    "  PRIMARY KEY (authority_org_id, year));"
    "CREATE TABLE rectifications("
    "  id INTEGER PRIMARY KEY, filing_id INTEGER NOT NULL REFERENCES filings(id),"
    "  version INTEGER NOT NULL, created_by INTEGER NOT NULL, comment TEXT,"
    "  created_at TEXT NOT NULL, closed_at TEXT);"
    "CREATE TABLE rectification_items("
    "  id INTEGER PRIMARY KEY, rectification_id INTEGER NOT NULL REFERENCES rectifications(id),"
    "  path TEXT NOT NULL, message TEXT NOT NULL, answer TEXT, answered_by INTEGER, answered_at TEXT);"
    "CREATE TABLE audit("
    "  id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor_user_id INTEGER, actor_org_id INTEGER,"
    "  action TEXT NOT NULL, object_type TEXT NOT NULL, object_id INTEGER, filing_id INTEGER,"
    "  org_id INTEGER, before_sha TEXT, after_sha TEXT, detail TEXT NOT NULL DEFAULT '{}',"
    "  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
    "CREATE INDEX audit_filing ON audit(filing_id, id);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    /* 2: the findings and derived values of the current document, computed when it is saved, so
     *    that reads never re-run the policy */
    "ALTER TABLE filings ADD COLUMN findings TEXT NOT NULL DEFAULT '[]';"
    "ALTER TABLE filings ADD COLUMN derived TEXT NOT NULL DEFAULT '{}';",
    /* 3: materials (metadata; the bytes live content-addressed under <data>/materials/sha256/),
     *    their immutable versions, the material versions each frozen filing version pins, and the
     *    provider registry (profiles, evaluation scorecards) */
    "CREATE TABLE materials("
    "  id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id), kind TEXT NOT NULL,"
    "  title TEXT NOT NULL, current_version INTEGER NOT NULL DEFAULT 1, created_by INTEGER,"
    "  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
    "CREATE INDEX materials_org ON materials(org_id, id);"
    "CREATE TABLE material_versions("
    "  material_id INTEGER NOT NULL REFERENCES materials(id), n INTEGER NOT NULL, filename TEXT,"
    "  content_type TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL, created_by INTEGER,"
    "  created_at TEXT NOT NULL, PRIMARY KEY (material_id, n));"
    "CREATE INDEX material_versions_sha ON material_versions(sha256);"
    "CREATE TRIGGER material_versions_no_update BEFORE UPDATE ON material_versions"
    "  BEGIN SELECT RAISE(ABORT, 'material versions are immutable'); END;"
    "CREATE TRIGGER material_versions_no_delete BEFORE DELETE ON material_versions"
    "  BEGIN SELECT RAISE(ABORT, 'material versions are immutable'); END;"
    "CREATE TABLE material_pins("
    "  filing_id INTEGER NOT NULL REFERENCES filings(id), version INTEGER NOT NULL,"
    "  material_id INTEGER NOT NULL REFERENCES materials(id), material_version INTEGER NOT NULL,"
    "  sha256 TEXT NOT NULL, PRIMARY KEY (filing_id, version, material_id));"
    "CREATE INDEX material_pins_material ON material_pins(material_id);"
    "CREATE TABLE provider_profiles("
    "  org_id INTEGER PRIMARY KEY REFERENCES orgs(id), profile TEXT NOT NULL,"
    "  revision INTEGER NOT NULL DEFAULT 1, updated_by INTEGER, updated_at TEXT NOT NULL);"
    "CREATE TABLE provider_evaluations("
    "  id INTEGER PRIMARY KEY, provider_org_id INTEGER NOT NULL REFERENCES orgs(id),"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id), evaluated_on TEXT NOT NULL, scorecard TEXT NOT NULL,"
    "  score REAL NOT NULL, created_by INTEGER, created_at TEXT NOT NULL);"
    "CREATE INDEX provider_evaluations_provider ON provider_evaluations(provider_org_id, id);",
    /* 4: override requests: a filer asks, with a reason and a material, that one finding of an
     *    overridable rule be waved through; the reviewer accepts or refuses */
    "CREATE TABLE overrides("
    "  id INTEGER PRIMARY KEY, filing_id INTEGER NOT NULL REFERENCES filings(id), rule TEXT NOT NULL,"
    "  reason TEXT NOT NULL, material_id INTEGER, state TEXT NOT NULL CHECK (state IN ('requested','accepted','refused')),"
    "  requested_by INTEGER NOT NULL, requested_at TEXT NOT NULL, decided_by INTEGER, decided_at TEXT, comment TEXT);"
    "CREATE INDEX overrides_filing ON overrides(filing_id, id);",
    /* 5: the provider evaluation a filing's document attaches (/provider/evaluation), kept beside
     *    provider_org_id so a view can show the scorecard without parsing the document */
    "ALTER TABLE filings ADD COLUMN provider_evaluation_id INTEGER;",
    /* 6: after the number — the self-inspection reports of filed records (scheduled by the pack's
     *    cycle, or ordered by the authority), their rectification notices, and the standing findings
     *    of each record with the day they appeared and the day they cleared */
    "CREATE TABLE inspections("
    "  id INTEGER PRIMARY KEY, filing_id INTEGER NOT NULL REFERENCES filings(id),"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id), authority_org_id INTEGER,"
    "  kind TEXT NOT NULL CHECK (kind IN ('scheduled','ordered')), state TEXT NOT NULL,"
    "  due_on TEXT NOT NULL, reason TEXT, ordered_by INTEGER, document TEXT NOT NULL DEFAULT '{}',"
    "  findings TEXT NOT NULL DEFAULT '[]', revision INTEGER NOT NULL DEFAULT 1, last_editor_id INTEGER,"
    "  check_from TEXT, pack TEXT, submitted_at TEXT, decided_at TEXT, created_by INTEGER,"
    "  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
    "CREATE INDEX inspections_filing ON inspections(filing_id, id);"
    "CREATE INDEX inspections_authority ON inspections(authority_org_id, state);"
    "CREATE TABLE inspection_notices("
    "  id INTEGER PRIMARY KEY, inspection_id INTEGER NOT NULL REFERENCES inspections(id),"
    "  created_by INTEGER NOT NULL, comment TEXT, detail TEXT NOT NULL, created_at TEXT NOT NULL, closed_at TEXT);"
    "CREATE INDEX inspection_notices_inspection ON inspection_notices(inspection_id, id);"
    "CREATE TABLE standing_findings("
    "  id INTEGER PRIMARY KEY, filing_id INTEGER NOT NULL REFERENCES filings(id), rule TEXT NOT NULL,"
    "  path TEXT NOT NULL, severity TEXT NOT NULL, detail TEXT NOT NULL, since TEXT NOT NULL, cleared_on TEXT);"
    "CREATE INDEX standing_findings_open ON standing_findings(filing_id, cleared_on);"
    "ALTER TABLE filings ADD COLUMN standing_checked_on TEXT;"
    /* recurring evidence of a filed record between inspections: a scan, a training, a drill, a
     * restore test, on a day, with its material; it updates those facts without a change filing */
    "CREATE TABLE record_evidence("
    "  id INTEGER PRIMARY KEY, filing_id INTEGER NOT NULL REFERENCES filings(id), org_id INTEGER NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('vuln_scan','training','drill','restore_test')), on_date TEXT NOT NULL,"
    "  material_id INTEGER, note TEXT, created_by INTEGER, created_at TEXT NOT NULL);"
    "CREATE INDEX record_evidence_filing ON record_evidence(filing_id, kind, on_date);",
    /* 7: API tokens get a public id (not the hash) by which their owner, or the organisation's
     *    administrator, lists and revokes them (issue 12); tokens made before it get one too,
     *    and a life of at most a year from the migration */
    "ALTER TABLE tokens ADD COLUMN public_id TEXT;"
    "UPDATE tokens SET public_id = lower(hex(randomblob(8))) WHERE kind='api';"
    "CREATE UNIQUE INDEX tokens_public_id ON tokens(public_id);"
    /* and none lives longer than a year from now (they could be made for ten) */
    "UPDATE tokens SET expires_at = MIN(expires_at, CAST(strftime('%s','now') AS INTEGER) + 365 * 86400) "
    "WHERE kind='api';",
    /* 8: security incidents an enterprise reports on a filed record, with the clocks of
     *    their level copied from the pack when reported (a later pack does not move them), the
     *    append-only updates, the closure report and an authority's order of an extra inspection */
    "CREATE TABLE incidents("
    "  id INTEGER PRIMARY KEY, filing_id INTEGER NOT NULL REFERENCES filings(id),"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id), level TEXT NOT NULL, title TEXT NOT NULL,"
    "  summary TEXT NOT NULL, measures TEXT, detected_at TEXT NOT NULL, reported_at TEXT NOT NULL,"
    "  reported_by INTEGER NOT NULL, pack TEXT NOT NULL, first_report_hours INTEGER NOT NULL,"
    "  closure_days INTEGER NOT NULL, first_report_due_at TEXT NOT NULL, closure_due_at TEXT NOT NULL,"
    "  late_first_report INTEGER NOT NULL CHECK (late_first_report IN (0,1)),"
    "  state TEXT NOT NULL CHECK (state IN ('open','closed')),"
    "  closure_cause TEXT, closure_impact TEXT, personal_data_involved INTEGER, individuals_affected INTEGER,"
    "  closure_measures TEXT, closed_at TEXT, closed_by INTEGER,"
    "  inspection_reason TEXT, inspection_due_date TEXT, inspection_ordered_by INTEGER, inspection_ordered_at TEXT);"
    "CREATE INDEX incidents_filing ON incidents(filing_id, id);"
    "CREATE INDEX incidents_org ON incidents(org_id, id);"
    "CREATE TABLE incident_updates("
    "  id INTEGER PRIMARY KEY, incident_id INTEGER NOT NULL REFERENCES incidents(id), text TEXT NOT NULL,"
    "  created_by INTEGER NOT NULL, created_at TEXT NOT NULL);"
    "CREATE INDEX incident_updates_incident ON incident_updates(incident_id, id);"
    "CREATE TRIGGER incident_updates_no_update BEFORE UPDATE ON incident_updates"
    "  BEGIN SELECT RAISE(ABORT, 'incident updates are append-only'); END;"
    "CREATE TRIGGER incident_updates_no_delete BEFORE DELETE ON incident_updates"
    "  BEGIN SELECT RAISE(ABORT, 'incident updates are append-only'); END;",
    /* 9: change reports: on a change filing, the day the change took effect (report_change's
     *    effective_on), the day the report left the enterprise, the pack's class and lateness (for
     *    the lists), and for a minor change the authority's objection window and the objection */
    "ALTER TABLE filings ADD COLUMN effective_on TEXT;"
    "ALTER TABLE filings ADD COLUMN reported_on TEXT;"
    "ALTER TABLE filings ADD COLUMN change_class TEXT;"
    "ALTER TABLE filings ADD COLUMN late INTEGER;"
    "ALTER TABLE filings ADD COLUMN late_reason TEXT;"
    "ALTER TABLE filings ADD COLUMN objection_due TEXT;"
    "ALTER TABLE filings ADD COLUMN objected_at TEXT;",
    /* 6 (issue 15): the signed certificates and receipts issued for filings, as handed out
     *    (envelope: the statement, its signature and key id); never changed once issued */
    "CREATE TABLE signed_statements("
    "  id INTEGER PRIMARY KEY, filing_id INTEGER NOT NULL REFERENCES filings(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('certificate','receipt')), seq INTEGER NOT NULL,"
    "  action TEXT NOT NULL, envelope TEXT NOT NULL, created_at TEXT NOT NULL,"
    "  UNIQUE (filing_id, kind, seq));"
    "CREATE TRIGGER signed_statements_no_update BEFORE UPDATE ON signed_statements"
    "  BEGIN SELECT RAISE(ABORT, 'signed statements are immutable'); END;"
    "CREATE TRIGGER signed_statements_no_delete BEFORE DELETE ON signed_statements"
    "  BEGIN SELECT RAISE(ABORT, 'signed statements are immutable'); END;",
    /* notifications: (issue 14) each user's in-app inbox; the outbox of deliveries (webhooks and
     *    e-mail) written in the same transaction as the event and worked through by the sender;
     *    every attempt of a delivery; the webhook endpoints of organisations; each user's choice of
     *    which events arrive by e-mail, at which address, in which language */
    "CREATE TABLE notify_inbox("
    "  id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), event TEXT NOT NULL,"
    "  audit_id INTEGER, filing_id INTEGER, link TEXT, params TEXT NOT NULL DEFAULT '{}',"
    "  created_at TEXT NOT NULL, read_at TEXT);"
    "CREATE INDEX notify_inbox_user ON notify_inbox(user_id, id);"
    "CREATE TABLE webhooks("
    "  id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id), url TEXT NOT NULL,"
    "  event_types TEXT NOT NULL DEFAULT '[]', secret TEXT NOT NULL, description TEXT, created_by INTEGER,"
    "  created_at TEXT NOT NULL, deleted_at TEXT);"
    "CREATE INDEX webhooks_org ON webhooks(org_id, id);"
    "CREATE TABLE notify_outbox("
    "  id INTEGER PRIMARY KEY, channel TEXT NOT NULL CHECK (channel IN ('webhook','email')),"
    "  target_id INTEGER NOT NULL, event TEXT NOT NULL, msg_id TEXT NOT NULL UNIQUE, payload TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('pending','done','failed')), attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_at INTEGER NOT NULL, created_unix INTEGER NOT NULL, last_status INTEGER, last_error TEXT,"
    "  created_at TEXT NOT NULL, done_at TEXT);"
    "CREATE INDEX notify_outbox_due ON notify_outbox(state, next_at);"
    "CREATE INDEX notify_outbox_target ON notify_outbox(channel, target_id, id);"
    "CREATE TABLE notify_attempts("
    "  id INTEGER PRIMARY KEY, outbox_id INTEGER NOT NULL REFERENCES notify_outbox(id), at TEXT NOT NULL,"
    "  status INTEGER, error TEXT, ms INTEGER);"
    "CREATE INDEX notify_attempts_outbox ON notify_attempts(outbox_id, id);"
    "CREATE TABLE notify_prefs("
    "  user_id INTEGER PRIMARY KEY REFERENCES users(id), email TEXT, lang TEXT NOT NULL DEFAULT 'zh',"
    "  email_events TEXT NOT NULL DEFAULT '[]');",
    /* 12: a reviewer's rectification request in preparation (issue 16): the items against fields
     * and the comment, one draft per reviewer and filing, kept until the request is sent */
    "CREATE TABLE rectification_drafts("
    "  filing_id INTEGER NOT NULL REFERENCES filings(id), user_id INTEGER NOT NULL REFERENCES users(id),"
    "  items TEXT NOT NULL DEFAULT '[]', comment TEXT, updated_at TEXT NOT NULL,"
    "  PRIMARY KEY (filing_id, user_id));",
    /* 13 (issues 13, 19): the day each filed record was last standing-checked, in a table of its own:
     *    a column of filings made the daily pass rewrite every record's row with its document
     *    (three pages each, ~12 GB of WAL a day for a million records) to note the day */
    "CREATE TABLE standing_checks(filing_id INTEGER PRIMARY KEY REFERENCES filings(id), checked_on TEXT NOT NULL);"
    "INSERT INTO standing_checks(filing_id, checked_on)"
    "  SELECT id, standing_checked_on FROM filings WHERE standing_checked_on IS NOT NULL;",
    /* 14: a system's live initial filings (at most one or two): the workflow's system_free guard
     *    asks for them on every view and save (store_system_other_live_filing, whose WHERE this
     *    repeats so that the index applies). Without it each ask scanned every filing, documents
     *    and all, and a soak whose drafts pile up in one system slowed from 3.4k to 1.2k requests/s
     *    in a minute; an index on system_id alone would still walk all of a system's drafts. */
    "CREATE INDEX filings_system_live ON filings(system_id) WHERE kind='initial' AND "
    "  state NOT IN ('draft','rejected','withdrawn','cancelled','revoked');",
    /* 15 (issue 13): a record's open standing findings, which the daily pass reads for every filed
     *    record, answered from the index alone: every ask of them says cleared_on IS NULL, and the
     *    pass wants only the keys (id, rule, path, since), not the stored texts. The index on
     *    (filing_id, cleared_on) sent each ask to the table for every finding, seven rows of
     *    ~500 bytes a record, 3.3 GB of pages over a million records. (cleared_on, NULL in every
     *    entry, is a column too: SQLite counts an index as covering only with every column the
     *    query names.) */
    "DROP INDEX standing_findings_open;"
    "CREATE INDEX standing_findings_open ON standing_findings(filing_id, cleared_on, id, rule, path, since)"
    "  WHERE cleared_on IS NULL;",
    /* 16 (issue 19): the generation of the records a filing's check reads (organisations, systems,
     *    materials, providers, overrides…), moved by every change of any table but those a save or
     *    a background worker writes and no check reads. A save keeps its records' findings while
     *    it has not moved (filing_facts_kept.h); SQLite's data_version moves with every save too.
     *    test_store checks that every other table moves it, so a new table does unless it is
     *    named in RECORDS_UNMOVED (store.h) on purpose. */
    "CREATE TABLE record_generation(n INTEGER NOT NULL);"
    "INSERT INTO record_generation(n) VALUES (0);"
    MOVES_RECORDS(orgs) MOVES_RECORDS(users) MOVES_RECORDS(systems) MOVES_RECORDS(rectifications)
    MOVES_RECORDS(rectification_items) MOVES_RECORDS(materials) MOVES_RECORDS(material_versions)
    MOVES_RECORDS(material_pins) MOVES_RECORDS(provider_profiles) MOVES_RECORDS(provider_evaluations)
    MOVES_RECORDS(overrides) MOVES_RECORDS(inspections) MOVES_RECORDS(inspection_notices)
    MOVES_RECORDS(record_evidence) MOVES_RECORDS(incidents) MOVES_RECORDS(incident_updates)
    MOVES_RECORDS(signed_statements) MOVES_RECORDS(webhooks) MOVES_RECORDS(notify_prefs),
    /* 17 (issue 19): a token's row changed (revoked, its expiry moved) or removed moves the records'
     *    generation too, so that a thread's kept principal (auth.c) can stand on it while other
     *    requests' saves move everything else. A new token (a sign-in) changes no principal already
     *    resolved and moves nothing: RECORDS_MOVED_NOT_BY_INSERTS (store.h). */
    "CREATE TRIGGER tokens_moves_records_update AFTER UPDATE ON tokens"
    " BEGIN UPDATE record_generation SET n = n + 1; END;"
    "CREATE TRIGGER tokens_moves_records_delete AFTER DELETE ON tokens"
    " BEGIN UPDATE record_generation SET n = n + 1; END;",
    /* 18 (issue 19): how many times a filing's row was written. A save reads the whole row before
     *    it checks the document, and the single writer then stores the new document only while
     *    this count has not moved (store_filing_save_document_if): nothing at all changed in
     *    between, so the save's reply is that read with what the save wrote, and the writer reads
     *    nothing. Every UPDATE of filings moves it (test_store checks each); the API never shows it. */
    "ALTER TABLE filings ADD COLUMN written INTEGER NOT NULL DEFAULT 0;",
};

const char *const *migrations_list(int *count)
{
    *count = (int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]);
    return MIGRATIONS;
}
