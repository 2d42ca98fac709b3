-- avg(vector) and sum(vector)
SELECT avg(v), sum(v) FROM (VALUES ('[1,2,3]'::vector), ('[3,5,7]'), ('[2,2,2]')) t(v);
SELECT avg(v), sum(v) FROM (VALUES ('[1,2]'::vector), (NULL), ('[2,3]')) t(v);
-- no rows, or only NULLs: NULL, as avg() and sum() of no values in SQL
SELECT avg(v), sum(v) FROM (VALUES (NULL::vector)) t(v);
SELECT avg(v), sum(v) FROM (SELECT '[1]'::vector WHERE false) t(v);
-- avg sums in double precision: no float4 overflow or loss in the middle
SELECT avg(v) FROM (VALUES ('[3e38,1]'::vector), ('[3e38,1e-8]'), ('[-3e38,-1]')) t(v);
SELECT avg(v) FROM (SELECT '[0.1]'::vector FROM generate_series(1, 1000)) t(v);
-- sum adds in float4 as pgvector does, so overflow is an error
SELECT sum(v) FROM (VALUES ('[3e38]'::vector), ('[3e38]')) t(v);
-- dimension mismatch
SELECT avg(v) FROM (VALUES ('[1,2]'::vector), ('[1,2,3]')) t(v);
SELECT sum(v) FROM (VALUES ('[1,2]'::vector), ('[1,2,3]')) t(v);
-- GROUP BY, and as a window function
SELECT g, avg(v), sum(v) FROM (VALUES (1, '[1,1]'::vector), (1, '[3,3]'), (2, '[5,6]')) t(g, v)
GROUP BY g ORDER BY g;
SELECT i, avg(v) OVER (ORDER BY i ROWS BETWEEN 1 PRECEDING AND CURRENT ROW),
       sum(v) OVER (ORDER BY i)
FROM (VALUES (1, '[1,10]'::vector), (2, '[3,20]'), (3, '[5,60]')) t(i, v) ORDER BY i;
-- 16000 dimensions
SELECT vector_dims(avg(v)), avg(v) = array_fill(2::real, ARRAY[16000])::vector AS ok
FROM (VALUES (array_fill(1::real, ARRAY[16000])::vector), (array_fill(3::real, ARRAY[16000])::vector)) t(v);

-- the state functions, called directly: {count, sum_1, ..., sum_dim}
SELECT vector_accum('{0}', '[1,2]');
SELECT vector_accum(vector_accum('{0}', '[1,2]'), '[3,4]');
SELECT vector_combine('{2,4,6}', '{1,1,1}'), vector_combine('{0}', '{1,1,1}'),
       vector_combine('{2,4,6}', '{0}'), vector_combine('{0}', '{0}');
SELECT vector_avg('{4,2,6}'), vector_avg('{0}'), vector_avg('{0,0,0}');
SELECT vector_accum('{1,2}', '[1,2]');
SELECT vector_combine('{1,2}', '{1,2,3}');
SELECT vector_combine('{1,1e308}', '{1,1e308}');
-- malformed states are errors, not crashes
SELECT vector_accum('{}', '[1]');
SELECT vector_accum('{{0}}', '[1]');
SELECT vector_accum('{0,NULL}', '[1]');
SELECT vector_avg('{1}');
SELECT vector_avg('{1,NaN}');
SELECT vector_avg(array_fill(1::float8, ARRAY[16002]));

-- aggregate definitions: parallel safe with combine functions, no
-- serialization needed since the states are plain arrays or vectors
SELECT aggfnoid::regprocedure, aggtransfn, aggcombinefn, aggfinalfn, aggtranstype::regtype,
       aggserialfn, agginitval, proparallel
FROM pg_aggregate JOIN pg_proc ON pg_proc.oid = aggfnoid
WHERE aggfnoid IN ('avg(vector)'::regprocedure, 'sum(vector)'::regprocedure)
ORDER BY 1::text;

-- parallel aggregation gives the same answer as a serial one
CREATE TABLE vector_agg_t (id int, g int, v vector(3));
INSERT INTO vector_agg_t
SELECT i, i % 3, ARRAY[i % 7, (i % 11) * 0.5, -(i % 13)]::real[] FROM generate_series(1, 30000) i;
INSERT INTO vector_agg_t VALUES (0, 0, NULL);
ANALYZE vector_agg_t;
SELECT avg(v), sum(v), count(v) FROM vector_agg_t;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT avg(v), sum(v) FROM vector_agg_t;
SELECT avg(v), sum(v), count(v) FROM vector_agg_t;
EXPLAIN (COSTS OFF) SELECT g, avg(v), sum(v) FROM vector_agg_t GROUP BY g ORDER BY g;
SELECT g, avg(v), sum(v) FROM vector_agg_t GROUP BY g ORDER BY g;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SELECT g, avg(v), sum(v) FROM vector_agg_t GROUP BY g ORDER BY g;
DROP TABLE vector_agg_t;
