-- halfvec text and binary input/output, typmod, limits and bad input
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
SELECT '[1,2.5,-3]'::halfvec;
SELECT ' [ 1 , -0.5 ] '::halfvec;
SELECT '[1,2,3]'::halfvec(3);
SELECT '[1,2,3]'::halfvec(3)::text::halfvec(3);
-- rounding to nearest half, ties to even
SELECT '[0.1,3.14159,1000.25,2049,2051,2053]'::halfvec;
-- largest finite half, and values that still round down to it
SELECT '[65504,-65504,65519.99]'::halfvec;
-- subnormals: smallest is 2^-24; half of it rounds (to even) to zero, a bit more rounds up
SELECT '[5.9604645e-08,2.9802322e-08,2.9802326e-08,6.1035156e-05,6.097555e-05]'::halfvec;
-- underflow to zero keeps the sign
SELECT '[1e-10,-1e-10]'::halfvec;
-- overflow is an error, not infinity
SELECT pg_temp.error_of($$SELECT '[65520]'::halfvec$$);
SELECT pg_temp.error_of($$SELECT '[-1e5]'::halfvec$$);
SELECT pg_temp.error_of($$SELECT '[1e39]'::halfvec$$);
SELECT pg_temp.error_of($$SELECT '[NaN]'::halfvec$$);
SELECT pg_temp.error_of($$SELECT '[Infinity]'::halfvec$$);
SELECT pg_temp.error_of($$SELECT '[-inf]'::halfvec$$);
-- malformed text
SELECT pg_temp.error_of($$SELECT '[1,2'::halfvec$$);
SELECT pg_temp.error_of($$SELECT '[1,,2]'::halfvec$$);
SELECT pg_temp.error_of($$SELECT '[1 2]'::halfvec$$);
SELECT pg_temp.error_of($$SELECT '1,2'::halfvec$$);
SELECT pg_temp.error_of($$SELECT '[a]'::halfvec$$);
SELECT pg_temp.error_of($$SELECT '[1] x'::halfvec$$);
SELECT pg_temp.error_of($$SELECT ''::halfvec$$);
SELECT pg_temp.error_of($$SELECT '[]'::halfvec$$);
-- typmod
SELECT pg_temp.error_of($$SELECT '[1,2]'::halfvec(3)$$);
CREATE TABLE hv_typmod (v halfvec(2));
SELECT pg_temp.error_of($$INSERT INTO hv_typmod VALUES ('[1,2,3]')$$);
SELECT pg_temp.error_of($$SELECT '[1]'::halfvec(0)$$);
SELECT pg_temp.error_of($$SELECT '[1]'::halfvec(16001)$$);
SELECT pg_temp.error_of($$SELECT '[1]'::halfvec(2, 3)$$);
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'hv_typmod'::regclass AND attname = 'v';
DROP TABLE hv_typmod;
-- dimension limits
SELECT vector_dims(array_fill(1, ARRAY[16000])::halfvec);
SELECT vector_dims(('[' || repeat('1,', 15999) || '1]')::halfvec);
SELECT pg_temp.error_of($$SELECT ('[' || repeat('1,', 16000) || '1]')::halfvec$$);
-- binary: the exact wire bytes (receive is tested with COPY BINARY in test/t/06x)
SELECT halfvec_send('[1,-2,0.5,65504]');
SELECT halfvec_send('[5.9604645e-08]');
