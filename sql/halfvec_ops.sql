-- halfvec distances, norms, arithmetic, comparison, btree and aggregates
-- errors are shown with their SQLSTATE: error_of() runs a statement and returns
-- "SQLSTATE: message [detail]" (or "ok")
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
-- distances (exact on these values)
SELECT '[1,2]'::halfvec <-> '[4,6]', l2_distance('[1,2]'::halfvec, '[4,6]');
SELECT '[1,2]'::halfvec <#> '[3,4]', inner_product('[1,2]'::halfvec, '[3,4]');
SELECT '[1,2]'::halfvec <=> '[2,4]', cosine_distance('[1,0]'::halfvec, '[0,1]'), cosine_distance('[1,1]'::halfvec, '[-1,-1]');
SELECT cosine_distance('[0,0]'::halfvec, '[1,1]');
SELECT '[1,2]'::halfvec <+> '[4,-6]', l1_distance('[1,2]'::halfvec, '[4,-6]');
SELECT halfvec_l2_squared_distance('[1,2]', '[4,6]'), halfvec_negative_inner_product('[1,2]', '[3,4]');
SELECT halfvec_spherical_distance('[1,0]', '[0,1]'), halfvec_spherical_distance('[1,0]', '[1,0]');
-- computed in float: the sum of squares exceeds the half range without error
SELECT '[60000,60000]'::halfvec <-> '[-60000,-60000]', inner_product('[60000]'::halfvec, '[60000]');
-- the kernels (F16C where the CPU has it) agree with vector's float kernels,
-- for every length 1..40 (full 8-wide blocks and every tail length)
SELECT count(*) AS mismatches FROM (
	SELECT n,
		(SELECT array_agg(((i * 7) % 13 - 6) / 4.0)::real[] FROM generate_series(1, n) i) AS a,
		(SELECT array_agg(((i * 5) % 11 - 4) / 8.0)::real[] FROM generate_series(1, n) i) AS b
	FROM generate_series(1, 40) n) t
WHERE a::halfvec <-> b::halfvec <> a::halfvec::vector <-> b::halfvec::vector
	OR inner_product(a::halfvec, b::halfvec) <> inner_product(a::halfvec::vector, b::halfvec::vector)
	OR l1_distance(a::halfvec, b::halfvec) <> l1_distance(a::halfvec::vector, b::halfvec::vector)
	OR abs(cosine_distance(a::halfvec, b::halfvec) - cosine_distance(a::halfvec::vector, b::halfvec::vector)) > 1e-6;
-- longer vectors (AVX-512: four 16-wide accumulators, then 16-wide steps, then a
-- masked tail) agree with vector's kernels to float rounding
SELECT count(*) AS mismatches FROM (
	SELECT n,
		(SELECT array_agg(((i * 7) % 13 - 6) / 4.0)::real[] FROM generate_series(1, n) i) AS a,
		(SELECT array_agg(((i * 5) % 11 - 4) / 8.0)::real[] FROM generate_series(1, n) i) AS b
	FROM unnest(ARRAY[63, 64, 65, 79, 80, 100, 127, 128, 129, 300, 768, 1536]) n) t
WHERE abs((a::halfvec <-> b::halfvec) - (a::halfvec::vector <-> b::halfvec::vector)) > 1e-5 * (a::halfvec::vector <-> b::halfvec::vector)
	OR abs(inner_product(a::halfvec, b::halfvec) - inner_product(a::halfvec::vector, b::halfvec::vector)) > 1e-5 * n
	OR abs(l1_distance(a::halfvec, b::halfvec) - l1_distance(a::halfvec::vector, b::halfvec::vector)) > 1e-5 * l1_distance(a::halfvec::vector, b::halfvec::vector)
	OR abs(cosine_distance(a::halfvec, b::halfvec) - cosine_distance(a::halfvec::vector, b::halfvec::vector)) > 1e-6;
-- the same with the portable scalar kernels (vecrag.simd = scalar selects them here too)
SET vecrag.simd = scalar;
SELECT count(*) AS mismatches FROM (
	SELECT n,
		(SELECT array_agg(((i * 7) % 13 - 6) / 4.0)::real[] FROM generate_series(1, n) i) AS a,
		(SELECT array_agg(((i * 5) % 11 - 4) / 8.0)::real[] FROM generate_series(1, n) i) AS b
	FROM generate_series(1, 40) n) t
WHERE a::halfvec <-> b::halfvec <> a::halfvec::vector <-> b::halfvec::vector
	OR inner_product(a::halfvec, b::halfvec) <> inner_product(a::halfvec::vector, b::halfvec::vector)
	OR l1_distance(a::halfvec, b::halfvec) <> l1_distance(a::halfvec::vector, b::halfvec::vector)
	OR abs(cosine_distance(a::halfvec, b::halfvec) - cosine_distance(a::halfvec::vector, b::halfvec::vector)) > 1e-6;
