# test/t/010_core_simd.pl: vecrag.simd as a server setting and in parallel
# workers.  The setting from postgresql.conf applies when the library loads,
# an invalid one there is reported and leaves "auto", and parallel workers
# compute distances with the kernels their leader chose.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('simd');
$node->init;
$node->append_conf('postgresql.conf', "vecrag.simd = 'scalar'");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vecrag');

my $active = "SELECT kernel FROM vecrag.simd_kernels() WHERE active";
my $best = "SELECT kernel FROM vecrag.simd_kernels() WITH ORDINALITY k
	WHERE supported ORDER BY ordinality DESC LIMIT 1";
my $best_kernel = $node->safe_psql('postgres', "SET vecrag.simd = auto; $best");

is($node->safe_psql('postgres', $active), 'scalar',
	'vecrag.simd from postgresql.conf applies when the library loads');

# parallel workers load the library and restore the leader's setting
my $force = $node->safe_psql('postgres', 'SHOW server_version_num') >= 160000
  ? 'debug_parallel_query' : 'force_parallel_mode';
my $parallel = "SET $force = on; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
	SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2";
like($node->safe_psql('postgres', "$parallel; EXPLAIN (COSTS OFF) $active"),
	qr/Gather/, 'the kernel query runs in a parallel worker');
is($node->safe_psql('postgres', "$parallel; $active"), 'scalar',
	'a parallel worker uses the leader\'s vecrag.simd');
is($node->safe_psql('postgres', "$parallel; SET vecrag.simd = auto; $active"),
	$best_kernel, 'and follows it when the leader changes it');

# a parallel scan gives the same distances on every kernel set
$node->safe_psql('postgres',
	"CREATE TABLE items AS
	 SELECT i AS id, ('[' || string_agg((sin(i * 7 + j) * 3)::real::text, ',') || ']')::vector(300) AS v
	 FROM generate_series(1, 3000) i, generate_series(1, 300) j GROUP BY i;
	 ANALYZE items");
my $query = $node->safe_psql('postgres', 'SELECT v FROM items WHERE id = 1');
my $scan = "SELECT sum(v <-> '$query') FROM items";
my %sums;
for my $kernel (split /\n/, $node->safe_psql('postgres',
		"SELECT kernel FROM vecrag.simd_kernels() WHERE supported"))
{
	like($node->safe_psql('postgres', "$parallel; SET vecrag.simd = $kernel; EXPLAIN (COSTS OFF) $scan"),
		qr/Parallel Seq Scan/, "$kernel: the scan is parallel");
	$sums{$kernel} = $node->safe_psql('postgres', "$parallel; SET vecrag.simd = $kernel; $scan");
}
for my $kernel (sort keys %sums)
{
	ok(abs($sums{$kernel} - $sums{scalar}) <= 1e-5 * $sums{scalar},
		"$kernel: parallel scan sum $sums{$kernel} matches scalar $sums{scalar}");
}

# an invalid value in postgresql.conf is reported and leaves the default
$node->append_conf('postgresql.conf', "vecrag.simd = 'sse'");
$node->restart;
my ($ret, $out, $err) = $node->psql('postgres', $active);
is($out, $best_kernel, 'an invalid vecrag.simd in postgresql.conf leaves auto');
like($err, qr/invalid value for parameter "vecrag.simd": "sse"/,
	'and the session is warned about it');

$node->stop;
done_testing();
