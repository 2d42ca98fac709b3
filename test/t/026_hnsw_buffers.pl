# test/t/026_hnsw_buffers.pl: scans that pin pages through the buffers they
# were last seen in (src/hnsw/recent.c) when those buffers keep changing.
# With shared_buffers at 64 buffers (512 kB; a build's log_newpage_range
# pins 32 at once, so not the minimum of 16) every scan of a ~1 MB index
# evicts its own pages, so remembered buffers mostly hold other
# blocks by the next read and the tag check must reject them; the index is
# REINDEXed (new relfilenode, same OID) and dropped and re-created inside
# one session; a temporary table's index uses local buffers.  Every case
# must return what an exact scan returns at a high ef_search.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('buffers');
$node->init;
$node->append_conf('postgresql.conf', "shared_buffers = 64\nmaintenance_work_mem = '64MB'");
$node->start;

my $setup = q{
	SET seed = 0.42;
	INSERT INTO %s SELECT i, ARRAY(SELECT random() FROM generate_series(1, 16) WHERE i > 0)::vector(16)
	FROM generate_series(1, 3000) i;
	CREATE TABLE IF NOT EXISTS q AS
	SELECT i AS id, ARRAY(SELECT random() FROM generate_series(1, 16) WHERE i > 0)::vector(16) AS v
	FROM generate_series(1, 40) i;
};

# queries whose top 10 through the index differs from the exact top 10 (the
# second ARRAY orders by an expression no index serves: an exact scan)
my $mismatches = q{
	SELECT count(*) FROM q
	WHERE ARRAY(SELECT id FROM %1$s ORDER BY v <-> q.v LIMIT 10) <>
	      ARRAY(SELECT id FROM %1$s ORDER BY (v <-> q.v) + 0, id LIMIT 10)
};

$node->safe_psql('postgres', 'CREATE EXTENSION vecrag');
$node->safe_psql('postgres', 'CREATE TABLE items (id int PRIMARY KEY, v vector(16))');
$node->safe_psql('postgres', sprintf($setup, 'items'));
$node->safe_psql('postgres',
	'CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops) WITH (m = 16, ef_construction = 200)');
cmp_ok($node->safe_psql('postgres', "SELECT pg_relation_size('items_v') / 8192"),
	'>', 100, 'the index has many more pages than shared_buffers');

my $session = q{
	SET enable_seqscan = off;
	SET hnsw.ef_search = 400;
	%1$s;
	CREATE TEMP TABLE m (step text, n bigint);
	INSERT INTO m SELECT 'first', (%2$s);
	INSERT INTO m SELECT 'again', (%2$s);
	REINDEX INDEX items_v;
	INSERT INTO m SELECT 'after reindex', (%2$s);
	DROP INDEX items_v;
	CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops) WITH (m = 16, ef_construction = 200);
	INSERT INTO m SELECT 'after re-create', (%2$s);
	INSERT INTO items SELECT i, ARRAY(SELECT random() FROM generate_series(1, 16) WHERE i > 0)::vector(16)
	FROM generate_series(3001, 4000) i;
	INSERT INTO m SELECT 'after inserts', (%2$s);
	SELECT string_agg(step || ': ' || n, ', ') FROM m;
};
my $res = $node->safe_psql('postgres',
	sprintf($session, "SET work_mem = '4MB'", sprintf($mismatches, 'items')));
is($res,
	'first: 0, again: 0, after reindex: 0, after re-create: 0, after inserts: 0',
	'index top 10 equals the exact top 10 with 64 shared buffers, across REINDEX, re-create and inserts');

like($node->safe_psql('postgres', q{
	SET enable_seqscan = off;
	EXPLAIN (COSTS OFF) SELECT (SELECT count(*) FROM q
	WHERE ARRAY(SELECT id FROM items ORDER BY v <-> q.v LIMIT 10) <> '{}');
}), qr/Index Scan using items_v/, 'the per-query top 10 is an index scan');

# a temporary table's index lives in local buffers
my $temp = q{
	SET hnsw.ef_search = 400;
	CREATE TEMP TABLE titems (id int PRIMARY KEY, v vector(16));
	%1$s
	CREATE INDEX ON titems USING hnsw (v vector_l2_ops) WITH (m = 16, ef_construction = 200);
	SET enable_seqscan = off;
	SELECT %2$s;
};
$res = $node->safe_psql('postgres',
	sprintf($temp, sprintf($setup, 'titems'), '(' . sprintf($mismatches, 'titems') . ')'));
is($res, '0', 'temporary table: index top 10 equals the exact top 10');

$node->stop;
done_testing();
