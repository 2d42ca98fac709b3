-- hybrid_search with its BM25 loop on the compute thread (vecrag.hybrid_parallel):
-- results identical to the serial path, errors in the vector query while the loop
-- runs, and lists that stream from the btree (serial only)
\set SHOW_CONTEXT never
SET extra_float_digits = 3;

-- 3000 documents over ids 7 .. 21000 (several BM25 windows of 4096 ids), words
-- w0 .. w59 drawn with a skewed distribution, 4-d vectors
CREATE TABLE hp_docs (id int PRIMARY KEY, body text, embedding vector(4));
INSERT INTO hp_docs
SELECT i * 7,
	   (SELECT string_agg('w' || floor(60 * power(((i * 7919 + j * 104729) % 10007) / 10007.0, 2))::int, ' ')
		FROM generate_series(1, 12 + i % 9) j),
	   ARRAY[((i * 37) % 101) / 100.0, ((i * 53) % 97) / 96.0, ((i * 11) % 89) / 88.0, 0.5]::vector
FROM generate_series(1, 3000) i;
SELECT vecrag.bm25_create_index('hp_docs', 'body');
SHOW vecrag.hybrid_parallel;
CREATE TABLE hp_queries AS
SELECT q AS qid,
	   (SELECT string_agg('w' || ((q * 13 + j * 29) % 60), ' ') FROM generate_series(1, 1 + q % 5) j) AS qtext,
	   ARRAY[((q * 17) % 23) / 22.0, ((q * 5) % 19) / 18.0, ((q * 3) % 7) / 6.0, 0.25]::vector AS qvec
FROM generate_series(1, 60) q;

-- every query at several depths and both fusions, with the setting on and off
CREATE FUNCTION hp_run() RETURNS TABLE (qid int, variant int, id bigint, score float8, rank int,
		bm25_rank int, bm25_score float8, vector_rank int, vector_distance float8)
LANGUAGE sql VOLATILE AS $$
	SELECT q.qid, 1, h.* FROM hp_queries q, vecrag.hybrid_search('hp_docs', q.qtext, q.qvec, k => 10) h
	UNION ALL
	SELECT q.qid, 2, h.* FROM hp_queries q,
		vecrag.hybrid_search('hp_docs', q.qtext, q.qvec, k => 20, candidates => 100) h
	UNION ALL
	SELECT q.qid, 3, h.* FROM hp_queries q,
		vecrag.hybrid_search('hp_docs', q.qtext, q.qvec, k => 5, candidates => 1000, fusion => 'weighted',
							 weights => '{0.4,0.6}', distance => 'l2') h
$$;
SET vecrag.hybrid_parallel = off;
CREATE TEMP TABLE r_off AS SELECT * FROM hp_run();
SET vecrag.hybrid_parallel = on;
CREATE TEMP TABLE r_on AS SELECT * FROM hp_run();
-- the same rows (ids, ranks, scores bit for bit), none missing, none extra
SELECT count(*) AS rows, count(DISTINCT qid) AS queries, count(bm25_rank) AS with_bm25_rank FROM r_on;
SELECT count(*) AS only_parallel FROM (SELECT * FROM r_on EXCEPT ALL SELECT * FROM r_off) x;
SELECT count(*) AS only_serial FROM (SELECT * FROM r_off EXCEPT ALL SELECT * FROM r_on) x;
-- and the BM25 side is bm25_search's own result (ranks and scores)
SELECT count(*) AS bm25_score_differs
FROM r_on r JOIN hp_queries q USING (qid)
JOIN LATERAL vecrag.bm25_search('hp_docs_body_bm25', q.qtext, k => 1000) b ON b.id = r.id
WHERE r.variant = 3 AND r.bm25_rank IS NOT NULL AND (b.rank, b.score) IS DISTINCT FROM (r.bm25_rank, r.bm25_score);

-- hybrid_search refuses tables whose row-level security would apply (BM25
-- statistics cover every row), and the vector query is fixed SQL over int ids
-- and vecrag's operators, so no user code runs while the BM25 loop does
CREATE POLICY hp_all ON hp_docs USING (true);
ALTER TABLE hp_docs ENABLE ROW LEVEL SECURITY;
CREATE ROLE regress_hp_user;
GRANT SELECT ON hp_docs TO regress_hp_user;
SET ROLE regress_hp_user;
SELECT count(*) FROM vecrag.hybrid_search('hp_docs', 'w1 w3', '[1,0,0,0]', k => 10);
RESET ROLE;
DROP POLICY hp_all ON hp_docs;
ALTER TABLE hp_docs DISABLE ROW LEVEL SECURITY;
REVOKE ALL ON hp_docs FROM regress_hp_user;
DROP ROLE regress_hp_user;

