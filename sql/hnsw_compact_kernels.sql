-- hnsw compact-copy kernels: the SIMD sets (vecrag.simd = avx2, avx512)
-- against the portable scalar one, for 8-bit and 1-bit copies at widths
-- that leave every kind of tail after the vector blocks (8, 16, 32 and 64
-- floats; 16, 32 and 64 bytes).  The rerank returns rows in exact order,
-- so to see the estimated distances this test reads the raw candidate
-- stream: an iterative scan with hnsw.ef_search = 1 reranks one candidate
-- at a time, and its order is decided by the estimated distances alone.
--   scan_diff:  streams under each SIMD set that differ from scalar's, on
--               the graph built by the scalar set (query x element sums);
--   build_diff: scalar streams on the graph built under each SIMD set that
--               differ from those on scalar's graph (element x element
--               sums, which are exact integers: the graphs must be equal).
-- Sets this CPU lacks are skipped, so the expected output holds on any
-- machine; on one without AVX2 the test compares scalar with itself.
-- estimated: the index stream differs from the exact order, so it shows
-- the estimates (at 1 dimension both codes are exact: offset or mean is
-- the value).  A kernel that drops one element of its tail changes
-- scan_diff at every width with that tail; build_diff catches most such
-- errors (a graph may come out the same despite a slightly wrong distance).
SET client_min_messages = warning;

-- deterministic rows without duplicates or ties
CREATE FUNCTION ck_vec(i int, dim int) RETURNS real[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT array_agg((sin(i * 0.37e0 + j * (0.11e0 + (i % 5) * 0.03e0)) +
					  0.2e0 * cos(i * j * 0.017e0) + (i % 3) * 0.05e0)::real ORDER BY j)
	FROM generate_series(1, dim) j
$$;

-- every row, in the order the index yields its candidates (or with
-- via_index false in exact order), for each query, the queries' streams
-- separated by 0
CREATE FUNCTION ck_streams(tbl regclass, op text, qids int[], via_index boolean DEFAULT true)
RETURNS int[]
LANGUAGE plpgsql AS $$
DECLARE
	q int;
	s int[];
	r int[] := '{}';
BEGIN
	PERFORM set_config('enable_seqscan', (NOT via_index)::text, true);
	PERFORM set_config('enable_indexscan', via_index::text, true);
	PERFORM set_config('hnsw.iterative_scan', 'relaxed_order', true);
	PERFORM set_config('hnsw.ef_search', '1', true);
	PERFORM set_config('vecrag.hnsw_rerank', '0', true);
	FOREACH q IN ARRAY qids LOOP
		EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM %s ORDER BY v %s '
					   '(SELECT v FROM %s WHERE id = %s) LIMIT 100000) s', tbl, op, tbl, q) INTO s;
		r := r || s || 0;
	END LOOP;
	RETURN r;
END $$;

-- a table of rows rows of dim dimensions with an hnsw index on a compact
-- copy in format under operator class ops; the two counts described above,
-- whether the baseline streams hold every row, and whether they differ
-- from the exact order (they should: the stream shows estimates)
CREATE FUNCTION ck_check(dim int, format text, ops text, op text, rows int,
						 qids int[] DEFAULT '{3,17,29}')
RETURNS TABLE (dims int, storage text, scan_diff int, build_diff int,
			   all_rows boolean, estimated boolean)
LANGUAGE plpgsql AS $$
DECLARE
	base int[];
	exact int[];
	simd text;
BEGIN
	EXECUTE format('CREATE TABLE ck (id int PRIMARY KEY, v vector(%s)) WITH (autovacuum_enabled = off)', dim);
	INSERT INTO ck SELECT i, ck_vec(i, dim) FROM generate_series(1, rows) i;
	PERFORM set_config('vecrag.simd', 'scalar', true);
	EXECUTE format('CREATE INDEX ck_idx ON ck USING hnsw (v %s) WITH (m = 6, ef_construction = 12%s)',
				   ops, CASE WHEN format = 'auto' THEN '' ELSE format(', compact = %L', format) END);
	base := ck_streams('ck', op, qids);
	exact := ck_streams('ck', op, qids, false);
	dims := dim;
	storage := format;
	scan_diff := 0;
	build_diff := 0;
	all_rows := cardinality(base) = (rows + 1) * cardinality(qids);
	estimated := base IS DISTINCT FROM exact;
	FOREACH simd IN ARRAY ARRAY['avx2', 'avx512'] LOOP
		BEGIN
			PERFORM set_config('vecrag.simd', simd, true);
		EXCEPTION WHEN feature_not_supported THEN
			CONTINUE;
		END;
		IF ck_streams('ck', op, qids) IS DISTINCT FROM base THEN
			scan_diff := scan_diff + 1;
		END IF;
		REINDEX INDEX ck_idx;
		PERFORM set_config('vecrag.simd', 'scalar', true);
		IF ck_streams('ck', op, qids) IS DISTINCT FROM base THEN
			build_diff := build_diff + 1;
		END IF;
		REINDEX INDEX ck_idx;
	END LOOP;
	DROP TABLE ck;
	RETURN NEXT;
END $$;

-- 8-bit codes: tails of 1..63 floats and 1..31 bytes
SELECT * FROM ck_check(1, 'sq8', 'vector_l2_ops', '<->', 100);
SELECT * FROM ck_check(7, 'sq8', 'vector_l2_ops', '<->', 100);
SELECT * FROM ck_check(9, 'sq8', 'vector_l2_ops', '<->', 100);
SELECT * FROM ck_check(17, 'sq8', 'vector_l2_ops', '<->', 100);
SELECT * FROM ck_check(33, 'sq8', 'vector_l2_ops', '<->', 100);
SELECT * FROM ck_check(63, 'sq8', 'vector_l2_ops', '<->', 100);
SELECT * FROM ck_check(64, 'sq8', 'vector_l2_ops', '<->', 100);
SELECT * FROM ck_check(100, 'sq8', 'vector_ip_ops', '<#>', 100);
SELECT * FROM ck_check(257, 'sq8', 'vector_l2_ops', '<->', 100);
SELECT * FROM ck_check(1001, 'sq8', 'vector_cosine_ops', '<=>', 100);
-- the format the index picks by itself at 6,000 dimensions
SELECT * FROM ck_check(6000, 'auto', 'vector_l2_ops', '<->', 60);

-- 1-bit codes: tails of 1..63 bits in a word and 1..63 bytes in a block
SELECT * FROM ck_check(1, 'bit', 'vector_l2_ops', '<->', 100);
SELECT * FROM ck_check(7, 'bit', 'vector_l2_ops', '<->', 100);
SELECT * FROM ck_check(9, 'bit', 'vector_l2_ops', '<->', 100);
SELECT * FROM ck_check(17, 'bit', 'vector_l2_ops', '<->', 100);
SELECT * FROM ck_check(63, 'bit', 'vector_l2_ops', '<->', 100);
SELECT * FROM ck_check(65, 'bit', 'vector_l2_ops', '<->', 100);
SELECT * FROM ck_check(255, 'bit', 'vector_ip_ops', '<#>', 100);
SELECT * FROM ck_check(300, 'bit', 'vector_l2_ops', '<->', 100);
SELECT * FROM ck_check(513, 'bit', 'vector_l2_ops', '<->', 100);
SELECT * FROM ck_check(1100, 'bit', 'vector_cosine_ops', '<=>', 100);
-- the format the index picks by itself at 16,000 dimensions
SELECT * FROM ck_check(16000, 'auto', 'vector_l2_ops', '<->', 40);

DROP FUNCTION ck_check, ck_streams, ck_vec;
