-- vector text and binary input/output, typmod
SELECT '[1,2.5,-3]'::vector;
SELECT '[1.5, -2e-3]'::vector;
SELECT ' [ 1 , 2 ] '::vector;
SELECT (E'\t[\n1,\r2\f]' || chr(11))::vector;
SELECT '[1,2,3]'::vector(3);
SELECT NULL::vector;

-- shortest round-trip output: what goes in as float4 comes back unchanged
SELECT '[0.1,0.2,0.3]'::vector;
SELECT '[3.4028235e38,-3.4028235e38,1.1754944e-38,1e-45]'::vector;
SELECT '[-0,0,+1,1e0,.5,5.,0x10]'::vector;
SELECT '[123456789,0.000001234,1e20]'::vector;
SELECT '[1.00000001]'::vector;
SELECT v::text::vector = v AS round_trip
FROM (VALUES ('[0.1,1e-40,3.4028235e38,-7.25e-3]'::vector)) t(v);

-- binary form: int16 dims, int16 unused, float4 elements, network order
SELECT vector_send('[1,2.5,-3]'::vector);
SELECT vector_send('[0]'::vector);
SELECT vector_send('[-0,1e-45]'::vector);

-- malformed text
SELECT '[1,2'::vector;
SELECT '[1,,2]'::vector;
SELECT '1,2'::vector;
SELECT '[]'::vector;
SELECT '[ ]'::vector;
SELECT '[1,2,]'::vector;
SELECT '[,1]'::vector;
SELECT '[1 2]'::vector;
SELECT '[a]'::vector;
SELECT '[1a]'::vector;
SELECT ''::vector;
SELECT '['::vector;
SELECT '[1]]'::vector;
SELECT '[1,2] x'::vector;
SELECT '{1,2}'::vector;

-- elements out of range, NaN and infinity
SELECT '[1e39]'::vector;
SELECT '[-1e39]'::vector;
SELECT '[3.5e38]'::vector;
SELECT '[1e400]'::vector;
SELECT '[1e-50]'::vector;
SELECT '[NaN]'::vector;
SELECT '[1,nan]'::vector;
SELECT '[Infinity]'::vector;
SELECT '[-inf]'::vector;

-- dimensions: 1 to 16000
SELECT vector_dims(('[' || repeat('1.5,', 15999) || '-2]')::vector);
SELECT vector_norm(('[' || repeat('1,', 15999) || '1]')::vector) = sqrt(16000) AS norm_ok;
SELECT ('[' || repeat('1,', 16000) || '1]')::vector;
SELECT ('[' || repeat('1,', 100000) || '1]')::vector;

-- typmod
SELECT '[1,2]'::vector(3);
SELECT '[1,2,3,4]'::vector(3);
SELECT '[1]'::vector(0);
SELECT '[1]'::vector(16001);
SELECT '[1]'::vector(3, 4);
SELECT '[1]'::vector(16000);
CREATE TABLE vector_io_t (id int, v vector(3));
\d vector_io_t
INSERT INTO vector_io_t VALUES (1, '[1,2,3]'), (2, NULL);
INSERT INTO vector_io_t VALUES (3, '[1,2]');
INSERT INTO vector_io_t VALUES (3, '[1,2]'::vector);
INSERT INTO vector_io_t VALUES (3, '[1,2,3,4]'::vector(4));
UPDATE vector_io_t SET v = '[1]' WHERE id = 1;
SELECT * FROM vector_io_t ORDER BY id;
SELECT '[1,2]'::vector::vector(2), '[1,2]'::vector::vector(3);
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'vector_io_t'::regclass AND attname = 'v';
DROP TABLE vector_io_t;

-- storage: large vectors are stored out of line, uncompressed
CREATE TABLE vector_io_big (v vector);
INSERT INTO vector_io_big SELECT array_fill(0.25::real, ARRAY[4000])::vector;
SELECT vector_dims(v), pg_column_size(v) FROM vector_io_big;
SELECT (SELECT v FROM vector_io_big) = array_fill(0.25::real, ARRAY[4000])::vector AS toasted_equal;
DROP TABLE vector_io_big;
