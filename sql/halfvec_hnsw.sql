-- hnsw opclasses for halfvec: halfvec_l2_ops, halfvec_ip_ops, halfvec_cosine_ops, halfvec_l1_ops
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
-- 400 distinct points on a 3-d grid, and 12 queries
CREATE TABLE hh (id int PRIMARY KEY, v halfvec(3));
INSERT INTO hh SELECT i, ARRAY[i % 10 - 4.5, (i / 10) % 10 - 4.5, i / 100 - 1.5]::halfvec FROM generate_series(0, 399) i;
CREATE TABLE hq (qid int, q halfvec(3));
INSERT INTO hq SELECT j, ARRAY[(j * 7) % 11 - 5.25, (j * 5) % 9 - 4.25, (j * 3) % 5 - 2.125]::halfvec FROM generate_series(1, 12) j;
-- exact top-5 distances (to 6 decimals) from a sequential scan, before any index exists
CREATE TABLE exact AS
SELECT qid, array(SELECT round((v <-> q)::numeric, 6) FROM hh ORDER BY v <-> q LIMIT 5) AS l2,
	array(SELECT round((v <#> q)::numeric, 6) FROM hh ORDER BY v <#> q LIMIT 5) AS ip,
	array(SELECT round((v <=> q)::numeric, 6) FROM hh ORDER BY v <=> q LIMIT 5) AS cosine,
	array(SELECT round((v <+> q)::numeric, 6) FROM hh ORDER BY v <+> q LIMIT 5) AS l1
FROM hq;
-- built on the filled table (l2, cosine), or empty and filled by inserts (ip, l1)
CREATE INDEX hh_l2 ON hh USING hnsw (v halfvec_l2_ops);
CREATE INDEX hh_cosine ON hh USING hnsw (v halfvec_cosine_ops) WITH (m = 8, ef_construction = 32);
CREATE TABLE hh2 (id int PRIMARY KEY, v halfvec(3));
CREATE INDEX hh2_ip ON hh2 USING hnsw (v halfvec_ip_ops);
CREATE INDEX hh2_l1 ON hh2 USING hnsw (v halfvec_l1_ops);
INSERT INTO hh2 SELECT * FROM hh;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM hh ORDER BY v <-> '[1,2,3]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM hh ORDER BY v <=> '[1,2,3]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM hh2 ORDER BY v <#> '[1,2,3]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM hh2 ORDER BY v <+> '[1,2,3]' LIMIT 5;
-- the index finds the exact nearest 5, compared as sorted distances so ties do not
-- matter (cosine ranks unit vectors rounded to half precision, so near-ties may swap;
-- "d + 0" makes the planner sort rather than trust the index order)
SELECT count(*) AS queries,
	count(*) FILTER (WHERE array(SELECT round(d::numeric, 6) FROM (SELECT v <-> q AS d FROM hh ORDER BY v <-> q LIMIT 5) t ORDER BY d + 0::float8) = l2) AS l2_exact,
	count(*) FILTER (WHERE array(SELECT round(d::numeric, 6) FROM (SELECT v <#> q AS d FROM hh2 ORDER BY v <#> q LIMIT 5) t ORDER BY d + 0::float8) = ip) AS ip_exact,
	count(*) FILTER (WHERE array(SELECT round(d::numeric, 6) FROM (SELECT v <=> q AS d FROM hh ORDER BY v <=> q LIMIT 5) t ORDER BY d + 0::float8) = cosine) AS cosine_exact,
	count(*) FILTER (WHERE array(SELECT round(d::numeric, 6) FROM (SELECT v <+> q AS d FROM hh2 ORDER BY v <+> q LIMIT 5) t ORDER BY d + 0::float8) = l1) AS l1_exact
FROM hq JOIN exact USING (qid);
EXPLAIN (COSTS OFF) SELECT array(SELECT round((v <-> q)::numeric, 6) FROM hh ORDER BY v <-> q LIMIT 5) FROM hq;
SELECT id, v FROM hh ORDER BY v <-> '[0.5,0.5,0.5]', id LIMIT 3;
-- deletes and vacuum keep the index usable
DELETE FROM hh WHERE id % 2 = 0;
VACUUM hh;
SELECT count(*) FILTER (WHERE id % 2 = 0) AS deleted_found, count(*) FROM (SELECT id FROM hh ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 10) t;
RESET enable_seqscan;
-- cosine: a zero vector is not indexed (its cosine distance is NaN)
INSERT INTO hh VALUES (1000, '[0,0,0]');
SET enable_seqscan = off;
SELECT count(*) FROM (SELECT id FROM hh ORDER BY v <=> '[1,1,1]' LIMIT 500) t WHERE id = 1000;
RESET enable_seqscan;
-- limits: an index needs dimensions, at most 4,000
CREATE TABLE hh_any (v halfvec);
SELECT pg_temp.error_of($$CREATE INDEX ON hh_any USING hnsw (v halfvec_l2_ops)$$);
-- beyond 4,000 dimensions the index keeps a compact copy (see hnsw_wide)
CREATE TABLE hh_big (v halfvec(4001));
SELECT pg_temp.error_of($$CREATE INDEX ON hh_big USING hnsw (v halfvec_l2_ops)$$);
CREATE TABLE hh_max (v halfvec(4000));
INSERT INTO hh_max SELECT array_fill(i, ARRAY[4000])::halfvec FROM generate_series(1, 3) i;
CREATE INDEX ON hh_max USING hnsw (v halfvec_l2_ops);
INSERT INTO hh_max SELECT array_fill(i, ARRAY[4000])::halfvec FROM generate_series(4, 6) i;
SET enable_seqscan = off;
SELECT (v::real[])[1] AS first FROM hh_max ORDER BY v <-> array_fill(4.2, ARRAY[4000])::halfvec LIMIT 2;
RESET enable_seqscan;
DROP TABLE hh, hh2, hq, exact, hh_any, hh_big, hh_max;