-- an error inside the vector query while the loop runs on the thread (a row
-- whose vector has other dimensions than the query's): the error reaches the
-- caller, and the session goes on
CREATE TABLE hp_mixed (id int PRIMARY KEY, body text, embedding vector);
INSERT INTO hp_mixed SELECT id, body, embedding FROM hp_docs;
INSERT INTO hp_mixed VALUES (21001, 'w1 w2 w3', '[1,2,3]');
SELECT vecrag.bm25_create_index('hp_mixed', 'body');
SELECT count(*) FROM vecrag.hybrid_search('hp_mixed', 'w1 w3', '[1,0,0,0]', k => 10);
SELECT count(*) FROM vecrag.hybrid_search('hp_mixed', 'w1 w3', '[1,0,0,0]', k => 10);
-- caught in a subtransaction, many times over
DO $$
DECLARE
	errors int := 0;
BEGIN
	FOR i IN 1 .. 50 LOOP
		BEGIN
			PERFORM count(*) FROM vecrag.hybrid_search('hp_mixed', 'w' || (i % 60) || ' w2', '[1,0,0,0]', k => 10);
		EXCEPTION WHEN data_exception THEN
			errors := errors + 1;
		END;
	END LOOP;
	RAISE NOTICE '% of 50 calls failed', errors;
END $$;
-- the same searches on the same rows (the odd one removed) then match the serial ones
DELETE FROM hp_mixed WHERE id = 21001;
SET vecrag.hybrid_parallel = off;
CREATE TEMP TABLE mixed_off AS
SELECT q.qid, h.* FROM hp_queries q, vecrag.hybrid_search('hp_mixed', q.qtext, q.qvec, k => 10) h;
SET vecrag.hybrid_parallel = on;
CREATE TEMP TABLE mixed_on AS
SELECT q.qid, h.* FROM hp_queries q, vecrag.hybrid_search('hp_mixed', q.qtext, q.qvec, k => 10) h;
SELECT count(*) AS rows FROM mixed_on;
SELECT count(*) AS differs FROM (SELECT * FROM mixed_on EXCEPT ALL SELECT * FROM mixed_off
	UNION ALL SELECT * FROM mixed_off EXCEPT ALL SELECT * FROM mixed_on) x;
SELECT count(*) AS differs FROM (SELECT * FROM mixed_on EXCEPT ALL SELECT qid, id, score, rank, bm25_rank,
	bm25_score, vector_rank, vector_distance FROM r_off WHERE variant = 1) x;
CREATE TEMP TABLE after_errors AS SELECT * FROM hp_run();
SELECT count(*) AS differs FROM (SELECT * FROM after_errors EXCEPT ALL SELECT * FROM r_off
	UNION ALL SELECT * FROM r_off EXCEPT ALL SELECT * FROM after_errors) x;

-- lists that do not fit (no cache, tiny work_mem) stream from the btree: the
-- serial path, same results
SET vecrag.bm25_cache_size = 0;
SET work_mem = '64kB';
CREATE TEMP TABLE streamed AS SELECT * FROM hp_run();
SELECT count(*) AS differs FROM (SELECT * FROM streamed EXCEPT ALL SELECT * FROM r_off
	UNION ALL SELECT * FROM r_off EXCEPT ALL SELECT * FROM streamed) x;
-- no cache but lists in work_mem: parallel again, same results
RESET work_mem;
CREATE TEMP TABLE uncached AS SELECT * FROM hp_run();
SELECT count(*) AS differs FROM (SELECT * FROM uncached EXCEPT ALL SELECT * FROM r_off
	UNION ALL SELECT * FROM r_off EXCEPT ALL SELECT * FROM uncached) x;
RESET vecrag.bm25_cache_size;

-- the setting is per session and user-settable
SET vecrag.hybrid_parallel = off;
SHOW vecrag.hybrid_parallel;
RESET vecrag.hybrid_parallel;
SHOW vecrag.hybrid_parallel;
-- the parallel path is taken (a DEBUG1 message says so)
SET client_min_messages = debug1;
SELECT count(*) FROM vecrag.hybrid_search('hp_docs', 'w1 w3', '[1,0,0,0]', k => 10);
SET vecrag.hybrid_parallel = off;
SELECT count(*) FROM vecrag.hybrid_search('hp_docs', 'w1 w3', '[1,0,0,0]', k => 10);
RESET client_min_messages;
RESET vecrag.hybrid_parallel;

-- the thread also tokenizes the query and takes its terms from the cache:
-- repeated and upper-case terms, a term absent from the corpus (cached with
-- no postings), a query without terms; the serial path first, which caches
-- every term, then the parallel one
CREATE TEMP TABLE edge_q (n int, qtext text);
INSERT INTO edge_q VALUES (1, 'w1 w59 w3'), (2, 'w1 nosuchterm w3'), (3, 'W1 w1 w1, w3 w3!'),
	(4, 'nosuchterm');
SET vecrag.hybrid_parallel = off;
CREATE TEMP TABLE edge_off AS SELECT e.n, h.* FROM edge_q e,
	vecrag.hybrid_search('hp_docs', e.qtext, '[1,0,0,0]', k => 10) h;
RESET vecrag.hybrid_parallel;
CREATE TEMP TABLE edge_on AS SELECT e.n, h.* FROM edge_q e,
	vecrag.hybrid_search('hp_docs', e.qtext, '[1,0,0,0]', k => 10) h;
SELECT n, count(*), count(bm25_rank) AS bm25_rows FROM edge_on GROUP BY n ORDER BY n;
SELECT count(*) AS differs FROM (SELECT * FROM edge_on EXCEPT ALL SELECT * FROM edge_off
	UNION ALL SELECT * FROM edge_off EXCEPT ALL SELECT * FROM edge_on) x;
-- a term not cached yet: the search begins again on the main thread (DEBUG1)
SET client_min_messages = debug1;
SELECT count(*), count(bm25_rank) FROM vecrag.hybrid_search('hp_docs', 'w2 unseen', '[1,0,0,0]', k => 10);
SELECT count(*), count(bm25_rank) FROM vecrag.hybrid_search('hp_docs', 'w2 unseen', '[1,0,0,0]', k => 10);
RESET client_min_messages;
SELECT count(*) FROM vecrag.hybrid_search('hp_docs', '?! --', '[1,0,0,0]', k => 10);
SET vecrag.hybrid_parallel = off;
SELECT count(*) FROM vecrag.hybrid_search('hp_docs', '?! --', '[1,0,0,0]', k => 10);
RESET vecrag.hybrid_parallel;
DROP TABLE hp_docs, hp_mixed, hp_queries;
DROP FUNCTION hp_run;
