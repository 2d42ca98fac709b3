-- test/bench/exact_scan.sql: one timed batch for test/bench/exact_scan.
-- psql variables: tbl (table), op (operator), nq (queries 1..nq).
-- Prints the answers (query id, the ten nearest ids) and then the seconds
-- the batch took, measured in the server around the one statement.
SELECT clock_timestamp() AS t0 \gset
CREATE TEMP TABLE res AS
	SELECT q.id, ARRAY(SELECT g.id FROM :tbl g ORDER BY g.v :op q.v LIMIT 10) AS ids
	FROM glove_query q WHERE q.id <= :nq;
SELECT extract(epoch FROM clock_timestamp() - :'t0') AS secs \gset
SELECT id, array_to_string(ids, ',') FROM res ORDER BY id;
\echo :secs
