-- hybrid_search's vector side run as the planned index scan without the
-- executor: the same rows, ranks and distances as the query through the
-- executor, for hnsw and ivf, integer id types, rows deleted in the
-- transaction and zero vectors; other plans (here: no index) go through SPI
\set SHOW_CONTEXT never
SET extra_float_digits = 3;

-- 2000 documents, 8-d vectors, a few zero vectors (no cosine distance)
CREATE TABLE hx_docs (id bigint PRIMARY KEY, body text, embedding vector(8));
INSERT INTO hx_docs
SELECT i, 'w' || (i % 17) || ' w' || (i % 5) || ' w' || (i % 11),
	   CASE WHEN i % 400 = 0 THEN '[0,0,0,0,0,0,0,0]'::vector
	   ELSE (SELECT array_agg(((i * 7919 + d * 104729) % 1009) / 1008.0 - 0.5)::vector
			 FROM generate_series(1, 8) d) END
FROM generate_series(1, 2000) i;
SELECT vecrag.bm25_create_index('hx_docs', 'body');
CREATE INDEX hx_cos ON hx_docs USING hnsw (embedding vector_cosine_ops);
CREATE INDEX hx_l2 ON hx_docs USING ivf (embedding vector_l2_ops) WITH (lists = 8);
ANALYZE hx_docs;
SET ivf.probes = 3;
CREATE TABLE hx_queries AS
SELECT q AS qid, 'w' || (q % 17) || ' w' || (q % 11) AS qtext,
	   (SELECT array_agg(((q * 6121 + d * 7127) % 997) / 996.0 - 0.5)::vector FROM generate_series(1, 8) d) AS qvec
FROM generate_series(1, 40) q;

-- the planner picks the indexes even on this small table; saved plans keep
-- the choice made when they were built
SET enable_seqscan = off;
SET jit = off;

-- the vector rows of hybrid_search (candidates => depth, every fused row
-- returned) next to those of the same query run by the executor
CREATE FUNCTION hx_diff(tbl regclass, dist text, depth int DEFAULT 30) RETURNS TABLE (hybrid_rows bigint, executor_rows bigint, differ bigint)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	op text := CASE dist WHEN 'cosine' THEN '<=>' ELSE '<->' END;
BEGIN
	EXECUTE format($q$
		CREATE TEMP TABLE h AS
		SELECT q.qid, r.id, r.vector_rank, r.vector_distance
		FROM hx_queries q, vecrag.hybrid_search(%L, q.qtext, q.qvec, k => 1000, candidates => %s,
												  distance => %L) r
		WHERE r.vector_rank IS NOT NULL$q$, tbl, depth, dist);
	EXECUTE format($q$
		CREATE TEMP TABLE e AS
		SELECT qid, id::bigint, (row_number() OVER (PARTITION BY qid ORDER BY n))::int AS vector_rank, d AS vector_distance
		FROM (SELECT q.qid, x.id, x.d, x.n FROM hx_queries q,
				LATERAL (SELECT id, embedding %s q.qvec AS d, row_number() OVER () AS n
						 FROM (SELECT id, embedding FROM %s ORDER BY embedding %s q.qvec LIMIT %s) o) x) y
		WHERE d <> 'NaN'$q$, op, tbl, op, depth);
	RETURN QUERY SELECT (SELECT count(*) FROM h), (SELECT count(*) FROM e),
		(SELECT count(*) FROM ((SELECT * FROM h EXCEPT ALL SELECT * FROM e)
							   UNION ALL (SELECT * FROM e EXCEPT ALL SELECT * FROM h)) x);
	DROP TABLE h, e;
END $$;

-- hnsw (cosine) and ivf (l2): the plan is the index scan, run directly
SELECT * FROM hx_diff('hx_docs', 'cosine');
SELECT * FROM hx_diff('hx_docs', 'l2');
-- deeper than the first allocation of rows
SELECT * FROM hx_diff('hx_docs', 'l2', 200);
SET client_min_messages = debug1;
SELECT count(*) FROM vecrag.hybrid_search('hx_docs', 'w1 w2', '[1,0,0,0,0,0,0,0]', k => 5);
SELECT count(*) FROM vecrag.hybrid_search('hx_docs', 'w1 w2', '[1,0,0,0,0,0,0,0]', k => 5, distance => 'l2');
RESET client_min_messages;

-- rows deleted in this transaction are not candidates (the caller's snapshot)
BEGIN;
DELETE FROM hx_docs WHERE id IN (SELECT id FROM hx_docs ORDER BY embedding <=> (SELECT qvec FROM hx_queries WHERE qid = 1) LIMIT 5);
SELECT * FROM hx_diff('hx_docs', 'cosine');
SELECT count(*) AS deleted_rows_returned
FROM hx_queries q, vecrag.hybrid_search('hx_docs', q.qtext, q.qvec, k => 1000, candidates => 30) r
WHERE NOT EXISTS (SELECT 1 FROM hx_docs d WHERE d.id = r.id);
ROLLBACK;

-- without the index the plan sorts the table: through SPI (exact)
DROP INDEX hx_cos;
SELECT * FROM hx_diff('hx_docs', 'cosine');
SET client_min_messages = debug1;
SELECT count(*) FROM vecrag.hybrid_search('hx_docs', 'w1 w2', '[1,0,0,0,0,0,0,0]', k => 5);
RESET client_min_messages;

-- int and smallint ids
CREATE TABLE hx_small (id smallint PRIMARY KEY, body text, embedding vector(8));
INSERT INTO hx_small SELECT id, body, embedding FROM hx_docs WHERE id <= 300;
CREATE TABLE hx_int (id int PRIMARY KEY, body text, embedding vector(8));
INSERT INTO hx_int SELECT id, body, embedding FROM hx_docs WHERE id <= 300;
SELECT vecrag.bm25_create_index('hx_small', 'body');
SELECT vecrag.bm25_create_index('hx_int', 'body');
CREATE INDEX hx_small_cos ON hx_small USING hnsw (embedding vector_cosine_ops);
CREATE INDEX hx_int_cos ON hx_int USING hnsw (embedding vector_cosine_ops);
ANALYZE hx_small, hx_int;
SELECT * FROM hx_diff('hx_small', 'cosine');
SELECT * FROM hx_diff('hx_int', 'cosine');
SET client_min_messages = debug1;
SELECT count(*) FROM vecrag.hybrid_search('hx_small', 'w1 w2', '[1,0,0,0,0,0,0,0]', k => 5);
RESET client_min_messages;

RESET enable_seqscan;
RESET jit;
DROP FUNCTION hx_diff(regclass, text, int);
DROP TABLE hx_docs, hx_small, hx_int, hx_queries;
