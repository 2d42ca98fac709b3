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

-- sq8 distances come from a kernel on the codes (SIMD or scalar, following
-- vecrag.simd): without rerank the estimated order is already good, and the
-- kernels agree; 20 dimensions take the 16-wide loop and a tail, 13 the
-- 8-wide step and a tail
CREATE FUNCTION ivf_q_ids(tab text, op text, simd text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	out text := '';
	ids int[];
BEGIN
	PERFORM set_config('vecrag.simd', simd, true);
	SET LOCAL enable_seqscan = off;
	FOR i IN 1..5 LOOP
		EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM %I ORDER BY v %s (SELECT v FROM %I WHERE id = $1) LIMIT 10) s',
					   tab, op, tab) INTO ids USING i * 37;
		out := out || ids::text;
	END LOOP;
	RETURN out;
END $$;
SET ivf.rerank = 0;
SELECT ivf_q_recall('<=>') >= 0.9 AS sq8_cosine_estimated;
SELECT ivf_q_ids('ivf_q', '<=>', 'scalar') = ivf_q_ids('ivf_q', '<=>', 'auto') AS sq8_kernels_agree;
DROP INDEX ivf_q_cos;
CREATE INDEX ivf_q_l2 ON ivf_q USING ivf (v) WITH (lists = 10, quantizer = 'sq8');
SELECT ivf_q_recall('<->') >= 0.9 AS sq8_l2_estimated;
SELECT ivf_q_ids('ivf_q', '<->', 'scalar') = ivf_q_ids('ivf_q', '<->', 'auto') AS sq8_kernels_agree;
DROP INDEX ivf_q_l2;
CREATE INDEX ivf_q_ip ON ivf_q USING ivf (v vector_ip_ops) WITH (lists = 10, quantizer = 'sq8');
SELECT ivf_q_ids('ivf_q', '<#>', 'scalar') = ivf_q_ids('ivf_q', '<#>', 'auto') AS sq8_kernels_agree;
DROP INDEX ivf_q_ip;
CREATE TABLE ivf_q13 (id int PRIMARY KEY, v vector(13));
INSERT INTO ivf_q13 SELECT id, subvector(v, 3, 13) FROM ivf_q WHERE id <= 500;
CREATE INDEX ON ivf_q13 USING ivf (v) WITH (lists = 5, quantizer = 'sq8');
SET ivf.probes = 5;
SELECT ivf_q_ids('ivf_q13', '<->', 'scalar') = ivf_q_ids('ivf_q13', '<->', 'auto') AS sq8_kernels_agree;
DROP TABLE ivf_q13;
DROP FUNCTION ivf_q_ids;
SET ivf.probes = 10;
CREATE INDEX ivf_q_cos ON ivf_q USING ivf (v vector_cosine_ops) WITH (lists = 10, quantizer = 'sq8');

-- rows whose vectors changed are reranked with their new values
UPDATE ivf_q SET v = (SELECT v FROM ivf_q WHERE id = 1) WHERE id = 2;
SET ivf.rerank = 100000;
SELECT id FROM ivf_q ORDER BY v <=> (SELECT v FROM ivf_q WHERE id = 1), id LIMIT 2;
DROP TABLE ivf_q;
DROP FUNCTION ivf_q_check, ivf_q_recall;
