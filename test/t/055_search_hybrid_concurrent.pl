# test/t/055_search_hybrid_concurrent.pl: hybrid_search under concurrent
# writers.  Its vector side runs the planned hnsw scan without the executor
# (index_order_scan.c) and its BM25 loop on the compute thread, while pgbench
# clients delete, re-insert and update rows (new embeddings, new text).  Every
# row a call returns must be visible to the call's snapshot, with the
# distance and BM25 rank of its visible version; a writer's own uncommitted
# delete and update are seen by its own calls.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('hybrid_concurrent');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION vecrag;
	CREATE TABLE docs (id bigint PRIMARY KEY, body text, embedding vector(16));
	INSERT INTO docs
	SELECT i, 'w' || (i % 37) || ' w' || (i % 11) || ' x' || (i % 101) || ' y' || (i % 7),
		   ARRAY(SELECT ((i * p) % 97) / 96.0 - 0.5 FROM generate_series(3, 48, 3) p)::vector
	FROM generate_series(1, 6000) i;
	SELECT vecrag.bm25_create_index('docs', 'body');
	CREATE INDEX docs_embedding ON docs USING hnsw (embedding vector_cosine_ops);
	ANALYZE docs;
	-- one call; every returned row must be visible to the same snapshot, its
	-- vector distance that of the visible row and its BM25 rank that of
	-- bm25_search (ranks over the visible rows)
	CREATE FUNCTION check_call(qtext text, qvec vector) RETURNS int LANGUAGE plpgsql AS $$
	DECLARE
		n int;
		missing int;
		wrong_distance int;
		wrong_bm25 int;
	BEGIN
		WITH h AS (SELECT * FROM vecrag.hybrid_search('docs', qtext, qvec, k => 60, candidates => 40)),
			 b AS (SELECT * FROM vecrag.bm25_search('docs_body_bm25', qtext, k => 40))
		SELECT count(*),
			   count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM docs d WHERE d.id = h.id)),
			   count(*) FILTER (WHERE h.vector_rank IS NOT NULL AND h.vector_distance IS DISTINCT FROM
								(SELECT d.embedding <=> qvec FROM docs d WHERE d.id = h.id)),
			   count(*) FILTER (WHERE h.bm25_rank IS NOT NULL AND (h.bm25_rank, h.bm25_score) IS DISTINCT FROM
								(SELECT (b.rank, b.score) FROM b WHERE b.id = h.id))
		INTO n, missing, wrong_distance, wrong_bm25
		FROM h;
		IF missing > 0 OR wrong_distance > 0 OR wrong_bm25 > 0 THEN
			RAISE EXCEPTION 'hybrid_search: % rows, % not visible, % with another distance, % with another BM25 rank',
				n, missing, wrong_distance, wrong_bm25;
		END IF;
		RETURN n;
	END $$;
	CREATE FUNCTION check_seed(s int) RETURNS int LANGUAGE sql AS $$
		SELECT check_call('w' || (s % 37) || ' x' || (s % 101),
						  ARRAY(SELECT ((s * p) % 89) / 88.0 - 0.5 FROM generate_series(2, 32, 2) p)::vector)
	$$;
	-- a writer's own changes: the deleted row is no candidate, the updated
	-- one comes with its new distance (check_call), in the same transaction
	CREATE FUNCTION rewrite(x bigint) RETURNS int LANGUAGE plpgsql AS $$
	DECLARE
		b text;
		e vector;
		found_deleted int;
	BEGIN
		SELECT body, embedding INTO b, e FROM docs WHERE id = x;
		IF NOT FOUND THEN
			RETURN 0;
		END IF;
		DELETE FROM docs WHERE id = x;
		SELECT count(*) INTO found_deleted FROM vecrag.hybrid_search('docs', b, e, k => 100, candidates => 40) h
			WHERE h.id = x;
		IF found_deleted > 0 THEN
			RAISE EXCEPTION 'row % deleted in this transaction was returned', x;
		END IF;
		INSERT INTO docs VALUES (x, b, e);
		UPDATE docs SET embedding = ARRAY(SELECT -v FROM unnest(e::real[]) v)::vector,
						body = b || ' z' || (x % 5) WHERE id = x;
		RETURN check_call(b, e);
	END $$;
});

my ($count, $debug);
$node->psql('postgres', q{SET client_min_messages = debug1; SELECT check_seed(7) > 0},
	stdout => \$count, stderr => \$debug);
is($count, 't', 'a checked call returns rows');
like($debug, qr/vector candidates by a scan of index "docs_embedding"/,
	'the vector side runs the planned hnsw scan without the executor');
like($debug, qr/BM25 search loop posted to the compute thread/, 'the BM25 loop runs on the compute thread');

$node->pgbench(
	'--no-vacuum --client=5 --jobs=2 --transactions=80',
	0,
	[qr{processed: 400/400}],
	[qr{^$}],
	'every row hybrid_search returns is visible to its snapshot, under concurrent writers',
	{
		'hybrid_writer@2' => q{
\set x random(1, 6000)
BEGIN;
SELECT rewrite(:x);
COMMIT;
},
		'hybrid_writer_rollback@1' => q{
\set x random(1, 6000)
BEGIN;
SELECT rewrite(:x);
ROLLBACK;
},
		'hybrid_reader_rr@2' => q{
\set s random(1, 100000)
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT check_seed(:s);
SELECT pg_sleep(0.01);
SELECT check_seed(:s + 1);
COMMIT;
},
		'hybrid_reader_rc@3' => q{
\set s random(1, 100000)
SELECT check_seed(:s);
SELECT check_seed(:s + 7);
},
	});

is($node->safe_psql('postgres', 'SELECT count(*) FROM docs'), '6000', 'every row is still there once');
is($node->safe_psql('postgres', 'SELECT sum(check_seed(s)) > 0 FROM generate_series(1, 50) s'),
	't', 'calls after the run check out');
my $log = slurp_file($node->logfile);
unlike($log, qr/TRAP:|server process .* was terminated/, 'no backend crashed');

$node->stop;
done_testing();
