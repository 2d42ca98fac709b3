-- Distance kernels: every kernel set this CPU runs (see vecrag.simd_kernels())
-- must agree with the scalar one.  The sets are compared inside SQL and only
-- pass/fail is printed, so the output is the same on any CPU.

-- deterministic pseudo-random vector: elements in [-scale, scale)
CREATE FUNCTION pg_temp.test_vector(dim int, seed int, scale float8 DEFAULT 1)
RETURNS vector LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT ('[' || string_agg((scale * (2 * (x - floor(x)) - 1))::real::text, ',' ORDER BY i) || ']')::vector
	FROM generate_series(1, dim) i,
		LATERAL (SELECT sin(i * 12.9898 + seed * 78.233) * 43758.5453 AS x) h
$$;

-- vector of dim elements from an expression of i (1-based)
CREATE FUNCTION pg_temp.vector_of(dim int, expr text)
RETURNS vector LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
	result vector;
BEGIN
	EXECUTE format('SELECT (''['' || string_agg((%s)::real::text, '','' ORDER BY i) || '']'')::vector '
				   'FROM generate_series(1, $1) i', expr)
		INTO result USING dim;
	RETURN result;
END
$$;

-- one row per supported kernel set: its four distances for a and b
CREATE FUNCTION pg_temp.distances(a vector, b vector)
RETURNS TABLE (kernel text, l2sq float8, ip float8, l1 float8, cos float8)
LANGUAGE plpgsql VOLATILE STRICT AS $$
DECLARE
	saved text := current_setting('vecrag.simd');
BEGIN
	FOR kernel IN SELECT k.kernel FROM vecrag.simd_kernels() k WHERE k.supported LOOP
		PERFORM set_config('vecrag.simd', kernel, true);
		l2sq := vector_l2_squared_distance(a, b);
		ip := inner_product(a, b);
		l1 := l1_distance(a, b);
		cos := cosine_distance(a, b);
		RETURN NEXT;
	END LOOP;
	PERFORM set_config('vecrag.simd', saved, true);
END
$$;

-- each set against scalar: L2 and L1 to 1e-5 relative, the inner product to
-- 1e-5 of |a| |b| (its natural scale: the sum cancels), cosine distance to
-- 1e-5 absolute; equal values (including infinities and NaN) always pass.
-- detail is NULL when every set passes.
CREATE FUNCTION pg_temp.check(a vector, b vector, OUT ok boolean, OUT sets int, OUT detail text)
LANGUAGE sql VOLATILE STRICT AS $$
	WITH d AS (SELECT * FROM pg_temp.distances(a, b)),
	ref AS (SELECT * FROM d WHERE kernel = 'scalar'),
	cmp AS (
		SELECT d.kernel,
			(d.l2sq = r.l2sq OR abs(d.l2sq - r.l2sq) <= 1e-5 * abs(r.l2sq))
			AND (d.ip = r.ip OR abs(d.ip - r.ip) <= 1e-5 * vector_norm(a) * vector_norm(b))
			AND (d.l1 = r.l1 OR abs(d.l1 - r.l1) <= 1e-5 * abs(r.l1))
			AND (d.cos = r.cos OR abs(d.cos - r.cos) <= 1e-5) AS ok,
			format('%s dim %s: l2sq %s/%s ip %s/%s l1 %s/%s cos %s/%s', d.kernel, vector_dims(a),
				   d.l2sq, r.l2sq, d.ip, r.ip, d.l1, r.l1, d.cos, r.cos) AS detail
		FROM d, ref r)
	SELECT bool_and(ok), count(*)::int, string_agg(detail, '; ') FILTER (WHERE NOT ok) FROM cmp
$$;

-- the number of sets each check must have compared
CREATE TEMP TABLE supported AS
	SELECT count(*)::int AS n FROM vecrag.simd_kernels() WHERE supported;

-- random data at the dims the issue names, 4 pairs each
SELECT dim, bool_and(c.ok) AS all_sets_match_scalar,
	   bool_and(c.sets = (SELECT n FROM supported)) AS every_set_compared,
	   string_agg(c.detail, '; ') AS failures
FROM unnest(ARRAY[1, 3, 100, 1536, 16000]) dim, generate_series(1, 4) seed,
	 LATERAL pg_temp.check(pg_temp.test_vector(dim, seed), pg_temp.test_vector(dim, seed + 1000)) c
GROUP BY dim ORDER BY dim;

-- a vector against itself: distance 0 and cosine distance 0 on every path
SELECT bool_and(l2sq = 0 AND l1 = 0 AND abs(cos) < 1e-6) AS self_distance_zero
FROM unnest(ARRAY[1, 3, 100, 1536, 16000]) dim,
	 LATERAL pg_temp.distances(pg_temp.test_vector(dim, 7), pg_temp.test_vector(dim, 7));

