-- sparsevec distances, norms, comparison, btree and casts
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
SELECT '{1:1,2:2}/3'::sparsevec <-> '{1:4,2:6}/3', l2_distance('{1:3}/3'::sparsevec, '{3:4}/3');
SELECT '{1:1,2:2}/3'::sparsevec <#> '{1:3,2:4}/3', inner_product('{1:1,2:2}/3'::sparsevec, '{2:4,3:5}/3');
SELECT '{1:1,2:2}/3'::sparsevec <=> '{1:2,2:4}/3', cosine_distance('{1:1}/2'::sparsevec, '{2:1}/2'), cosine_distance('{1:1}/2'::sparsevec, '{1:-3}/2');
SELECT cosine_distance('{}/2'::sparsevec, '{1:1}/2');
SELECT '{1:1,2:2}/3'::sparsevec <+> '{2:-2,3:3}/3', l1_distance('{}/3'::sparsevec, '{3:-3}/3');
SELECT sparsevec_l2_squared_distance('{1:1}/3', '{3:1}/3'), sparsevec_negative_inner_product('{1:2}/3', '{1:3}/3');
-- every distance equals the dense vector's on the same values (merge of sorted indices)
SELECT count(*) AS mismatches FROM (
	SELECT n,
		(SELECT array_agg(CASE WHEN i % 3 = 0 THEN 0 ELSE ((i * 7) % 13 - 6) / 4.0 END)::real[] FROM generate_series(1, n) i) AS a,
		(SELECT array_agg(CASE WHEN i % 4 = 1 THEN 0 ELSE ((i * 5) % 11 - 4) / 8.0 END)::real[] FROM generate_series(1, n) i) AS b
	FROM generate_series(2, 30) n) t
WHERE a::sparsevec <-> b::sparsevec <> a::halfvec::vector <-> b::halfvec::vector
	OR a::sparsevec <#> b::sparsevec <> a::halfvec::vector <#> b::halfvec::vector
	OR a::sparsevec <+> b::sparsevec <> a::halfvec::vector <+> b::halfvec::vector
	OR abs((a::sparsevec <=> b::sparsevec) - (a::halfvec::vector <=> b::halfvec::vector)) > 1e-6;
-- dimension mismatch
SELECT pg_temp.error_of($$SELECT '{1:1}/2'::sparsevec <-> '{1:1}/3'$$);
SELECT pg_temp.error_of($$SELECT '{1:1}/2'::sparsevec <#> '{1:1}/3'$$);
SELECT pg_temp.error_of($$SELECT '{1:1}/2'::sparsevec <=> '{1:1}/3'$$);
SELECT pg_temp.error_of($$SELECT '{1:1}/2'::sparsevec <+> '{1:1}/3'$$);
-- norms: a zero vector normalizes to itself
SELECT l2_norm('{1:3,5:4}/5'::sparsevec), l2_norm('{}/5'::sparsevec);
SELECT l2_normalize('{1:3,5:4}/5'::sparsevec), l2_normalize('{}/5'::sparsevec), l2_normalize('{1:3e38,2:3e38}/2'::sparsevec);
-- values too small to survive normalization are dropped, not kept as zeros
SELECT l2_normalize('{1:1e-30,2:1e10}/2'::sparsevec);
-- comparison: as the dense vectors compare
SELECT '{1:1}/3'::sparsevec < '{2:1}/3', '{2:-1}/3'::sparsevec < '{}/3', '{}/2'::sparsevec < '{}/3', '{1:1}/3'::sparsevec = '{1:1}/3';
SELECT sparsevec_cmp('{3:1}/3', '{}/4'), sparsevec_cmp('{1:1,3:2}/3', '{1:1,2:5}/3'), sparsevec_cmp('{1:-1}/3', '{1:-1,2:1}/3');
CREATE TABLE sv_items (id int, v sparsevec(4));
INSERT INTO sv_items VALUES (1, '{1:1,3:2}/4'), (2, '{}/4'), (3, '{4:-1}/4'), (4, '{1:1,2:0.5}/4'), (5, '{1:1,3:2}/4'), (6, NULL);
-- sorting agrees with the dense vectors
SELECT id, v FROM sv_items ORDER BY v, id;
SELECT array_agg(id ORDER BY v, id) = array_agg(id ORDER BY v::halfvec::real[], id) AS same_order FROM sv_items WHERE v IS NOT NULL;
CREATE INDEX ON sv_items (v);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM sv_items WHERE v = '{1:1,3:2}/4';
SELECT id FROM sv_items WHERE v = '{1:1,3:2}/4' ORDER BY id;
RESET enable_seqscan;
SELECT id FROM sv_items WHERE v IS NOT NULL ORDER BY v <-> '{1:1,3:1}/4', id LIMIT 3;
SELECT id FROM sv_items WHERE v IS NOT NULL ORDER BY v <#> '{3:1}/4', id LIMIT 2;
DROP TABLE sv_items;
-- casts: dense -> sparse drops zeros; sparse -> dense fills them in
SELECT '[0,1.5,0,-2]'::vector::sparsevec, '[0,1.5,0,-2]'::halfvec::sparsevec, '[0,0]'::vector::sparsevec;
SELECT '{2:1.5,4:-2}/4'::sparsevec::vector, '{2:1.5,4:-2}/4'::sparsevec::halfvec, '{}/2'::sparsevec::vector;
SELECT '[0,1]'::vector::sparsevec(2), '{1:1}/2'::sparsevec::vector(2), '{1:1}/2'::sparsevec::halfvec(2);
SELECT ARRAY[0,1,0]::sparsevec, ARRAY[0,1.5]::real[]::sparsevec, ARRAY[0,2.5]::float8[]::sparsevec, ARRAY[0,3]::numeric[]::sparsevec;
SELECT pg_temp.error_of($$SELECT '[0,1]'::vector::sparsevec(3)$$);
SELECT pg_temp.error_of($$SELECT '{1:1}/2'::sparsevec::vector(3)$$);
SELECT pg_temp.error_of($$SELECT '{1:1}/16001'::sparsevec::vector$$);
SELECT pg_temp.error_of($$SELECT '{1:1}/16001'::sparsevec::halfvec$$);
SELECT pg_temp.error_of($$SELECT '{1:70000}/2'::sparsevec::halfvec$$);
SELECT pg_temp.error_of($$SELECT ARRAY[1,NULL]::sparsevec$$);
SELECT pg_temp.error_of($$SELECT ARRAY['NaN']::real[]::sparsevec$$);
SELECT pg_temp.error_of($$SELECT ARRAY[[1]]::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{}'::real[]::sparsevec$$);
-- 16000 dims converts; more than 16000 non-zeros cannot exist, so a dense
-- vector always fits
SELECT l2_norm(('[' || repeat('1,', 15999) || '1]')::vector::sparsevec);
-- implicit vector -> sparsevec on assignment
CREATE TABLE sv_cast (v sparsevec(3));
INSERT INTO sv_cast VALUES ('[0,2,0]'::vector), ('[1,0,0]'::halfvec);
SELECT v FROM sv_cast ORDER BY v;
DROP TABLE sv_cast;
