#!/bin/sh
# What an alert row's INSERT costs in PostgreSQL alone, by form and by
# what the table carries: 16,000 synthetic alert rows of the shape ingest
# writes, into copies of a freshly migrated `alerts` table, in one
# transaction each.
#   - bulk, one statement: primary key only / the table's indexes / and its
#     services foreign key;
#   - 2,000 eight-row inserts in a PL/pgSQL loop (prepared, as the
#     server's are): plain / ON CONFLICT DO NOTHING / inside the CTE guard
#     `WITH w AS (… RETURNING 1) SELECT 1 / (COUNT(*) = 8)::int FROM w`.
# The plain eight-row insert is the baseline the others compare with.
#
#   bench/pg-insert-forms.sh [HYPERCARE_BINARY]   (default ./hypercare)
#   DATABASE_URL='postgres://…?sslmode=disable'   (default: the local test database)
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
bin=${1:-./hypercare}
url=${DATABASE_URL:-postgres://root@127.0.0.1:5432/test?sslmode=disable}
port=18670
psql "$url" -qc "DROP SCHEMA IF EXISTS hcforms CASCADE; CREATE SCHEMA hcforms;" 2> /dev/null
"$bin" serve --config "$dir/ingest-config.yaml" --database-url "$url&search_path=hcforms" \
	--listen 127.0.0.1:$port --log-level warn &
pid=$!
trap 'kill $pid 2> /dev/null || true' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz > /dev/null 2>&1 && break; sleep 0.1; done
kill $pid
wait $pid 2> /dev/null || true
svc=$(psql "$url" -Atc "SELECT id FROM hcforms.services LIMIT 1")
cols="id, service_id, incident_id, integration_id, dedup_key, status, summary, severity, source, component, grp, class, custom_details, links, images, event_count, first_seen_at, last_seen_at, acknowledged_at, resolved_at, symptom_of, sent_key, rule_urgency, rule_priority"
psql "$url" -q -v ON_ERROR_STOP=1 <<SQL 2>&1 | grep -E 'Time|ERROR'
SET search_path = hcforms;
CREATE TABLE pk (LIKE alerts INCLUDING DEFAULTS); ALTER TABLE pk ADD PRIMARY KEY (id);
CREATE TABLE ix (LIKE alerts INCLUDING ALL);
CREATE TABLE fk (LIKE alerts INCLUDING ALL); ALTER TABLE fk ADD FOREIGN KEY (service_id) REFERENCES services(id);
CREATE TABLE p (LIKE alerts INCLUDING ALL);
CREATE TABLE o (LIKE alerts INCLUDING ALL);
CREATE TABLE c (LIKE alerts INCLUDING ALL);
CREATE TEMP TABLE src AS SELECT g AS n, lpad(to_hex(g), 26, '0') AS id, '$svc'::text AS service_id, NULL::text AS incident_id,
  'bench'::text AS integration_id, md5(g::text) AS dedup_key, 'triggered'::text AS status, 'disk full on host ' || g AS summary,
  'error'::text AS severity, 'loadgen'::text AS source, ''::text AS component, ''::text AS grp, ''::text AS class,
  '{"host":"h' || g || '","n":' || g || '}' AS custom_details, NULL::text AS links, NULL::text AS images, 1::bigint AS event_count,
  (1800000000000000 + g)::bigint AS first_seen_at, (1800000000000000 + g)::bigint AS last_seen_at, NULL::bigint AS acknowledged_at,
  NULL::bigint AS resolved_at, ''::text AS symptom_of, ''::text AS sent_key, ''::text AS rule_urgency, ''::text AS rule_priority
  FROM generate_series(1, 16000) g;
CREATE INDEX ON src (n);
\echo bulk, one statement: primary key only / the table's indexes / and the services foreign key
\timing on
INSERT INTO pk SELECT $cols FROM src;
INSERT INTO ix SELECT $cols FROM src;
INSERT INTO fk SELECT $cols FROM src;
\timing off
\echo eight-row inserts: plain / ON CONFLICT DO NOTHING / CTE guard
\timing on
DO \$\$ BEGIN FOR i IN 0..1999 LOOP
  INSERT INTO p SELECT $cols FROM src WHERE n > i*8 AND n <= i*8+8;
END LOOP; END \$\$;
DO \$\$ BEGIN FOR i IN 0..1999 LOOP
  INSERT INTO o SELECT $cols FROM src WHERE n > i*8 AND n <= i*8+8 ON CONFLICT DO NOTHING;
END LOOP; END \$\$;
DO \$\$ DECLARE x int; BEGIN FOR i IN 0..1999 LOOP
  WITH w AS (INSERT INTO c SELECT $cols FROM src WHERE n > i*8 AND n <= i*8+8 ON CONFLICT DO NOTHING RETURNING 1)
  SELECT 1 / (COUNT(*) = 8)::int INTO x FROM w;
END LOOP; END \$\$;
SQL
psql "$url" -qc "DROP SCHEMA hcforms CASCADE" 2> /dev/null
