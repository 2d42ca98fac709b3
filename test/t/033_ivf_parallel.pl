# test/t/033_ivf_parallel.pl: a parallel ivf build (maintenance workers
# forced through the table's parallel_workers) on real data, GloVe-100's
# 100k slice, gives the same index as a serial build (workers share k-means
# and the assignment scan): every row indexed once,
# the same answers and the same recall@10 (first 200 dev queries, exact
# ground truth from ../shared/data); also under CREATE INDEX CONCURRENTLY.
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
$node->append_conf('postgresql.conf',
	"maintenance_work_mem = 256MB\nshared_buffers = 256MB\nmax_worker_processes = 8\nmax_parallel_workers = 8\n");
$node->start;
$node->safe_psql('postgres', qq{
	CREATE EXTENSION vecrag;
	CREATE TABLE glove (id int PRIMARY KEY, v vector(100));
	COPY glove FROM PROGRAM 'head -n 100000 $base';
	INSERT INTO glove VALUES (100001, NULL);
	CREATE TABLE query (id int PRIMARY KEY, v vector(100));
	COPY query FROM '$queries';
	DELETE FROM query WHERE id > 200;
	CREATE TABLE gt_l2 (id int, ids text);
	COPY gt_l2 FROM '$shared/glove100-100k-gt-l2.tsv';
	CREATE TABLE gt_cosine (id int, ids text);
	COPY gt_cosine FROM '$shared/glove100-100k-gt-cosine.tsv';
	VACUUM ANALYZE glove;
	ALTER TABLE glove SET (parallel_workers = 2);
});

# build with the given workers; returns the server's report of the workers
sub build
{
	my ($workers, $sql) = @_;
	my ($ret, $out, $err) = $node->psql('postgres', qq{
		SET max_parallel_maintenance_workers = $workers;
		SET client_min_messages = debug1;
		$sql;
	});
	is($ret, 0, "build with $workers workers: $sql") or diag($err);
	my ($launched) = $err =~ /(\d+) parallel workers run k-means and assign rows/;
	return $launched // 0;
}

# the top 10 of every query, as one text per query; compared with
# ivf.rerank = 0, where the order is by estimated distance then TID and so
# does not depend on the order of entries within a list (a parallel build
# writes a list's entries in another order)
sub answers
{
	my ($op, $settings) = @_;
	return $node->safe_psql('postgres', qq{
		SET enable_seqscan = off; $settings
		SELECT q.id, array(SELECT id FROM glove ORDER BY v $op q.v LIMIT 10) FROM query q ORDER BY q.id;
	});
}

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

# every row once: a scan of every list returns each non-NULL row exactly once
sub all_rows
{
	my ($op, $settings) = @_;
	return $node->safe_psql('postgres', qq{
		SET enable_seqscan = off; $settings
		SELECT count(*), count(DISTINCT id) FROM (
			SELECT id FROM glove ORDER BY v $op (SELECT v FROM query WHERE id = 1) LIMIT 200000) s;
	});
}

for my $case (['rabitq', 'vector_l2_ops', '<->', 'gt_l2'], ['sq8', 'vector_cosine_ops', '<=>', 'gt_cosine'])
{
	my ($qz, $opc, $op, $gt) = @$case;
	my $create = "CREATE INDEX glove_ivf ON glove USING ivf (v $opc) WITH (lists = 100, quantizer = $qz)";
	my $settings = 'SET ivf.probes = 20;';

	is(build(0, $create), 0, "$qz: serial build uses no workers");
	my $serial = answers($op, "$settings SET ivf.rerank = 0;");
	my $serialRecall = recall($op, $gt, $settings);
	my $tuples = $node->safe_psql('postgres', "SELECT reltuples FROM pg_class WHERE relname = 'glove_ivf'");
	$node->safe_psql('postgres', 'DROP INDEX glove_ivf');

	is(build(2, $create), 2, "$qz: parallel build launches 2 workers");
	is($node->safe_psql('postgres', "SELECT reltuples FROM pg_class WHERE relname = 'glove_ivf'"),
		$tuples, "$qz: parallel build counts the same index tuples ($tuples)");
	is(all_rows($op, 'SET ivf.probes = 100;'), '100000|100000', "$qz: every row indexed once");
	my $parallel = answers($op, "$settings SET ivf.rerank = 0;");
	my $parallelRecall = recall($op, $gt, $settings);
	is($parallel, $serial, "$qz: parallel index answers every query as the serial one");
	cmp_ok(abs($parallelRecall - $serialRecall), '<=', 0.005,
		"$qz: same recall\@10 after rerank ($parallelRecall parallel, $serialRecall serial)");
	cmp_ok($parallelRecall, '>=', 0.9, "$qz: recall\@10 $parallelRecall >= 0.9 at probes 20");
	$node->safe_psql('postgres', 'DROP INDEX glove_ivf');

	# concurrently: an MVCC snapshot shared with the workers
	is(build(2, "CREATE INDEX CONCURRENTLY glove_ivf ON glove USING ivf (v $opc) WITH (lists = 100, quantizer = $qz)"),
		2, "$qz: concurrent parallel build launches 2 workers");
	is(all_rows($op, 'SET ivf.probes = 100;'), '100000|100000', "$qz: concurrent build indexes every row once");
	is(answers($op, "$settings SET ivf.rerank = 0;"), $serial, "$qz: concurrent parallel index answers as the serial one");
	$node->safe_psql('postgres', 'DROP INDEX glove_ivf');
}

# inner product: spherical k-means, whose assignment step the workers share too
{
	my $create = "CREATE INDEX glove_ivf ON glove USING ivf (v vector_ip_ops) WITH (lists = 100)";
	is(build(0, $create), 0, 'ip: serial build');
	my $serial = answers('<#>', 'SET ivf.probes = 10;');
	$node->safe_psql('postgres', 'DROP INDEX glove_ivf');
	is(build(2, $create), 2, 'ip: parallel build launches 2 workers');
	is(answers('<#>', 'SET ivf.probes = 10;'), $serial, 'ip: parallel index answers as the serial one');
	$node->safe_psql('postgres', 'DROP INDEX glove_ivf');
}

# no workers to be had: the build falls back to serial and still works
$node->safe_psql('postgres', 'ALTER SYSTEM SET max_parallel_workers = 0; SELECT pg_reload_conf();');
is(build(2, "CREATE INDEX glove_ivf ON glove USING ivf (v) WITH (lists = 100)"), 0,
	'no worker slots: serial fallback');
is(all_rows('<->', 'SET ivf.probes = 100;'), '100000|100000', 'serial fallback indexes every row once');

$node->stop;
done_testing();
