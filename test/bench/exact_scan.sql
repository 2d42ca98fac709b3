-- test/bench/exact_scan.sql: one timed batch for test/bench/exact_scan.
-- psql variables: tbl (table), op (operator), nq (queries 1..nq), tck (clock
-- ticks per second of /proc).
-- Prints the answers (query id, the ten nearest ids), then one line with
-- the wall-clock seconds and the CPU seconds this backend spent on the one
-- statement (user + system, from /proc/self/stat; on a machine shared with
-- other work, CPU time is the steadier measure).
SELECT clock_timestamp() AS t0,
	   (f[12]::bigint + f[13]::bigint) AS cpu0
FROM string_to_array(split_part(pg_read_file('/proc/self/stat'), ') ', 2), ' ') f \gset
CREATE TEMP TABLE res AS
	SELECT q.id, ARRAY(SELECT g.id FROM :tbl g ORDER BY g.v :op q.v LIMIT 10) AS ids
	FROM glove_query q WHERE q.id <= :nq;
SELECT extract(epoch FROM clock_timestamp() - :'t0') AS wall,
	   (f[12]::bigint + f[13]::bigint - :cpu0)::float8 / :tck AS cpu
FROM string_to_array(split_part(pg_read_file('/proc/self/stat'), ') ', 2), ' ') f \gset
SELECT id, array_to_string(ids, ',') FROM res ORDER BY id;
\echo :wall :cpu
