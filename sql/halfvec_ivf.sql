-- ivf and ivfflat opclasses for halfvec: halfvec_l2_ops, halfvec_ip_ops, halfvec_cosine_ops
CREATE FUNCTION pg_temp.error_of(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	detail text;
BEGIN
	EXECUTE query;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
	RETURN SQLSTATE || ': ' || SQLERRM || CASE WHEN detail <> '' THEN ' [' || detail || ']' ELSE '' END;
END
$$;
CREATE TABLE hi (id int PRIMARY KEY, v halfvec(3));
INSERT INTO hi SELECT i, ARRAY[i % 10 - 4.5, (i / 10) % 10 - 4.5, i / 100 - 1.5]::halfvec FROM generate_series(0, 399) i;
CREATE TABLE hq (qid int, q halfvec(3));
INSERT INTO hq SELECT j, ARRAY[(j * 7) % 11 - 5.25, (j * 5) % 9 - 4.25, (j * 3) % 5 - 2.125]::halfvec FROM generate_series(1, 12) j;
-- exact top-5 distances (to 6 decimals) from a sequential scan, before any index exists
CREATE TABLE exact AS
SELECT qid, array(SELECT round((v <-> q)::numeric, 6) FROM hi ORDER BY v <-> q LIMIT 5) AS l2,
	array(SELECT round((v <#> q)::numeric, 6) FROM hi ORDER BY v <#> q LIMIT 5) AS ip,
	array(SELECT round((v <=> q)::numeric, 6) FROM hi ORDER BY v <=> q LIMIT 5) AS cosine
FROM hq;
CREATE INDEX hi_l2 ON hi USING ivfflat (v halfvec_l2_ops) WITH (lists = 4);
CREATE INDEX hi_ip ON hi USING ivf (v halfvec_ip_ops) WITH (lists = 4);
CREATE INDEX hi_cosine ON hi USING ivf (v halfvec_cosine_ops) WITH (lists = 4, quantizer = 'sq8');
SET enable_seqscan = off;
SET ivfflat.probes = 4;
SET ivf.probes = 4;
EXPLAIN (COSTS OFF) SELECT id FROM hi ORDER BY v <-> '[1,2,3]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM hi ORDER BY v <#> '[1,2,3]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM hi ORDER BY v <=> '[1,2,3]' LIMIT 5;
-- probing every list, the index finds the exact nearest 5 (sorted distances;
-- "d + 0" makes the planner sort rather than trust the index order)
SELECT count(*) AS queries,
	count(*) FILTER (WHERE array(SELECT round(d::numeric, 6) FROM (SELECT v <-> q AS d FROM hi ORDER BY v <-> q LIMIT 5) t ORDER BY d + 0::float8) = l2) AS l2_exact,
	count(*) FILTER (WHERE array(SELECT round(d::numeric, 6) FROM (SELECT v <#> q AS d FROM hi ORDER BY v <#> q LIMIT 5) t ORDER BY d + 0::float8) = ip) AS ip_exact,
	count(*) FILTER (WHERE array(SELECT round(d::numeric, 6) FROM (SELECT v <=> q AS d FROM hi ORDER BY v <=> q LIMIT 5) t ORDER BY d + 0::float8) = cosine) AS cosine_exact
FROM hq JOIN exact USING (qid);
-- rows inserted after the build are found
INSERT INTO hi VALUES (1000, '[10,10,10]');
SELECT id FROM hi ORDER BY v <-> '[9.5,9.5,9.5]' LIMIT 1;
RESET enable_seqscan;
-- an index needs dimensions
CREATE TABLE hi_any (v halfvec);
SELECT pg_temp.error_of($$CREATE INDEX ON hi_any USING ivfflat (v halfvec_l2_ops)$$);
DROP TABLE hi, hq, exact, hi_any;
