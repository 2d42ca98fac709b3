# test/t/025_hnsw_wide.pl: hnsw indexes on wide vectors (compact copies in
# the index, exact rerank from the table) through WAL: a streaming standby
# replays the build, inserts, deletes and VACUUM and answers like the
# primary; after a crash (immediate stop with a transaction in flight)
# every committed row is found through the index, none of the aborted ones,
# and top-k equals an exact scan.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->start;
$primary->backup('b');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'b', has_streaming => 1);
$standby->start;

# two tables: vector(3000) (half precision copies) and halfvec(16000)
# (1-bit codes); deterministic clustered rows
$primary->safe_psql('postgres', q{
	CREATE EXTENSION vecrag;
	CREATE FUNCTION wide_vec(i int, dim int) RETURNS real[]
	LANGUAGE sql IMMUTABLE AS $$
		SELECT array_agg((sin((i % 9) * 1.3e0 + j * 0.011e0 * (1 + i % 9)) +
						  0.3e0 * sin(i * 0.77e0 + j * (0.04e0 + (i % 5) * 0.013e0)))::real ORDER BY j)
		FROM generate_series(1, dim) j
	$$;
	CREATE TABLE w3 (id int PRIMARY KEY, v vector(3000));
	CREATE TABLE w16 (id int PRIMARY KEY, v halfvec(16000));
	INSERT INTO w3 SELECT i, wide_vec(i, 3000) FROM generate_series(1, 150) i;
	INSERT INTO w16 SELECT i, wide_vec(i, 16000)::vector::halfvec FROM generate_series(1, 60) i;
	CREATE INDEX w3_l2 ON w3 USING hnsw (v vector_l2_ops);
	CREATE INDEX w16_cos ON w16 USING hnsw (v halfvec_cosine_ops) WITH (m = 8, ef_construction = 32);
	INSERT INTO w3 SELECT i, wide_vec(i, 3000) FROM generate_series(151, 220) i;
	INSERT INTO w16 SELECT i, wide_vec(i, 16000)::vector::halfvec FROM generate_series(61, 90) i;
	DELETE FROM w3 WHERE id % 6 = 0;
	DELETE FROM w16 WHERE id % 6 = 0;
	VACUUM w3;
	VACUUM w16;
});
$primary->wait_for_catchup($standby);

# top 10 of a few query rows through the index, and by an exact scan
my %op = (w3 => '<->', w16 => '<=>');
sub topk
{
	my ($node, $tbl, $exact) = @_;
	my $set = $exact ? 'SET enable_indexscan = off;' : 'SET enable_seqscan = off;';
	return $node->safe_psql('postgres', qq{
		$set
		SET hnsw.ef_search = 100;
		SELECT q.id, (SELECT string_agg(id::text, ',') FROM
			(SELECT id FROM $tbl ORDER BY v $op{$tbl} q.v LIMIT 10) s)
		FROM $tbl q WHERE q.id IN (1, 7, 44, 89, 205) ORDER BY q.id;
	});
}

for my $tbl ('w3', 'w16')
{
	my $p = topk($primary, $tbl, 0);
	isnt($p, '', "primary answers on $tbl");
	is($p, topk($primary, $tbl, 1), "primary's index answers equal an exact scan on $tbl");
	is(topk($standby, $tbl, 0), $p, "standby returns the primary's answers on $tbl");
}
like($standby->safe_psql('postgres', q{
	SET enable_seqscan = off;
	EXPLAIN (COSTS OFF) SELECT id FROM w16 ORDER BY v <=> (SELECT v FROM w16 WHERE id = 1) LIMIT 1;
}), qr/Index Scan using w16_cos/, 'standby plans the wide index scan');

# crash: committed inserts survive, an open transaction's rows do not
my ($out, $err) = ('', '');
my $open = IPC::Run::start(
	[ 'psql', '-X', '-h', $primary->host, '-p', $primary->port, '-d', 'postgres', '-c',
	  q{BEGIN;
		INSERT INTO w3 SELECT i, wide_vec(i, 3000) FROM generate_series(1001, 1020) i;
		INSERT INTO w16 SELECT i, wide_vec(i, 16000)::vector::halfvec FROM generate_series(1001, 1010) i;
		SELECT pg_sleep(600);} ],
	'>', \$out, '2>', \$err);
$primary->safe_psql('postgres', q{
	INSERT INTO w3 SELECT i, wide_vec(i, 3000) FROM generate_series(221, 260) i;
	INSERT INTO w16 SELECT i, wide_vec(i, 16000)::vector::halfvec FROM generate_series(91, 110) i;
});
$primary->poll_query_until('postgres',
	q{SELECT count(*) = 1 FROM pg_stat_activity WHERE wait_event = 'PgSleep'})
  or die 'the open transaction did not get to its inserts';
$primary->stop('immediate');
$open->finish;
$primary->start;

for my $tbl ('w3', 'w16')
{
	my $all = $primary->safe_psql('postgres', qq{
		SET enable_seqscan = off;
		SET hnsw.ef_search = 1000;
		SET hnsw.iterative_scan = relaxed_order;
		SELECT count(*), count(DISTINCT id), count(*) FILTER (WHERE id > 1000)
		FROM (SELECT id FROM $tbl ORDER BY v $op{$tbl} (SELECT v FROM $tbl WHERE id = 2)) s;
	});
	my $rows = $primary->safe_psql('postgres', "SELECT count(*) FROM $tbl");
	is($all, "$rows|$rows|0",
		"after the crash every committed row of $tbl is found through the index, no aborted one");
	is(topk($primary, $tbl, 0), topk($primary, $tbl, 1),
		"after the crash index answers equal an exact scan on $tbl");
}

$standby->stop;
$primary->stop;
done_testing();
