-- hnsw opclasses for sparsevec: sparsevec_l2_ops, sparsevec_ip_ops, sparsevec_cosine_ops, sparsevec_l1_ops
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
-- 300 sparse vectors of 1,000 dimensions with 1 to 3 non-zeros, and 10 queries
CREATE TABLE sv (id int PRIMARY KEY, v sparsevec(1000));
INSERT INTO sv SELECT i, ('{' || (i * 7) % 1000 + 1 || ':' || (i % 9) - 4.5 || ',' || (i * 7) % 1000 + 2 || ':' || (i % 5) + 1
	|| CASE WHEN i % 3 = 0 THEN ',' || (i * 13) % 997 + 3 || ':' || (i % 4) + 0.5 ELSE '' END || '}/1000')::sparsevec
FROM generate_series(1, 300) i WHERE (i * 13) % 997 + 3 > (i * 7) % 1000 + 2 OR i % 3 <> 0;
CREATE TABLE sq (qid int, q sparsevec(1000));
INSERT INTO sq SELECT j, ('{' || (j * 35) % 1000 + 1 || ':' || j % 3 + 1 || ',' || (j * 35) % 1000 + 2 || ':2}/1000')::sparsevec FROM generate_series(1, 10) j;
CREATE TABLE exact AS
SELECT qid, array(SELECT round((v <-> q)::numeric, 6) FROM sv ORDER BY v <-> q LIMIT 5) AS l2,
	array(SELECT round((v <#> q)::numeric, 6) FROM sv ORDER BY v <#> q LIMIT 5) AS ip,
	array(SELECT round((v <=> q)::numeric, 6) FROM sv ORDER BY v <=> q LIMIT 5) AS cosine,
	array(SELECT round((v <+> q)::numeric, 6) FROM sv ORDER BY v <+> q LIMIT 5) AS l1
FROM sq;
CREATE INDEX sv_l2 ON sv USING hnsw (v sparsevec_l2_ops);
CREATE INDEX sv_cosine ON sv USING hnsw (v sparsevec_cosine_ops);
CREATE TABLE sv2 (id int PRIMARY KEY, v sparsevec(1000));
CREATE INDEX sv2_ip ON sv2 USING hnsw (v sparsevec_ip_ops);
CREATE INDEX sv2_l1 ON sv2 USING hnsw (v sparsevec_l1_ops);
INSERT INTO sv2 SELECT * FROM sv;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM sv ORDER BY v <-> '{1:1}/1000' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM sv ORDER BY v <=> '{1:1}/1000' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM sv2 ORDER BY v <#> '{1:1}/1000' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM sv2 ORDER BY v <+> '{1:1}/1000' LIMIT 5;
-- the index finds the exact nearest 5 (sorted distances to 6 decimals; "d + 0"
-- makes the planner sort rather than trust the index order)
SELECT count(*) AS queries,
	count(*) FILTER (WHERE array(SELECT round(d::numeric, 6) FROM (SELECT v <-> q AS d FROM sv ORDER BY v <-> q LIMIT 5) t ORDER BY d + 0::float8) = l2) AS l2_exact,
	count(*) FILTER (WHERE array(SELECT round(d::numeric, 6) FROM (SELECT v <#> q AS d FROM sv2 ORDER BY v <#> q LIMIT 5) t ORDER BY d + 0::float8) = ip) AS ip_exact,
	count(*) FILTER (WHERE array(SELECT round(d::numeric, 6) FROM (SELECT v <=> q AS d FROM sv ORDER BY v <=> q LIMIT 5) t ORDER BY d + 0::float8) = cosine) AS cosine_exact,
	count(*) FILTER (WHERE array(SELECT round(d::numeric, 6) FROM (SELECT v <+> q AS d FROM sv2 ORDER BY v <+> q LIMIT 5) t ORDER BY d + 0::float8) = l1) AS l1_exact
FROM sq JOIN exact USING (qid);
SELECT id, v FROM sv ORDER BY v <-> '{8:-1.5,9:4}/1000', id LIMIT 3;
RESET enable_seqscan;
-- an indexed value may have at most 1,000 non-zero elements
CREATE TABLE sv_big (v sparsevec(5000));
CREATE INDEX ON sv_big USING hnsw (v sparsevec_l2_ops);
INSERT INTO sv_big SELECT ('{' || string_agg(i || ':1', ',') || '}/5000')::sparsevec FROM generate_series(1, 1000) i;
SELECT pg_temp.error_of($$INSERT INTO sv_big SELECT ('{' || string_agg(i || ':1', ',') || '}/5000')::sparsevec FROM generate_series(1, 1001) i$$);
-- an index needs dimensions
CREATE TABLE sv_any (v sparsevec);
SELECT pg_temp.error_of($$CREATE INDEX ON sv_any USING hnsw (v sparsevec_l2_ops)$$);
DROP TABLE sv, sv2, sq, exact, sv_big, sv_any;
