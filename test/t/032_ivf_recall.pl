# test/t/032_ivf_recall.pl: recall@10 floors of ivf on real data, GloVe-100
# (the 100k slice, the first 200 dev queries, exact ground truth from
# ../shared/data), for each quantizer, L2 and cosine, at stated settings.
# Generate the data first: ../shared/data/get-glove /tmp/vecrag-data
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecragData qw(glove_ground_truth_dir);

my $data = $ENV{VECRAG_DATA} || '/tmp/vecrag-data';
my $shared = glove_ground_truth_dir($data);
my $base = "$data/glove100-base.tsv";
my $queries = "$data/glove100-query.tsv";
for my $f ($base, $queries, "$shared/glove100-100k-gt-l2.tsv", "$shared/glove100-100k-gt-cosine.tsv")
{
	die "missing $f: run ../shared/data/get-glove $data first" unless -r $f;
}

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf('postgresql.conf', "maintenance_work_mem = 256MB\nshared_buffers = 256MB\n");
$node->start;
$node->safe_psql('postgres', qq{
	CREATE EXTENSION vecrag;
	CREATE TABLE glove (id int PRIMARY KEY, v vector(100));
	COPY glove FROM PROGRAM 'head -n 100000 $base';
	CREATE TABLE query (id int PRIMARY KEY, v vector(100));
	COPY query FROM '$queries';
	DELETE FROM query WHERE id > 200;
	CREATE TABLE gt_l2 (id int, ids text);
	COPY gt_l2 FROM '$shared/glove100-100k-gt-l2.tsv';
	CREATE TABLE gt_cosine (id int, ids text);
	COPY gt_cosine FROM '$shared/glove100-100k-gt-cosine.tsv';
	VACUUM ANALYZE glove;
});
is($node->safe_psql('postgres', 'SELECT count(*) FROM glove'), '100000', 'loaded the 100k slice');

sub recall
{
	my ($op, $gt, $settings) = @_;
	return $node->safe_psql('postgres', qq{
		SET enable_seqscan = off; $settings
		SELECT round(avg(hits) / 10, 4) FROM (
			SELECT (SELECT count(*) FROM unnest((string_to_array(g.ids, ','))[1:10]::int[]) t
					WHERE t IN (SELECT id FROM (SELECT id FROM glove ORDER BY v $op q.v LIMIT 10) s)) AS hits
			FROM query q JOIN $gt g USING (id)) r;
	});
}

sub check
{
	my ($name, $op, $gt, $settings, $floor) = @_;
	my $r = recall($op, $gt, $settings);
	cmp_ok($r, '>=', $floor, "$name: recall\@10 $r >= $floor ($settings)");
	return $r;
}

# one index at a time, so the query can use only that one
$node->safe_psql('postgres', "CREATE INDEX glove_ivf ON glove USING ivf (v) WITH (lists = 100)");
check('none l2', '<->', 'gt_l2', 'SET ivf.probes = 50;', 0.99);
check('none l2', '<->', 'gt_l2', 'SET ivf.probes = 20;', 0.95);
$node->safe_psql('postgres', "DROP INDEX glove_ivf; CREATE INDEX glove_ivf ON glove USING ivf (v) WITH (lists = 100, quantizer = sq8)");
check('sq8 l2', '<->', 'gt_l2', 'SET ivf.probes = 20; SET ivf.rerank = 50;', 0.95);
$node->safe_psql('postgres', "DROP INDEX glove_ivf; CREATE INDEX glove_ivf ON glove USING ivf (v) WITH (lists = 100, quantizer = rabitq)");
my $without = recall('<->', 'gt_l2', 'SET ivf.probes = 20; SET ivf.rerank = 0;');
my $with = check('rabitq l2', '<->', 'gt_l2', 'SET ivf.probes = 20;', 0.95);
cmp_ok($without, '<', $with - 0.1, "rabitq l2: rerank lifts recall from $without");
check('rabitq l2', '<->', 'gt_l2', 'SET ivf.probes = 50; SET ivf.rerank = 200;', 0.98);
$node->safe_psql('postgres', "DROP INDEX glove_ivf; CREATE INDEX glove_ivf ON glove USING ivf (v vector_cosine_ops) WITH (lists = 100, quantizer = rabitq)");
check('rabitq cosine', '<=>', 'gt_cosine', 'SET ivf.probes = 20; SET ivf.rerank = 200;', 0.95);
$node->safe_psql('postgres', "DROP INDEX glove_ivf; CREATE INDEX glove_ivf ON glove USING ivfflat (v vector_cosine_ops) WITH (lists = 100)");
check('ivfflat cosine', '<=>', 'gt_cosine', 'SET ivfflat.probes = 20;', 0.95);

$node->stop;
done_testing();
