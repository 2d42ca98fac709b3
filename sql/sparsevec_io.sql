-- sparsevec text and binary output, typmod, limits and bad input
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
SELECT '{1:1.5,3:2}/5'::sparsevec;
SELECT ' { 1 : 1.5 , 3 : 2 } / 5 '::sparsevec;
SELECT '{}/3'::sparsevec, '{ }/1'::sparsevec;
-- zeros are dropped
SELECT '{1:0,2:3,4:-0}/5'::sparsevec;
SELECT '{1:1,2:2}/2'::sparsevec(2);
SELECT '{1000000000:1}/1000000000'::sparsevec;
SELECT '{1:1e-45}/1'::sparsevec;
-- elements may come in any order and are sorted (as pgvector); an index twice is an error
SELECT '{3:1,1:2}/5'::sparsevec, '{5:1,1:0,3:2}/5'::sparsevec;
SELECT pg_temp.error_of($$SELECT '{2:1,2:2}/5'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{2:0,2:2}/5'::sparsevec$$);
-- index 0, negative, beyond dims
SELECT pg_temp.error_of($$SELECT '{0:1}/5'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{-1:1}/5'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{6:1}/5'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{99999999999:1}/5'::sparsevec$$);
-- NaN and infinity
SELECT pg_temp.error_of($$SELECT '{1:NaN}/5'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{1:Infinity}/5'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{1:-inf}/5'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{1:1e39}/5'::sparsevec$$);
-- malformed text
SELECT pg_temp.error_of($$SELECT '1:1/5'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{1:1/5'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{1:1}'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{1:1}/'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{1:1}/x'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{1:1}/5 x'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{1}/5'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{1:}/5'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{:1}/5'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{a:1}/5'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{1.5:1}/5'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{1:1,}/5'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{1:1 2:2}/5'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT ''::sparsevec$$);
-- dimensions
SELECT pg_temp.error_of($$SELECT '{}/0'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{}/-1'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{}/1000000001'::sparsevec$$);
SELECT pg_temp.error_of($$SELECT '{}/99999999999'::sparsevec$$);
-- typmod
SELECT pg_temp.error_of($$SELECT '{1:1}/5'::sparsevec(4)$$);
SELECT pg_temp.error_of($$SELECT '{}/5'::sparsevec(0)$$);
SELECT pg_temp.error_of($$SELECT '{}/5'::sparsevec(1000000001)$$);
SELECT pg_temp.error_of($$SELECT '{}/5'::sparsevec(1, 2)$$);
CREATE TABLE sv_typmod (v sparsevec(5));
INSERT INTO sv_typmod VALUES ('{1:1}/5');
SELECT pg_temp.error_of($$INSERT INTO sv_typmod VALUES ('{1:1}/6')$$);
SELECT v, format_type(atttypid, atttypmod) FROM sv_typmod, pg_attribute WHERE attrelid = 'sv_typmod'::regclass AND attname = 'v';
DROP TABLE sv_typmod;
-- non-zero element limit: 16000 pass, 16001 fail; zeros do not count
SELECT l2_norm(('{' || string_agg(i || ':1', ',') || '}/100000')::sparsevec) FROM generate_series(1, 16000) i;
SELECT pg_temp.error_of(format($$SELECT '{%s}/100000'::sparsevec$$, string_agg(i || ':1', ','))) FROM generate_series(1, 16001) i;
SELECT l2_norm(('{' || string_agg(i || ':' || (i % 2), ',') || '}/100000')::sparsevec) FROM generate_series(1, 30000) i;
-- binary: the exact wire bytes (receive is tested with COPY BINARY in test/t/06x)
SELECT sparsevec_send('{1:1.5,3:2}/5'), sparsevec_send('{}/1');
