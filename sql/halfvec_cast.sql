-- casts between halfvec, vector and arrays
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
SELECT '[1,2.5,-3]'::vector::halfvec, '[0.1]'::vector::halfvec, '[1,2.5,-3]'::halfvec::vector;
SELECT '[1,2]'::vector::halfvec(2), '[1,2]'::halfvec::vector(2);
SELECT pg_temp.error_of($$SELECT '[1,2]'::vector::halfvec(3)$$);
SELECT pg_temp.error_of($$SELECT '[1,2]'::halfvec::vector(3)$$);
-- a float too large for half precision is an error, not infinity
SELECT pg_temp.error_of($$SELECT '[1,70000]'::vector::halfvec$$);
SELECT pg_temp.error_of($$SELECT '[-3.4e38]'::vector::halfvec$$);
-- implicit vector -> halfvec on assignment and in operators
CREATE TABLE hv_cast (v halfvec(3));
INSERT INTO hv_cast VALUES ('[1,2,3]'::vector);
SELECT v, v::vector <-> '[1,2,4]'::vector FROM hv_cast;
DROP TABLE hv_cast;
-- arrays of integer, real, double precision and numeric
SELECT ARRAY[1,2,3]::halfvec, ARRAY[1.5,2,3]::real[]::halfvec, ARRAY[0.1,2,3]::float8[]::halfvec, ARRAY[1.25,2,3]::numeric[]::halfvec;
SELECT ARRAY[1,2,3]::halfvec(3), '{1,2}'::int[]::halfvec;
SELECT '[1,2.5,-3]'::halfvec::real[], ('[0.1]'::halfvec::real[])[1];
SELECT pg_temp.error_of($$SELECT ARRAY[1,2]::halfvec(3)$$);
SELECT pg_temp.error_of($$SELECT ARRAY[[1,2],[3,4]]::halfvec$$);
SELECT pg_temp.error_of($$SELECT ARRAY[1,NULL]::halfvec$$);
SELECT pg_temp.error_of($$SELECT '{}'::int[]::halfvec$$);
SELECT pg_temp.error_of($$SELECT ARRAY[100000]::halfvec$$);
SELECT pg_temp.error_of($$SELECT ARRAY[1e300]::float8[]::halfvec$$);
SELECT pg_temp.error_of($$SELECT ARRAY['NaN']::float8[]::halfvec$$);
SELECT pg_temp.error_of($$SELECT ARRAY['Infinity']::real[]::halfvec$$);
SELECT pg_temp.error_of($$SELECT ARRAY[1e39]::numeric[]::halfvec$$);
SELECT pg_temp.error_of($$SELECT array_fill(1, ARRAY[16001])::halfvec$$);
-- round trip through every representation keeps the value
SELECT v = v::vector::halfvec AND v = v::real[]::halfvec AND v = v::sparsevec::halfvec AS same
FROM (VALUES ('[1,-2,0.000123,65504,-0.5]'::halfvec)) t(v);
