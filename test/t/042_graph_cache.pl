# test/t/042_graph_cache.pl: the adjacency cache stays MVCC-exact under
# concurrent writers.  pgbench runs writers (inserts, deletes, weight
# updates, rolled-back transactions, TRUNCATE-free) beside readers in
# REPEATABLE READ and READ COMMITTED; every reader compares, under one
# snapshot, each call served from the cache with the same call read through
# the indexes (vecrag.graph_cache_size = 0) and fails on any difference.
# Writers also compare inside their own open transactions.  Then: the cache
# was really used, and it survives pg_dump/restore of the database.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('cache');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION vecrag;
	CREATE TABLE gcs (src bigint, dst bigint, relation text, weight real);
	INSERT INTO gcs SELECT (hashint4(g) & 255) + 1, (hashint4(g * 31) & 255) + 1,
		'r' || (g % 3), 1 + g % 5 FROM generate_series(1, 1500) g;
	CREATE INDEX ON gcs (src) INCLUDE (dst, relation, weight);
	CREATE INDEX ON gcs (dst);
	SELECT vecrag.create_graph('gcs', 'gcs', relation => 'relation', weight => 'weight');
	SELECT vecrag.set_graph_cache('gcs');
	CREATE TABLE cache_log (cached boolean);
	-- every call shape, as text; mismatch between cache and indexes is an error
	-- STABLE: both run under the snapshot of the one query that calls them
	CREATE FUNCTION calls(s bigint) RETURNS text LANGUAGE sql STABLE AS $$
		SELECT concat_ws(' | ',
			(SELECT string_agg(format('%s %s %s %s %s %s', id, depth, path, path_weight, degree, relation_path), ';' ORDER BY depth, id)
				FROM vecrag.traverse('gcs', ARRAY[s, s + 7], max_depth => 3)),
			(SELECT string_agg(format('%s %s %s', id, depth, path), ';' ORDER BY depth, id)
				FROM vecrag.traverse('gcs', ARRAY[s], max_depth => 2, direction => 'both', relations => ARRAY['r1', 'r2'])),
			(SELECT string_agg(format('%s %s', id, edge), ';' ORDER BY depth)
				FROM vecrag.shortest_path('gcs', s, s + 3)),
			(SELECT string_agg(format('%s %s', id, path_weight), ';' ORDER BY depth)
				FROM vecrag.shortest_path('gcs', s, s + 5, weighted => true)),
			(SELECT string_agg(format('%s %s', id, score), ';' ORDER BY rank)
				FROM vecrag.pagerank('gcs', ARRAY[s], top_n => 20)),
			(SELECT string_agg(format('%s %s', id, score), ';' ORDER BY rank)
				FROM vecrag.pagerank('gcs', ARRAY[s], top_n => 20, relations => ARRAY['r0'])),
			(SELECT md5(string_agg(format('%s %s %s', id, level, community), ';' ORDER BY level, id))
				FROM vecrag.communities('gcs')))
	$$;
	CREATE FUNCTION calls_from_indexes(s bigint) RETURNS text LANGUAGE sql STABLE
		SET vecrag.graph_cache_size = 0 AS $$ SELECT calls(s) $$;
	CREATE FUNCTION check_exact(s bigint) RETURNS void LANGUAGE plpgsql AS $$
	DECLARE
		from_cache text;
		from_indexes text;
	BEGIN
		-- one statement, so one snapshot also in READ COMMITTED
		SELECT calls(s), calls_from_indexes(s) INTO from_cache, from_indexes;
		INSERT INTO cache_log SELECT count(*) > 0 FROM vecrag.graph_cache_entries()
			WHERE edge_table = 'gcs'::regclass AND out_edges;
		IF from_cache IS DISTINCT FROM from_indexes THEN
			RAISE EXCEPTION 'cache and indexes differ for seed %: % <> %', s, from_cache, from_indexes;
		END IF;
	END $$;
	SELECT check_exact(1);
});

$node->pgbench(
	'--no-vacuum --client=4 --jobs=2 --transactions=60',
	0,
	[qr{processed: 240/240}],
	[qr{^$}],
	'cache and index reads agree under concurrent writers',
	{
		'graph_writer@4' => q{
\set a random(1, 256)
\set b random(1, 256)
BEGIN;
INSERT INTO gcs VALUES (:a, :b, 'r' || (:b % 3), 1 + :a % 4), (:b, :a, 'r1', 2);
DELETE FROM gcs WHERE ctid IN (SELECT ctid FROM gcs WHERE src = :b LIMIT 1);
UPDATE gcs SET weight = weight + 1 WHERE src = :a AND dst = :b;
SELECT check_exact(:a);
COMMIT;
},
		'graph_writer_rollback@1' => q{
\set a random(1, 256)
BEGIN;
DELETE FROM gcs WHERE src = :a;
SELECT check_exact(:a);
ROLLBACK;
},
		'graph_reader_rr@4' => q{
\set s random(1, 256)
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT check_exact(:s);
SELECT pg_sleep(0.02);
SELECT check_exact(:s);
SELECT check_exact(:s + 1);
COMMIT;
},
		'graph_reader_rc@3' => q{
\set s random(1, 256)
SELECT check_exact(:s);
SELECT check_exact(:s);
},
	});

is($node->safe_psql('postgres', 'SELECT count(*) FILTER (WHERE cached) > 0 FROM cache_log'),
	't', 'readers were served from the cache');
is($node->safe_psql('postgres', 'SELECT count(*) FROM (SELECT check_exact(s) FROM generate_series(1, 256, 17) s) x'),
	'16', 'cache and indexes agree after the run');

# pg_dump/restore keeps the trigger (enabled always) and the version row
my $dump = $node->basedir . '/cache.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('postgres') ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok([ 'pg_restore', '-d', $node->connstr('restored'), $dump ], 'pg_restore');
is($node->safe_psql('restored', q{
	SELECT cached FROM vecrag.graphs WHERE name = 'gcs'}), 't', 'restored graph is cached');
is($node->safe_psql('restored', q{
	SELECT last_value >= (SELECT max(version) FROM vecrag.graph_versions) FROM vecrag.graph_version_seq}),
	't', 'restored version sequence is past every restored version');
is($node->safe_psql('restored', q{
	SELECT tgenabled FROM pg_trigger WHERE tgrelid = 'gcs'::regclass AND tgname = 'vecrag_graph_cache'}),
	'A', 'restored trigger fires always');
is($node->safe_psql('restored', q{
	SELECT count(*) FROM (SELECT check_exact(5)) x;
	INSERT INTO gcs VALUES (5, 999, 'r0', 1);
	SELECT count(*) FROM (SELECT check_exact(5)) x;
	SELECT count(*) FROM vecrag.traverse('gcs', ARRAY[5], max_depth => 1) WHERE id = 999;
	SELECT bool_or(out_edges) FROM vecrag.graph_cache_entries()}), "1\n1\n1\nt",
	'restored database: cache serves reads and sees new writes');

$node->stop;
done_testing();
