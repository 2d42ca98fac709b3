# test/t/023_hnsw_recall.pl: recall@10 on real data.  A deterministic slice
# of GloVe-100 (the first 20,000 base words, the first 100 dev queries) is
# indexed with m = 16, ef_construction = 64; the ground truth is computed in
# SQL by exact scan; recall@10 at hnsw.ef_search = 200 must be >= 0.95 for
# cosine and L2.  Needs the GloVe TSVs (../shared/data/get-glove).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecragData qw(copy_head_lines);

my $data = $ENV{VECRAG_DATA} // '/tmp/vecrag-data';
my $base = "$data/glove100-base.tsv";
my $queries = "$data/glove100-query.tsv";
plan skip_all => "GloVe data not found in $data (run ../shared/data/get-glove $data)"
  unless -r $base && -r $queries;

# copy the slices where the server can read them
my $dir = PostgreSQL::Test::Utils::tempdir();
copy_head_lines($base, "$dir/base.tsv", 20000);
copy_head_lines($queries, "$dir/query.tsv", 100);

my $node = PostgreSQL::Test::Cluster->new('recall');
$node->init;
$node->append_conf('postgresql.conf', "maintenance_work_mem = '256MB'");
$node->start;
$node->safe_psql('postgres', qq{
	CREATE EXTENSION vecrag;
	CREATE TABLE glove (id int PRIMARY KEY, v vector(100));
	COPY glove FROM '$dir/base.tsv';
	CREATE TABLE q (id int PRIMARY KEY, v vector(100));
	COPY q FROM '$dir/query.tsv';
});
is($node->safe_psql('postgres', 'SELECT count(*) FROM glove'), '20000', 'slice loaded');

for my $case (['cosine', '<=>'], ['l2', '<->'])
{
	my ($name, $op) = @$case;
	$node->safe_psql('postgres', qq{
		SET enable_indexscan = off;
		CREATE TABLE gt_$name AS SELECT q.id, ARRAY(SELECT g.id FROM glove g ORDER BY g.v $op q.v, g.id LIMIT 10) ids FROM q;
		CREATE INDEX glove_$name ON glove USING hnsw (v vector_${name}_ops) WITH (m = 16, ef_construction = 64);
	});
	my $recall = $node->safe_psql('postgres', qq{
		SET enable_seqscan = off;
		SET hnsw.ef_search = 200;
		SELECT round(avg(cardinality(ARRAY(SELECT unnest(t.ids) INTERSECT
		         SELECT unnest(ARRAY(SELECT g.id FROM glove g ORDER BY g.v $op q.v LIMIT 10)))) / 10.0), 4)
		FROM q JOIN gt_$name t USING (id);
	});
	cmp_ok($recall, '>=', 0.95, "$name recall\@10 at ef_search 200 is $recall");
	my $plan = $node->safe_psql('postgres', qq{
		EXPLAIN (COSTS OFF) SELECT id FROM glove ORDER BY v $op (SELECT v FROM q WHERE id = 1) LIMIT 10;
	});
	like($plan, qr/Index Scan using glove_$name/, "$name top-k uses the index without enable_seqscan = off");
	$node->safe_psql('postgres', "DROP INDEX glove_$name");
}

$node->stop;
done_testing();