RESET vecrag.simd;
-- dimension mismatch
SELECT pg_temp.error_of($$SELECT '[1,2]'::halfvec <-> '[1,2,3]'$$);
SELECT pg_temp.error_of($$SELECT inner_product('[1,2]'::halfvec, '[1]')$$);
SELECT pg_temp.error_of($$SELECT '[1,2]'::halfvec <=> '[1]'$$);
SELECT pg_temp.error_of($$SELECT '[1,2]'::halfvec <+> '[1]'$$);
SELECT pg_temp.error_of($$SELECT '[1,2]'::halfvec + '[1]'$$);
-- dims, norm, normalize
SELECT vector_dims('[1,2,3]'::halfvec), l2_norm('[3,4]'::halfvec), l2_norm('[0,0]'::halfvec);
SELECT l2_normalize('[3,4]'::halfvec), l2_normalize('[0,0]'::halfvec), l2_normalize('[65504,65504]'::halfvec);
-- arithmetic, rounded once to half; overflow and underflow are errors
SELECT '[1,2]'::halfvec + '[3,4.5]', '[1,2]'::halfvec - '[3,4.5]', '[1,2]'::halfvec * '[3,4.5]';
SELECT pg_temp.error_of($$SELECT '[65504]'::halfvec + '[65504]'$$);
SELECT pg_temp.error_of($$SELECT '[-65504]'::halfvec - '[65504]'$$);
SELECT pg_temp.error_of($$SELECT '[300]'::halfvec * '[300]'$$);
SELECT pg_temp.error_of($$SELECT '[1e-4]'::halfvec * '[1e-4]'$$);
-- concatenation and subvector
SELECT '[1,2]'::halfvec || '[3]';
SELECT pg_temp.error_of($$SELECT array_fill(1, ARRAY[8000])::halfvec || array_fill(1, ARRAY[8001])::halfvec$$);
SELECT subvector('[1,2,3,4,5]'::halfvec, 2, 3), subvector('[1,2,3,4,5]'::halfvec, 0, 3), subvector('[1,2,3,4,5]'::halfvec, 4, 10);
SELECT subvector('[1,2,3]'::halfvec, 3, 2147483647), subvector('[1,2,3]'::halfvec, -1, 3);
SELECT pg_temp.error_of($$SELECT subvector('[1,2,3]'::halfvec, -2147483647, 2147483647)$$);
SELECT pg_temp.error_of($$SELECT subvector('[1,2,3]'::halfvec, 4, 1)$$);
SELECT pg_temp.error_of($$SELECT subvector('[1,2,3]'::halfvec, 1, 0)$$);
SELECT pg_temp.error_of($$SELECT subvector('[1,2,3]'::halfvec, -5, 3)$$);
-- comparison: element by element, then the shorter first
SELECT '[1,2]'::halfvec < '[1,3]', '[1,2]'::halfvec < '[1,2,0]', '[1,2]'::halfvec = '[1,2.0001]', '[1,2]'::halfvec <> '[1,2]';
SELECT halfvec_cmp('[2]', '[1,5]'), halfvec_cmp('[1]', '[1]'), '[0]'::halfvec = '[-0]';
CREATE TABLE hv_items (id int, v halfvec(3));
INSERT INTO hv_items VALUES (1, '[1,2,3]'), (2, '[1,1,9]'), (3, '[-1,5,5]'), (4, '[1,2,3]'), (5, NULL);
SELECT id, v FROM hv_items ORDER BY v, id;
CREATE INDEX ON hv_items (v);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM hv_items WHERE v = '[1,2,3]';
SELECT id FROM hv_items WHERE v = '[1,2,3]' ORDER BY id;
RESET enable_seqscan;
-- nearest neighbours by every distance
SELECT id, v <-> '[1,2,4]' AS l2 FROM hv_items WHERE v IS NOT NULL ORDER BY v <-> '[1,2,4]', id LIMIT 3;
SELECT id FROM hv_items WHERE v IS NOT NULL ORDER BY v <#> '[0,0,1]', id LIMIT 2;
SELECT id FROM hv_items WHERE v IS NOT NULL ORDER BY v <=> '[-1,5,5]', id LIMIT 2;
SELECT id FROM hv_items WHERE v IS NOT NULL ORDER BY v <+> '[1,1,8]', id LIMIT 2;
-- aggregates
SELECT avg(v), sum(v) FROM hv_items;
SELECT avg(v), sum(v) FROM hv_items WHERE false;
SELECT avg(v) FROM (VALUES ('[65504]'::halfvec), ('[65504]')) t(v);
SELECT pg_temp.error_of($$SELECT sum(v) FROM (VALUES ('[65504]'::halfvec), ('[65504]')) t(v)$$);
SELECT pg_temp.error_of($$SELECT avg(v) FROM (VALUES ('[1,2]'::halfvec), ('[1]')) t(v)$$);
SELECT halfvec_combine('{2,4,6}', '{1,1,1}'), halfvec_combine('{0}', '{1,1,1}'), halfvec_combine('{1,1,1}', '{0}');
-- parallel aggregation uses the combine function
CREATE TABLE hv_many AS SELECT i, ARRAY[i % 10, (i % 7) - 3]::halfvec AS v FROM generate_series(1, 20000) i;
ANALYZE hv_many;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT avg(v) FROM hv_many;
SELECT sum(v) FROM hv_many WHERE i <= 100;
-- a half-precision running sum rounds: past 2048 adding 1 is lost (as in pgvector)
SELECT sum(v) FROM (VALUES ('[2048]'::halfvec), ('[1]')) t(v);
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
DROP TABLE hv_items, hv_many;
