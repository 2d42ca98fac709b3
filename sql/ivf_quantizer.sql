-- ivf quantizers sq8 and rabitq: sizes, estimated order, and exact order
-- after rerank when every list is probed and every candidate reranked.
CREATE TABLE ivf_q (id int PRIMARY KEY, v vector(20));
INSERT INTO ivf_q
	SELECT i, (SELECT format('[%s]', string_agg(round((sin(i * 0.37 + j * 1.1) * 3 + cos(i * j * 0.013))::numeric, 4)::text, ',' ORDER BY j))
			   FROM generate_series(1, 20) j)::vector
	FROM generate_series(1, 2000) i;

CREATE FUNCTION ivf_q_check(op text, q vector, k int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	idx int[];
	exact int[];
BEGIN
	SET LOCAL enable_seqscan = off;
	SET LOCAL enable_indexscan = on;
	EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM ivf_q ORDER BY v %s $1 LIMIT $2) s', op)
		INTO idx USING q, k;
	SET LOCAL enable_seqscan = on;
	SET LOCAL enable_indexscan = off;
	EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM ivf_q ORDER BY v %s $1, id LIMIT $2) s', op)
		INTO exact USING q, k;
	RETURN CASE WHEN idx = exact THEN 'same' ELSE format('index %s exact %s', idx, exact) END;
END $$;

-- recall@10 of the index against the exact answer, over 20 queries
CREATE FUNCTION ivf_q_recall(op text) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
	hits int := 0;
	idx int[];
	exact int[];
	qv vector;
BEGIN
	FOR i IN 1..20 LOOP
		SELECT v INTO qv FROM ivf_q WHERE id = i * 97;
		SET LOCAL enable_seqscan = off;
		SET LOCAL enable_indexscan = on;
		EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM ivf_q ORDER BY v %s $1 LIMIT 10) s', op)
			INTO idx USING qv;
		SET LOCAL enable_seqscan = on;
		SET LOCAL enable_indexscan = off;
		EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM ivf_q ORDER BY v %s $1, id LIMIT 10) s', op)
			INTO exact USING qv;
		hits := hits + (SELECT count(*) FROM unnest(idx) x WHERE x = ANY (exact));
	END LOOP;
	RETURN hits / 200.0;
END $$;

CREATE INDEX ivf_q_none ON ivf_q USING ivf (v) WITH (lists = 10);
CREATE INDEX ivf_q_sq8 ON ivf_q USING ivf (v) WITH (lists = 10, quantizer = 'sq8');
CREATE INDEX ivf_q_rabitq ON ivf_q USING ivf (v) WITH (lists = 10, quantizer = 'RaBitQ');
-- entry payloads: 80 bytes of floats; 4 + 20 bytes for sq8; 8 + 4 for rabitq;
-- each of the 10 lists has at least one page, after metapage and directory
SELECT relname, pg_relation_size(oid) / current_setting('block_size')::int AS pages
	FROM pg_class WHERE relname LIKE 'ivf_q_%' AND relkind = 'i' AND relname <> 'ivf_q_pkey' ORDER BY 1;

SET ivf.probes = 10;
SET ivf.rerank = 100000;
DROP INDEX ivf_q_none, ivf_q_rabitq;
SELECT ivf_q_check('<->', v, 20) FROM ivf_q WHERE id IN (5, 500, 1500);
DROP INDEX ivf_q_sq8;
CREATE INDEX ivf_q_rabitq ON ivf_q USING ivf (v) WITH (lists = 10, quantizer = 'rabitq');
SELECT ivf_q_check('<->', v, 20) FROM ivf_q WHERE id IN (5, 500, 1500);
-- without rerank the order comes from the 1-bit estimates alone
SET ivf.rerank = 0;
SELECT ivf_q_recall('<->') BETWEEN 0.3 AND 0.99 AS estimated_only;
SET ivf.rerank = 100;
SELECT ivf_q_recall('<->') >= 0.9 AS reranked;
SET ivf.probes = 3;
SELECT ivf_q_recall('<->') >= 0.6 AS three_probes;
DROP INDEX ivf_q_rabitq;

-- inner product and cosine
SET ivf.probes = 10;
SET ivf.rerank = 100000;
CREATE INDEX ivf_q_ip ON ivf_q USING ivf (v vector_ip_ops) WITH (lists = 10, quantizer = 'rabitq');
SELECT ivf_q_check('<#>', v, 20) FROM ivf_q WHERE id IN (5, 500);
DROP INDEX ivf_q_ip;
CREATE INDEX ivf_q_cos ON ivf_q USING ivf (v vector_cosine_ops) WITH (lists = 10, quantizer = 'rabitq');
SELECT ivf_q_check('<=>', v, 20) FROM ivf_q WHERE id IN (5, 500);
DROP INDEX ivf_q_cos;
CREATE INDEX ivf_q_cos ON ivf_q USING ivf (v vector_cosine_ops) WITH (lists = 10, quantizer = 'sq8');
SELECT ivf_q_check('<=>', v, 20) FROM ivf_q WHERE id IN (5, 500);
SET ivf.rerank = 20;
SELECT ivf_q_recall('<=>') >= 0.9 AS sq8_cosine;

-- rows whose vectors changed are reranked with their new values
UPDATE ivf_q SET v = (SELECT v FROM ivf_q WHERE id = 1) WHERE id = 2;
SET ivf.rerank = 100000;
SELECT id FROM ivf_q ORDER BY v <=> (SELECT v FROM ivf_q WHERE id = 1), id LIMIT 2;
DROP TABLE ivf_q;
DROP FUNCTION ivf_q_check, ivf_q_recall;
