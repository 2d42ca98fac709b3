-- casts between vector and arrays
SELECT ARRAY[1,2,3]::vector;
SELECT ARRAY[1.5,2.25,-3]::real[]::vector;
SELECT ARRAY[1.5,2.25,-3]::double precision[]::vector;
SELECT ARRAY[1.5,2.25,-3]::numeric[]::vector;
SELECT '{0.1,1e-40}'::double precision[]::vector;
SELECT '{0.1,1e-40}'::numeric[]::vector;
SELECT '[1,2.5,-3]'::vector::real[];
SELECT pg_typeof('[1]'::vector::real[]);
SELECT '{1,2,3}'::int[]::vector(3);
SELECT ('[1,2,3]'::vector::real[])[2];
SELECT ARRAY[16777217]::vector;
SELECT '[2:3]={5,6}'::int[]::vector;

-- round trip through real[] is exact
SELECT v::real[]::vector = v AS round_trip
FROM (VALUES ('[0.1,-1e-45,3.4028235e38,7.25]'::vector)) t(v);

-- bad arrays
SELECT '{}'::real[]::vector;
SELECT '{{1,2},{3,4}}'::real[]::vector;
SELECT '{1,NULL,3}'::real[]::vector;
SELECT '{1,NaN}'::real[]::vector;
SELECT '{1,Infinity}'::real[]::vector;
SELECT '{-Infinity}'::double precision[]::vector;
SELECT '{NaN}'::double precision[]::vector;
SELECT '{1e39}'::double precision[]::vector;
SELECT '{-1e300}'::double precision[]::vector;
SELECT '{NaN}'::numeric[]::vector;
SELECT '{Infinity}'::numeric[]::vector;
SELECT '{1e39}'::numeric[]::vector;
SELECT array_fill(1, ARRAY[16000])::vector IS NOT NULL AS max_dims_ok;
SELECT array_fill(1, ARRAY[16001])::vector;
SELECT '{1,2}'::int[]::vector(3);
SELECT '{a}'::text[]::vector;
SELECT '{1}'::smallint[]::vector;

-- the cast contexts pgvector uses: arrays to vector on assignment, vector
-- to real[] implicitly
SELECT castsource::regtype, casttarget::regtype, castcontext, castfunc::regprocedure
FROM pg_cast
WHERE (castsource = 'vector'::regtype AND casttarget IN ('vector'::regtype, 'real[]'::regtype))
   OR (casttarget = 'vector'::regtype AND castsource IN
       ('integer[]'::regtype, 'real[]'::regtype, 'double precision[]'::regtype, 'numeric[]'::regtype))
ORDER BY 1::text, 2::text;
CREATE TABLE vector_cast_t (v vector(3));
INSERT INTO vector_cast_t VALUES (ARRAY[1,2,3]), (ARRAY[1.5,2,3]::real[]),
	(ARRAY[1,2,3.5]::float8[]), (ARRAY[1,2.5,3]::numeric[]);
INSERT INTO vector_cast_t VALUES (ARRAY[1,2]);
INSERT INTO vector_cast_t VALUES ('{1,2,3,4}'::real[]);
UPDATE vector_cast_t SET v = ARRAY[0,0,0] WHERE v = '[1,2,3]';
SELECT v FROM vector_cast_t ORDER BY v;
-- vector to real[] is implicit: a vector goes into a real[] column as it is
CREATE TABLE vector_cast_arr (a real[]);
INSERT INTO vector_cast_arr SELECT v FROM vector_cast_t;
SELECT a, array_length(a, 1) FROM vector_cast_arr ORDER BY a;
DROP TABLE vector_cast_t, vector_cast_arr;

-- NULL
SELECT NULL::real[]::vector, NULL::vector::real[];
SELECT array_to_vector(NULL::int[], -1, false);
-- array_to_vector directly, with a typmod
SELECT array_to_vector('{1,2}'::int[], 2, true);
SELECT array_to_vector('{1,2}'::int[], 3, true);
