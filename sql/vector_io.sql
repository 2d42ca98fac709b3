-- vector text and binary input/output, typmod
SELECT '[1,2.5,-3]'::vector;
SELECT '[1.5, -2e-3]'::vector;
SELECT ' [ 1 , 2 ] '::vector;
SELECT '[1,2,3]'::vector(3);
SELECT '[1,2]'::vector(3);
SELECT '[1,2'::vector;
SELECT '[1,,2]'::vector;
SELECT '1,2'::vector;
SELECT '[]'::vector;
SELECT '[1e39]'::vector;
SELECT '[NaN]'::vector;
SELECT '[Infinity]'::vector;
SELECT '[1,2] x'::vector;
