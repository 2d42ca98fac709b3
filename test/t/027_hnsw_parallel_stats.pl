# test/t/027_hnsw_parallel_stats.pl: the buffer reads of a parallel index
# build's workers are counted for the CREATE INDEX statement, as for a
# btree build.  With pg_stat_statements preloaded, hnsw and ivf indexes are
# built with two forced workers (the build's DEBUG1 line must say they
# launched); every heap block is then read by some participant, so the
# statement's shared_blks_hit + shared_blks_read must be at least the heap's
# size in blocks.  The rows are wide (a ~1.5 kB filler column, stored
# inline) and the vectors short, so the leader's own share of the heap plus
# the index pages it writes stay well below that: a build that drops its
# workers' counts fails.  With parallel_leader_participation off the
# leader reads no heap block at all, so every counted heap read is a
# worker's.  The same for WAL: with a graph too big for maintenance_work_mem
# the workers insert the later rows on disk, at least one WAL record each,
# and the statement's wal_records must cover them.  A worker also knows the
# statement's text: its log lines carry it.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('parallel_stats');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_stat_statements'
wal_level = replica
pg_stat_statements.track_utility = on
maintenance_work_mem = '128MB'
max_worker_processes = 8
max_parallel_workers = 8
log_line_prefix = '%m [%p] %b '
});
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION pg_stat_statements;
	CREATE EXTENSION vecrag;
	CREATE TABLE wide (id int, v vector(8), pad text);
	ALTER TABLE wide ALTER COLUMN pad SET STORAGE PLAIN;
	INSERT INTO wide
	SELECT i, ARRAY(SELECT sin(i * 7 + j) FROM generate_series(1, 8) j)::real[]::vector,
	       repeat(md5(i::text), 46)
	FROM generate_series(1, 15000) i;
	VACUUM ANALYZE wide;
	ALTER TABLE wide SET (parallel_workers = 2);
});
my $blocks = $node->safe_psql('postgres',
	q{SELECT pg_relation_size('wide') / current_setting('block_size')::int});
cmp_ok($blocks, '>=', 2000, "the heap has $blocks blocks");

# Build with forced workers; returns the workers launched per the DEBUG1
# line and the statement's shared_blks_hit + shared_blks_read.
sub build
{
	my ($sql, $launchedRe, $settings) = @_;
	$node->safe_psql('postgres', 'SELECT pg_stat_statements_reset()');
	my ($ret, $out, $err) = $node->psql('postgres', qq{
		SET max_parallel_maintenance_workers = 2;
		SET min_parallel_table_scan_size = 0;
		SET client_min_messages = debug1;
		$settings
		$sql;
	});
	is($ret, 0, "$sql succeeds") or diag($err);
	my ($launched) = $err =~ $launchedRe;
	my $blks = $node->safe_psql('postgres', qq{
		SELECT shared_blks_hit + shared_blks_read FROM pg_stat_statements WHERE query = '$sql'
	});
	return ($launched // 0, $blks || 0);
}

my $hnswRe = qr/(\d+) of \d+ parallel workers launched/;
my $ivfRe = qr/(\d+) parallel workers run k-means and assign rows/;
my @cases = (
	[ 'hnsw', 'CREATE INDEX wide_hnsw ON wide USING hnsw (v vector_l2_ops)', $hnswRe, '' ],
	[ 'hnsw without the leader scanning', 'CREATE INDEX wide_hnsw ON wide USING hnsw (v vector_l2_ops)',
	  $hnswRe, 'SET parallel_leader_participation = off;' ],
	[ 'ivf', 'CREATE INDEX wide_ivf ON wide USING ivf (v vector_l2_ops) WITH (lists = 20)', $ivfRe, '' ],
);
for my $case (@cases)
{
	my ($what, $sql, $re, $settings) = @$case;
	my ($launched, $blks) = build($sql, $re, $settings);
	is($launched, 2, "$what: the build launched 2 workers");
	cmp_ok($blks, '>=', $blocks,
		"$what: CREATE INDEX counts $blks shared blocks hit or read, at least the heap's $blocks");
	my ($index) = $sql =~ /INDEX (\w+)/;
	$node->safe_psql('postgres', "DROP INDEX $index");
}

# WAL: with a graph too big for maintenance_work_mem, the rows that come
# after the graph is written out go into the index on disk, each through at
# least one WAL record; with the leader not scanning, all by the workers
{
	my $sql = 'CREATE INDEX wide_hnsw ON wide USING hnsw (v vector_l2_ops)';
	my $logStart = -s $node->logfile;
	$node->safe_psql('postgres', 'SELECT pg_stat_statements_reset()');
	my ($ret, $out, $err) = $node->psql('postgres', qq{
		SET max_parallel_maintenance_workers = 2;
		SET parallel_leader_participation = off;
		SET maintenance_work_mem = '1MB';
		SET log_min_messages = notice;
		SET log_min_error_statement = notice;
		SET client_min_messages = debug1;
		$sql;
	});
	is($ret, 0, "$sql in 1MB succeeds") or diag($err);
	my ($launched) = $err =~ $hnswRe;
	is($launched, 2, 'in 1MB: the build launched 2 workers');
	my ($inMemory) = $err =~ /no longer fits into maintenance_work_mem after (\d+) tuples/;
	ok(defined $inMemory && $inMemory < 10000, 'in 1MB: the graph was written out after '
		  . ($inMemory // 'no') . ' tuples');
	my $onDisk = 15000 - ($inMemory // 15000);
	my $wal = $node->safe_psql('postgres', "SELECT wal_records FROM pg_stat_statements WHERE query = '$sql'");
	cmp_ok($wal || 0, '>=', $onDisk,
		"in 1MB: CREATE INDEX counts $wal WAL records, at least one per row the workers inserted on disk ($onDisk)");

	# the worker that wrote the graph out logged its notice with the statement
	my $log = slurp_file($node->logfile, $logStart);
	like($log, qr/parallel worker NOTICE:  hnsw graph no longer fits[^\n]*\n(?:[^\n]*parallel worker (?:DETAIL|HINT):[^\n]*\n)*[^\n]*parallel worker STATEMENT:  \Q$sql\E/,
		'in 1MB: the worker knows the statement (its notice is logged with it)');
	$node->safe_psql('postgres', 'DROP INDEX wide_hnsw');
}

# the same with no worker to be had: the serial fallback reads every block itself
$node->safe_psql('postgres', 'ALTER SYSTEM SET max_parallel_workers = 0; SELECT pg_reload_conf();');
my ($launched, $blks) = build('CREATE INDEX wide_hnsw ON wide USING hnsw (v vector_l2_ops)', $hnswRe, '');
is($launched, 0, 'no worker slots: hnsw builds serially');
cmp_ok($blks, '>=', $blocks, "serial fallback counts $blks shared blocks, at least the heap's $blocks");

$node->stop;
done_testing();
