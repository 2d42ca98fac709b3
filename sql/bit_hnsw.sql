-- hnsw opclasses for bit: bit_hamming_ops and bit_jaccard_ops, on a column and
-- on binary_quantize() expressions with a rerank by the full vector
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
-- 500 bit strings of 64 bits (fixed pseudo-random), 10 queries
CREATE TABLE bt (id int PRIMARY KEY, b bit(64));
INSERT INTO bt SELECT i, ((i * 2654435761::bigint) # (i * 40503::bigint << 17))::bit(64) FROM generate_series(1, 500) i;
CREATE TABLE bq (qid int, q bit(64));
INSERT INTO bq SELECT j, ((j * 97::bigint * 2654435761::bigint) # (j::bigint << 31))::bit(64) FROM generate_series(1, 10) j;
CREATE TABLE exact AS
SELECT qid, array(SELECT b <~> q FROM bt ORDER BY b <~> q LIMIT 5) AS hamming,
	array(SELECT round((b <%> q)::numeric, 6) FROM bt ORDER BY b <%> q LIMIT 5) AS jaccard
FROM bq;
CREATE INDEX bt_hamming ON bt USING hnsw (b bit_hamming_ops);
CREATE TABLE bt2 (id int PRIMARY KEY, b bit(64));
CREATE INDEX bt2_jaccard ON bt2 USING hnsw (b bit_jaccard_ops);
INSERT INTO bt2 SELECT * FROM bt;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM bt ORDER BY b <~> B'1010' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM bt2 ORDER BY b <%> B'1010' LIMIT 5;
-- the index finds the exact nearest 5 (sorted distances; "d + 0" makes the
-- planner sort rather than trust the index order)
SELECT count(*) AS queries,
	count(*) FILTER (WHERE array(SELECT d FROM (SELECT b <~> q AS d FROM bt ORDER BY b <~> q LIMIT 5) t ORDER BY d + 0::float8) = hamming) AS hamming_exact,
	count(*) FILTER (WHERE array(SELECT round(d::numeric, 6) FROM (SELECT b <%> q AS d FROM bt2 ORDER BY b <%> q LIMIT 5) t ORDER BY d + 0::float8) = jaccard) AS jaccard_exact
FROM bq JOIN exact USING (qid);
RESET enable_seqscan;
-- values must have the index's length; at most 64,000 bits
SELECT pg_temp.error_of($$INSERT INTO bt VALUES (1000, B'101')$$);
CREATE TABLE bt_big (b bit(64001));
SELECT pg_temp.error_of($$CREATE INDEX ON bt_big USING hnsw (b bit_hamming_ops)$$);
-- binary quantization: index the quantized vectors, rerank by the full vector
CREATE TABLE items (id int PRIMARY KEY, embedding vector(8));
INSERT INTO items SELECT i, ARRAY[sin(i), cos(i), sin(2 * i), cos(2 * i), sin(3 * i), cos(3 * i), sin(5 * i), cos(5 * i)]::vector FROM generate_series(1, 400) i;
CREATE INDEX ON items USING hnsw ((binary_quantize(embedding)::bit(8)) bit_hamming_ops);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY binary_quantize(embedding)::bit(8) <~> binary_quantize('[1,1,1,1,1,1,1,1]'::vector) LIMIT 20;
SELECT id, round((embedding <-> q)::numeric, 4) AS l2
FROM (SELECT id, embedding, (SELECT embedding FROM items WHERE id = 7) AS q FROM items
	ORDER BY binary_quantize(embedding)::bit(8) <~> binary_quantize((SELECT embedding FROM items WHERE id = 7)) LIMIT 40) candidates
ORDER BY embedding <-> q, id LIMIT 3;
RESET enable_seqscan;
DROP TABLE bt, bt2, bq, exact, bt_big, items;
