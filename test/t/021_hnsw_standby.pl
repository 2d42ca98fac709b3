# test/t/021_hnsw_standby.pl: a streaming standby replays an hnsw build
# (log_newpage_range), inserts, deletes and VACUUM (generic WAL) and
# answers queries exactly like the primary.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->start;
$primary->backup('b');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'b', has_streaming => 1);
$standby->start;

$primary->safe_psql('postgres', q{
	CREATE EXTENSION vecrag;
	CREATE TABLE t (id int PRIMARY KEY, v vector(16));
	INSERT INTO t SELECT i, ('[' || array_to_string(ARRAY(SELECT sin(i * j * 0.37)::real FROM generate_series(1, 16) j), ',') || ']')::vector
	  FROM generate_series(1, 3000) i;
	CREATE INDEX t_cos ON t USING hnsw (v vector_cosine_ops);
	CREATE INDEX t_l2 ON t USING hnsw (v vector_l2_ops) WITH (m = 8, ef_construction = 40);
	INSERT INTO t SELECT i, ('[' || array_to_string(ARRAY(SELECT cos(i * j * 0.21)::real FROM generate_series(1, 16) j), ',') || ']')::vector
	  FROM generate_series(3001, 4000) i;
	DELETE FROM t WHERE id % 5 = 0;
	VACUUM t;
});
$primary->wait_for_catchup($standby);

my $query = q{
	SET enable_seqscan = off;
	SET hnsw.ef_search = 100;
	SELECT g, (SELECT string_agg(id::text, ',') FROM (SELECT id FROM t ORDER BY v %s q.v LIMIT 10) s)
	FROM (SELECT g, ('[' || array_to_string(ARRAY(SELECT cos(g * j * 0.13)::real FROM generate_series(1, 16) j), ',') || ']')::vector AS v
	      FROM generate_series(1, 25) g) q ORDER BY g;
};
for my $op ('<=>', '<->')
{
	my $p = $primary->safe_psql('postgres', sprintf($query, $op));
	my $s = $standby->safe_psql('postgres', sprintf($query, $op));
	isnt($p, '', "primary answers with $op");
	is($s, $p, "standby returns the primary's answers for $op");
}
is($standby->safe_psql('postgres', q{
	SET enable_seqscan = off;
	EXPLAIN (COSTS OFF) SELECT id FROM t ORDER BY v <-> (SELECT v FROM t WHERE id = 1) LIMIT 1;
}) =~ /Index Scan using t_l2/ ? 1 : 0, 1, 'standby plans the index scan');

$standby->stop;
$primary->stop;
done_testing();
