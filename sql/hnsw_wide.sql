-- hnsw on wide vectors (beyond 2,000 dimensions for vector, 4,000 for
-- halfvec, up to 16,000): the index keeps a compact copy (half precision,
-- 8-bit or 1-bit codes) and scans rerank with the exact value from the table
SET client_min_messages = warning;

-- deterministic synthetic rows: 12 clusters, each a smooth base curve plus
-- a per-row wiggle, so neighbours are meaningful and ties are absent
CREATE FUNCTION wide_vec(i int, dim int) RETURNS real[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT array_agg((sin((i % 12) * 1.7e0 + j * 0.013e0 * (1 + i % 12)) +
					  0.35e0 * sin(i * 0.91e0 + j * (0.05e0 + (i % 7) * 0.011e0)) +
					  0.1e0 * cos(i * j * 0.0007e0))::real ORDER BY j)
	FROM generate_series(1, dim) j
$$;

-- top-k through the index (which must be used) against an exact scan, for
-- query rows qids of table tbl under operator op; filter is an extra WHERE
CREATE FUNCTION wide_check(tbl regclass, op text, qids int[], k int DEFAULT 10,
						   filter text DEFAULT 'true')
RETURNS TABLE (qid int, index_used boolean, same boolean, n int)
LANGUAGE plpgsql AS $$
DECLARE
	q int;
	sql text;
	idx int[];
	ex int[];
	line text;
BEGIN
	FOREACH q IN ARRAY qids LOOP
		sql := format('SELECT id FROM %s WHERE %s ORDER BY v %s (SELECT v FROM %s WHERE id = %s) LIMIT %s',
					  tbl, filter, op, tbl, q, k);
		PERFORM set_config('enable_seqscan', 'off', true);
		index_used := false;
		FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || sql LOOP
			index_used := index_used OR line ~ ('Index Scan using \S+ on ' || tbl::text || '\M');
		END LOOP;
		EXECUTE format('SELECT array_agg(id) FROM (%s) s', sql) INTO idx;
		PERFORM set_config('enable_seqscan', 'on', true);
		PERFORM set_config('enable_indexscan', 'off', true);
		EXECUTE format('SELECT array_agg(id) FROM (%s) s', sql) INTO ex;
		PERFORM set_config('enable_indexscan', 'on', true);
		qid := q; same := idx = ex; n := cardinality(idx);
		RETURN NEXT;
	END LOOP;
END $$;

-- an iterative scan behind a filter: how many rows, whether all pass the
-- filter and whether they come in exact distance order
CREATE FUNCTION wide_iterative(tbl regclass, op text, q int, k int, filter text)
RETURNS TABLE (n bigint, all_match boolean, ordered boolean)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('enable_seqscan', 'off', true);
	RETURN QUERY EXECUTE format(
		'SELECT count(*), bool_and(%s), coalesce(bool_and(d >= pd), true)
		 FROM (SELECT id, v, d, lag(d) OVER () AS pd
			   FROM (SELECT id, v, v %s (SELECT v FROM %s WHERE id = %s) AS d FROM %s
					 WHERE %s ORDER BY v %s (SELECT v FROM %s WHERE id = %s) LIMIT %s) s) t',
		filter, op, tbl, q, tbl, filter, op, tbl, q, k);
END $$;

-- index pages per 100 rows: shows what an element holds
CREATE FUNCTION wide_pages(idx regclass, rows int) RETURNS int
LANGUAGE sql AS $$
	SELECT ((pg_relation_size(idx) / current_setting('block_size')::int - 1) * 100 / rows)::int
$$;

SET hnsw.ef_search = 200;

-- vector(3000): half precision, one element a page
CREATE TABLE w3 (id int PRIMARY KEY, v vector(3000)) WITH (autovacuum_enabled = off);
INSERT INTO w3 SELECT i, wide_vec(i, 3000) FROM generate_series(1, 150) i;
INSERT INTO w3 VALUES (0, NULL);
CREATE INDEX w3_l2 ON w3 USING hnsw (v vector_l2_ops);
SELECT wide_pages('w3_l2', 150);
SELECT * FROM wide_check('w3', '<->', '{7,50,149}');
-- the nearest rows and their exact distances, in order
SET enable_seqscan = off;
SELECT id, round((v <-> (SELECT v FROM w3 WHERE id = 7))::numeric, 4) AS dist
FROM w3 ORDER BY v <-> (SELECT v FROM w3 WHERE id = 7) LIMIT 5;
RESET enable_seqscan;
-- inserts after the build, then deletes and VACUUM
INSERT INTO w3 SELECT i, wide_vec(i, 3000) FROM generate_series(151, 220) i;
SELECT * FROM wide_check('w3', '<->', '{7,160,219}');
DELETE FROM w3 WHERE id % 4 = 1;
VACUUM w3;
SELECT * FROM wide_check('w3', '<->', '{7,160,219}');
-- a deleted row never comes back, even when all are read
SET enable_seqscan = off;
SET hnsw.ef_search = 1000;
SELECT count(*) AS n, count(*) FILTER (WHERE id % 4 = 1) AS deleted
FROM (SELECT id FROM w3 ORDER BY v <-> (SELECT v FROM w3 WHERE id = 8)) s;
RESET enable_seqscan;
SET hnsw.ef_search = 200;
REINDEX INDEX w3_l2;
SELECT * FROM wide_check('w3', '<->', '{7,160,219}');
-- the default ef_search: 40 candidates by estimate, reranked
SET hnsw.ef_search = 40;
SELECT * FROM wide_check('w3', '<->', '{7,160,219}');
SET hnsw.ef_search = 200;
-- taxicab distance and cosine on the same column
CREATE INDEX w3_l1 ON w3 USING hnsw (v vector_l1_ops);
SELECT * FROM wide_check('w3', '<+>', '{12,100}');
DROP INDEX w3_l1;

-- vector(6000): 8-bit codes, cosine and inner product
CREATE TABLE w6 (id int PRIMARY KEY, v vector(6000)) WITH (autovacuum_enabled = off);
INSERT INTO w6 SELECT i, wide_vec(i, 6000) FROM generate_series(1, 120) i;
CREATE INDEX w6_cos ON w6 USING hnsw (v vector_cosine_ops);
SELECT wide_pages('w6_cos', 120);
SELECT * FROM wide_check('w6', '<=>', '{3,60,118}');
INSERT INTO w6 SELECT i, wide_vec(i, 6000) FROM generate_series(121, 160) i;
-- a zero vector cannot be placed under cosine: not indexed, as in pgvector
INSERT INTO w6 SELECT 0, array_fill(0, ARRAY[6000])::vector;
SELECT * FROM wide_check('w6', '<=>', '{3,130}');
DROP INDEX w6_cos;
CREATE INDEX w6_ip ON w6 USING hnsw (v vector_ip_ops);
SELECT * FROM wide_check('w6', '<#>', '{3,60,130}');

-- vector(16000): 1-bit codes, 2,000 bytes a row
CREATE TABLE w16 (id int PRIMARY KEY, v vector(16000)) WITH (autovacuum_enabled = off);
INSERT INTO w16 SELECT i, wide_vec(i, 16000) FROM generate_series(1, 100) i;
CREATE INDEX w16_l2 ON w16 USING hnsw (v vector_l2_ops) WITH (m = 8, ef_construction = 32);
SELECT wide_pages('w16_l2', 100);
SELECT * FROM wide_check('w16', '<->', '{5,42,99}');
INSERT INTO w16 SELECT i, wide_vec(i, 16000) FROM generate_series(101, 130) i;
SELECT * FROM wide_check('w16', '<->', '{5,110}');
SET hnsw.ef_search = 40;
SELECT * FROM wide_check('w16', '<->', '{5,42,110}');
-- iterative scans behind a filter: k rows when k match, in exact order
SET hnsw.iterative_scan = strict_order;
SET hnsw.ef_search = 10;
SELECT * FROM wide_iterative('w16', '<->', 5, 8, 'id % 5 = 2');
SELECT * FROM wide_iterative('w16', '<->', 110, 8, 'id % 5 = 2');
-- a rerank depth covering the table makes one chunk: the exact answer
SET hnsw.iterative_scan = relaxed_order;
SET vecrag.hnsw_rerank = 200;
SELECT * FROM wide_check('w16', '<->', '{5,110}', 8, 'id % 5 = 2');
RESET vecrag.hnsw_rerank;
RESET hnsw.iterative_scan;
SET hnsw.ef_search = 200;

-- halfvec beyond its 4,000: 8-bit codes at 5,000, 1-bit codes at 16,000
CREATE TABLE h5 (id int PRIMARY KEY, v halfvec(5000)) WITH (autovacuum_enabled = off);
INSERT INTO h5 SELECT i, wide_vec(i, 5000)::vector::halfvec FROM generate_series(1, 100) i;
CREATE INDEX h5_l2 ON h5 USING hnsw (v halfvec_l2_ops);
SELECT wide_pages('h5_l2', 100);
SELECT * FROM wide_check('h5', '<->', '{9,77}');
CREATE TABLE h16 (id int PRIMARY KEY, v halfvec(16000)) WITH (autovacuum_enabled = off);
INSERT INTO h16 SELECT i, wide_vec(i, 16000)::vector::halfvec FROM generate_series(1, 80) i;
CREATE INDEX h16_cos ON h16 USING hnsw (v halfvec_cosine_ops);
SELECT wide_pages('h16_cos', 80);
SELECT * FROM wide_check('h16', '<=>', '{9,77}');

-- a compact copy on request (reloption compact), for narrower columns too
CREATE TABLE n256 (id int PRIMARY KEY, v vector(256)) WITH (autovacuum_enabled = off);
INSERT INTO n256 SELECT i, wide_vec(i, 256) FROM generate_series(1, 300) i;
CREATE INDEX n256_full ON n256 USING hnsw (v vector_l2_ops);
CREATE INDEX n256_bit ON n256 USING hnsw (v vector_l2_ops) WITH (compact = 'bit');
SELECT wide_pages('n256_full', 300) AS full_pages, wide_pages('n256_bit', 300) AS bit_pages;
DROP INDEX n256_full;
SELECT * FROM wide_check('n256', '<->', '{3,150,299}');
DROP INDEX n256_bit;
CREATE INDEX n256_sq8 ON n256 USING hnsw (v vector_cosine_ops) WITH (compact = 'sq8');
SELECT * FROM wide_check('n256', '<=>', '{3,150,299}');
CREATE INDEX ON n256 USING hnsw (v vector_l2_ops) WITH (compact = 'bogus');
CREATE INDEX ON w16 USING hnsw (v vector_l2_ops) WITH (compact = 'half');
CREATE TABLE nbits (v bit(64));
CREATE INDEX ON nbits USING hnsw (v bit_hamming_ops) WITH (compact = 'sq8');

-- bad input: still clear errors
CREATE TABLE wbad (id int, v vector(16001));
CREATE TABLE wbad (id int, v halfvec(16001));
SET enable_seqscan = off;
SELECT id FROM w16 ORDER BY v <-> '[1,2,3]' LIMIT 1;
INSERT INTO w16 VALUES (999, '[1,2,3]');
CREATE TABLE wnodim (id int, v vector);
INSERT INTO wnodim VALUES (1, '[1,2,3]');
CREATE INDEX ON wnodim USING hnsw (v vector_l2_ops);
RESET enable_seqscan;

DROP TABLE w3, w6, w16, h5, h16, wnodim, n256, nbits;
DROP FUNCTION wide_vec(int, int), wide_check(regclass, text, int[], int, text),
	wide_iterative(regclass, text, int, int, text), wide_pages(regclass, int);
