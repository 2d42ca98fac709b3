-- binary quantization and the Hamming and Jaccard distances on bit
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
-- bit i set when element i is positive (zero and negatives are 0)
SELECT binary_quantize('[1,0,-1,0.001,-0.001,5,2,3,-4]'::vector);
SELECT binary_quantize('[1,0,-1,0.001,-0.001,5,2,3,-4]'::halfvec), binary_quantize('[-0,6e-8]'::halfvec);
SELECT binary_quantize('[1]'::vector), length(binary_quantize(('[' || repeat('1,', 15999) || '-1]')::vector));
SELECT binary_quantize('[1,2,3]'::vector)::bit(3) = B'111' AS cast_to_typmod;
-- Hamming distance: differing bits, across the 8-byte and byte-tail paths
SELECT B'1010' <~> B'0110', hamming_distance(B'1010', B'1010'), hamming_distance(B'1111', B'0000');
SELECT hamming_distance(repeat('10', 50)::bit(100), repeat('01', 50)::bit(100)), hamming_distance(repeat('1', 130)::bit(130), (repeat('1', 129) || '0')::bit(130));
-- Jaccard distance: 1 - |a & b| / |a | b|; 1 when no bit is shared
SELECT B'1110' <%> B'0111', jaccard_distance(B'1100', B'1100'), jaccard_distance(B'1100', B'0011'), jaccard_distance(B'0000', B'0000');
SELECT jaccard_distance(repeat('1', 100)::bit(100), (repeat('1', 25) || repeat('0', 75))::bit(100));
-- lengths must match
SELECT pg_temp.error_of($$SELECT B'101' <~> B'10'$$);
SELECT pg_temp.error_of($$SELECT B'101' <%> B'1010'$$);
SELECT pg_temp.error_of($$SELECT hamming_distance(B'1', B'')$$);
-- varbit arguments work too (bit varying casts to bit)
SELECT hamming_distance('101'::varbit::bit(3), B'111');
-- rerank pattern: nearest by Hamming over quantized vectors, then by L2 on the full vectors
CREATE TABLE bq_items (id int, embedding vector(4));
INSERT INTO bq_items VALUES (1, '[1,1,1,1]'), (2, '[1,1,-1,-1]'), (3, '[-1,-1,-1,-1]'), (4, '[0.9,1.2,1,0.8]'), (5, '[1,1,1,-0.1]');
SELECT id, binary_quantize(embedding)::text AS bits FROM bq_items ORDER BY id;
SELECT id FROM (
	SELECT id, embedding FROM bq_items
	ORDER BY binary_quantize(embedding)::bit(4) <~> binary_quantize('[1,1,1,1]'::vector), id LIMIT 3
) candidates ORDER BY embedding <-> '[1,1,1,1]', id;
DROP TABLE bq_items;
