# test/t/030_ivf_wal.pl: a streaming standby replays ivf builds, inserts
# (chain extensions), VACUUM and REINDEX, and answers queries exactly as
# the primary does, for every quantizer and opclass.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->start;
$primary->backup('bk');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'bk', has_streaming => 1);
$standby->start;

# one table per index, so that each query can only use that index
my @cases = (
	[ 'it_none',   '<->', 'ivf (v) WITH (lists = 8)',                                      'ivf.probes = 3' ],
	[ 'it_sq8',    '<#>', 'ivf (v vector_ip_ops) WITH (lists = 8, quantizer = sq8)',       'ivf.probes = 3' ],
	[ 'it_rabitq', '<=>', 'ivf (v vector_cosine_ops) WITH (lists = 8, quantizer = rabitq)', 'ivf.probes = 3' ],
	[ 'it_flat',   '<->', 'ivfflat (v vector_l2_ops) WITH (lists = 5)',                    'ivfflat.probes = 2' ],
);
my $rows = sub {
	my ($table, $expr, $from, $to) = @_;
	return "INSERT INTO $table SELECT i, (SELECT format('[%s]', string_agg(round($expr\::numeric, 5)::text, ',' ORDER BY j))
		FROM generate_series(1, 6) j)::vector FROM generate_series($from, $to) i;";
};

$primary->safe_psql('postgres', 'CREATE EXTENSION vecrag');
for my $c (@cases)
{
	my ($t, $op, $using) = @$c;
	$primary->safe_psql('postgres', "CREATE TABLE $t (id int, v vector(6));"
		. $rows->($t, 'sin(i * 0.77 + j * 1.9)', 1, 2000)
		. "CREATE INDEX ${t}_idx ON $t USING $using;");
	# after the build: inserts that extend chains, deletes, vacuum, inserts
	$primary->safe_psql('postgres', $rows->($t, 'cos(i * 0.31 + j)', 2001, 6000)
		. "DELETE FROM $t WHERE id % 3 = 0; VACUUM $t;"
		. $rows->($t, 'sin(i * 0.13 + j)', 6001, 7000));
}
$primary->wait_for_catchup($standby);

sub answer
{
	my ($node, $t, $op, $set, $qid) = @_;
	return $node->safe_psql('postgres', qq{
		SET enable_seqscan = off; SET $set;
		SELECT string_agg(id::text, ',') FROM (SELECT id FROM $t
			ORDER BY v $op (SELECT v FROM $t WHERE id = $qid) LIMIT 15) s;
	});
}
for my $c (@cases)
{
	my ($t, $op, $using, $set) = @$c;
	like($primary->safe_psql('postgres', "SET enable_seqscan = off; EXPLAIN SELECT id FROM $t ORDER BY v $op '[1,0,0,0,0,0]' LIMIT 1"),
		qr/Index Scan using ${t}_idx/, "$t: the query uses the index");
	for my $qid (1, 2002, 6500)
	{
		my $p = answer($primary, $t, $op, $set, $qid);
		is(answer($standby, $t, $op, $set, $qid), $p, "$t: standby answers like the primary, query row $qid");
		like($p, qr/^\d+(,\d+){14}$/, "$t: 15 rows, query row $qid");
	}
	my $count = "SET enable_seqscan = off; SET ivf.probes = 8; SET ivfflat.probes = 8;
		SELECT count(*) FROM (SELECT id FROM $t ORDER BY v <-> '[1,0,0,0,0,0]') s";
	is($standby->safe_psql('postgres', $count), $primary->safe_psql('postgres', "SELECT count(*) FROM $t"),
		"$t: the standby's index has every row");
}

$primary->safe_psql('postgres', 'REINDEX TABLE it_rabitq');
$primary->wait_for_catchup($standby);
is(answer($standby, 'it_rabitq', '<=>', 'ivf.probes = 3', 2002),
	answer($primary, 'it_rabitq', '<=>', 'ivf.probes = 3', 2002), 'standby follows REINDEX');

$standby->stop;
$primary->stop;
done_testing();
