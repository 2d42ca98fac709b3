# test/t/022_hnsw_pgbench.pl: concurrent inserts, deletes, VACUUM and
# queries under pgbench on an hnsw index end without errors, and the index
# afterwards holds exactly the live rows.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('bench');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION vecrag;
	CREATE TABLE t (id bigserial PRIMARY KEY, v vector(8));
	INSERT INTO t (v) SELECT ('[' || array_to_string(ARRAY(SELECT random()::real FROM generate_series(1, 8) WHERE i > 0), ',') || ']')::vector
	  FROM generate_series(1, 500) i;
	CREATE INDEX ON t USING hnsw (v vector_cosine_ops) WITH (m = 8, ef_construction = 32);
});

$node->pgbench(
	'--no-vacuum --client=5 --jobs=2 --transactions=60',
	0,
	[qr{processed: 300/300}],
	[qr{^$}],
	'concurrent inserts, deletes, vacuum and queries',
	{
		'hnsw_insert@6' => q{
INSERT INTO t (v) SELECT ('[' || array_to_string(ARRAY(SELECT random()::real FROM generate_series(1, 8) WHERE g > 0), ',') || ']')::vector FROM generate_series(1, 3) g;
},
		'hnsw_query@6' => q{
SET enable_seqscan = off;
SET hnsw.iterative_scan = relaxed_order;
SELECT id FROM t WHERE id % 3 = 0 ORDER BY v <=> '[0.5,0.1,0.9,0.3,0.2,0.8,0.4,0.7]' LIMIT 10;
},
		'hnsw_delete@2' => q{
DELETE FROM t WHERE id IN (SELECT id FROM t ORDER BY random() LIMIT 2);
},
		'hnsw_vacuum@1' => q{
VACUUM t;
},
	});

$node->safe_psql('postgres', 'VACUUM t');
is($node->safe_psql('postgres', q{
	SET enable_seqscan = off;
	SET hnsw.iterative_scan = relaxed_order;
	SET hnsw.max_scan_tuples = 10000000;
	SELECT count(DISTINCT id) = (SELECT count(*) FROM t) AND count(*) = count(DISTINCT id)
	FROM (SELECT id FROM t ORDER BY v <=> '[1,1,1,1,1,1,1,1]') s;
}), 't', 'the index returns every live row exactly once');

$node->stop;
done_testing();
