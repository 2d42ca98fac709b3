-- element-wise arithmetic, concatenation, l2_normalize, subvector, binary_quantize
SELECT '[1,2,3]'::vector + '[4,5,6]';
SELECT '[1,2,3]'::vector - '[4,5,6]';
SELECT '[1,2,3]'::vector * '[4,5,6]';
SELECT '[0.1]'::vector + '[0.2]';
SELECT '[1.5,-2]'::vector * '[-2,0]';
SELECT '[1,2]'::vector + '[3]';
SELECT '[1,2]'::vector - '[3]';
SELECT '[1,2]'::vector * '[3]';
SELECT '[1,2]'::vector + NULL;

-- float4 overflow is an error, never an infinite element
SELECT '[3e38]'::vector + '[3e38]';
SELECT '[-3e38]'::vector - '[3e38]';
SELECT '[1e20]'::vector * '[1e20]';
-- a non-zero product that rounds to zero is an underflow error; zero times
-- anything is fine
SELECT '[1e-30]'::vector * '[1e-30]';
SELECT '[0,1e-30]'::vector * '[1e-30,1]';
-- subnormal results are not underflow
SELECT '[1e-30]'::vector * '[1e-10]';

-- operators are commutative where they should be
SELECT o.oprname, c.oprname AS commutator
FROM pg_operator o LEFT JOIN pg_operator c ON c.oid = o.oprcom
WHERE o.oprleft = 'vector'::regtype AND o.oprname IN ('+', '-', '*', '||')
ORDER BY 1;

-- concatenation
SELECT '[1,2]'::vector || '[3,4,5]';
SELECT '[1]'::vector || '[1]';
SELECT vector_dims(array_fill(1::real, ARRAY[8000])::vector || array_fill(2::real, ARRAY[8000])::vector);
SELECT array_fill(1::real, ARRAY[8000])::vector || array_fill(2::real, ARRAY[8001])::vector;

-- l2_normalize
SELECT l2_normalize('[3,4]'::vector);
SELECT l2_normalize('[3,0,4]'::vector);
SELECT l2_normalize('[0,0,0]'::vector);
SELECT l2_normalize('[-5]'::vector);
SELECT l2_normalize('[1e-45,0]'::vector);
SELECT l2_normalize('[3e38,3e38]'::vector);
SELECT round(vector_norm(l2_normalize('[1,2,3,4,5,6,7,8,9]'::vector))::numeric, 6);

-- subvector(v, start, count): 1-based, like substring()
SELECT subvector('[1,2,3,4,5]'::vector, 1, 3);
SELECT subvector('[1,2,3,4,5]'::vector, 3, 2);
SELECT subvector('[1,2,3,4,5]'::vector, 5, 1);
SELECT subvector('[1,2,3,4,5]'::vector, 3, 10);
SELECT subvector('[1,2,3,4,5]'::vector, 0, 2);
SELECT subvector('[1,2,3,4,5]'::vector, -1, 3);
SELECT subvector('[1,2,3,4,5]'::vector, -10, 100);
SELECT subvector('[1,2,3,4,5]'::vector, 2147483647, 2147483647);
SELECT subvector('[1,2,3,4,5]'::vector, 3, 2147483647);
SELECT subvector('[1,2,3,4,5]'::vector, 6, 1);
SELECT subvector('[1]'::vector, 2, 1);
SELECT subvector('[1,2,3,4,5]'::vector, 0, 1);
SELECT subvector('[1,2,3,4,5]'::vector, -2147483648, 3);
SELECT subvector('[1,2,3,4,5]'::vector, 1, 0);
SELECT subvector('[1,2,3,4,5]'::vector, 1, -1);

-- binary_quantize: a bit per element, set where the element is positive
SELECT binary_quantize('[1,0,-1]'::vector);
SELECT binary_quantize('[0.1,-0.2,0.3,-0.4,0.5,-0.6,0.7,-0.8,0.9,1.0]'::vector);
SELECT binary_quantize('[-0,0,1e-45]'::vector);
SELECT length(binary_quantize(array_fill(1::real, ARRAY[16000])::vector)),
       bit_count(binary_quantize(array_fill(1::real, ARRAY[16000])::vector));
SELECT pg_typeof(binary_quantize('[1]'::vector));

-- NULL in, NULL out (every function is strict)
SELECT l2_normalize(NULL::vector), subvector(NULL::vector, 1, 1), subvector('[1]'::vector, NULL, 1),
       binary_quantize(NULL::vector), NULL::vector || '[1]';