-- tails: every length from 1 to 130 and around 192 and 256, on data whose
-- exact results (and partial sums) are integers below 2^24, so every set must
-- return them exactly: a[i] = i against b = ones.  A kernel that drops,
-- repeats or misplaces a tail element gets a different sum.
SELECT bool_and(l2sq = s.sq AND ip = s.lin AND l1 = s.lin - dim) AS tails_exact,
	   count(DISTINCT dim) AS lengths
FROM (SELECT generate_series(1, 130) AS dim
	  UNION SELECT n + d FROM unnest(ARRAY[192, 256]) n,
							  generate_series(-1, 1) d) dims,
	 LATERAL (SELECT sum(i)::float8 AS lin,
					 sum((i - 1) * (i - 1))::float8 AS sq
			  FROM generate_series(1, dim) i) s,
	 LATERAL pg_temp.distances(pg_temp.vector_of(dim, 'i'), pg_temp.vector_of(dim, '1'));

-- long tails: ones against zeros up to 16,000 dims, cosine of ones with itself
SELECT bool_and(d.l2sq = dim AND d.l1 = dim AND d.ip = 0 AND d.cos = 'NaN'
				AND s.ip = dim AND s.cos = 0) AS long_tails_exact
FROM unnest(ARRAY[1000, 1001, 1535, 1536, 1537, 4095, 4097, 15999, 16000]) dim,
	 LATERAL pg_temp.distances(pg_temp.vector_of(dim, '1'), pg_temp.vector_of(dim, '0')) d,
	 LATERAL pg_temp.distances(pg_temp.vector_of(dim, '1'), pg_temp.vector_of(dim, '1')) s
WHERE d.kernel = s.kernel;

-- tails on random data
SELECT bool_and(c.ok) AS random_tails_match_scalar, string_agg(c.detail, '; ') AS failures
FROM generate_series(1, 70) dim,
	 LATERAL pg_temp.check(pg_temp.test_vector(dim, dim), pg_temp.test_vector(dim, -dim)) c;

-- large magnitudes: elements up to 1e17 (squared sums near 1e37) and 1e-17
SELECT scale, bool_and(c.ok) AS all_sets_match_scalar, string_agg(c.detail, '; ') AS failures
FROM unnest(ARRAY[1e17, 1e-17]::float8[]) scale, unnest(ARRAY[3, 100, 1536]) dim,
	 LATERAL pg_temp.check(pg_temp.test_vector(dim, 1, scale), pg_temp.test_vector(dim, 2, scale)) c
GROUP BY scale ORDER BY scale;

-- results beyond float range are infinite on every path; cosine still works
SELECT kernel, l2sq, ip, l1, round(cos::numeric, 6) AS cos
FROM pg_temp.distances('[1e30,1e30,1e30]', '[-1e30,-1e30,-1e30]')
WHERE kernel = 'scalar';
SELECT bool_and(c.ok) AS overflow_same_on_every_path
FROM pg_temp.check('[1e30,1e30,1e30]', '[-1e30,-1e30,-1e30]') c;

-- a partial sum that overflows float although the result does not (elements
-- 1 and 65 both land in lane 0 of the first accumulator in the SIMD sets,
-- whose float sum is then infinite): every path returns 2e38
SELECT DISTINCT ip AS inner_product_every_path
FROM pg_temp.distances(pg_temp.vector_of(128, 'CASE WHEN i IN (1, 65) THEN 2e38 WHEN i = 128 THEN -2e38 ELSE 0 END'),
					   pg_temp.vector_of(128, '1'));

-- tiny vectors (squares below float range): cosine is scale-free, so it must
-- equal the cosine of the same vectors at scale 1 on every path
SELECT bool_and(abs(t.cos - u.cos) < 1e-6) AS tiny_cosine_exact
FROM unnest(ARRAY[3, 100, 1536]) dim,
	 LATERAL pg_temp.distances(pg_temp.test_vector(dim, 1, 1e-30), pg_temp.test_vector(dim, 2, 1e-30)) t,
	 LATERAL pg_temp.distances(pg_temp.test_vector(dim, 1), pg_temp.test_vector(dim, 2)) u
WHERE t.kernel = u.kernel;

-- a zero vector has no direction: cosine distance is NaN on every path
SELECT bool_and(cos = 'NaN') AS zero_vector_cosine_nan
FROM generate_series(1, 40) dim,
	 LATERAL pg_temp.distances(pg_temp.vector_of(dim, '0'), pg_temp.test_vector(dim, 3));
