# test/t/031_ivf_crash.pl: backends inserting into ivf indexes at once
# (extending the same posting chains) are killed with SIGKILL; after crash
# recovery every committed row is found by the index with every list
# probed, and later inserts still work.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf('postgresql.conf', "restart_after_crash = on\nfsync = on\n");
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION vecrag;
	CREATE TABLE items (id bigserial, v vector(4));
	INSERT INTO items (v) SELECT format('[%s,%s,%s,%s]', sin(i), cos(i), sin(2 * i), i % 5)::vector
		FROM generate_series(1, 500) i;
	CREATE INDEX items_rabitq ON items USING ivf (v) WITH (lists = 4, quantizer = rabitq);
	CREATE INDEX items_none ON items USING ivf (v vector_cosine_ops) WITH (lists = 3);
	CHECKPOINT;
});

# four clients insert small transactions as fast as they can
my $script = "$PostgreSQL::Test::Utils::tmp_check/ivf_insert.sql";
open my $fh, '>', $script or die;
print $fh "INSERT INTO items (v) SELECT format('[%s,%s,%s,%s]', random(), random() - 0.5, random() * 2, random())::vector FROM generate_series(1, 20);\n";
close $fh;
my ($out, $err) = ('', '');
my $bench = IPC::Run::start(
	[ 'pgbench', '-n', '-c', '4', '-T', '60', '-f', $script,
	  '-h', $node->host, '-p', $node->port, 'postgres' ],
	'>', \$out, '2>', \$err);

# wait until the index has grown, then kill one inserting backend
my $grown = 0;
for (1 .. 300)
{
	$grown = $node->safe_psql('postgres', 'SELECT count(*) > 3000 FROM items') eq 't';
	last if $grown;
	usleep(100_000);
}
ok($grown, 'concurrent inserts are running');
# (the TAP framework sets PGAPPNAME, so find pgbench's backends by query)
my $pid = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE query LIKE 'INSERT INTO items%' AND pid <> pg_backend_pid()
	 ORDER BY state = 'active' DESC LIMIT 1");
ok($pid =~ /^\d+$/, 'found an inserting backend') or diag("pgbench: $err");
kill 'KILL', $pid;
$bench->finish;

# the postmaster reinitializes after the crash; wait for it (pg_isready: a
# psql fed through a pipe dies of SIGPIPE when the server refuses it at once)
my $up = 0;
for (1 .. 600)
{
	if (IPC::Run::run([ 'pg_isready', '-q', '-h', $node->host, '-p', $node->port ]))
	{
		$up = 1;
		last;
	}
	usleep(100_000);
}
ok($up, 'server is back after crash recovery');

my $committed = $node->safe_psql('postgres', 'SELECT count(*) FROM items');
ok($committed > 3000, "committed rows survived ($committed)");
for my $q ([ 'items_rabitq', '<->', 4 ], [ 'items_none', '<=>', 3 ])
{
	my ($index, $op, $lists) = @$q;
	my $other = $index eq 'items_none' ? 'items_rabitq' : 'items_none';
	my $found = $node->safe_psql('postgres', qq{
		BEGIN;
		UPDATE pg_index SET indisvalid = false WHERE indexrelid = '$other'::regclass;
		SET LOCAL enable_seqscan = off; SET LOCAL ivf.probes = $lists; SET LOCAL ivf.rerank = 0;
		SELECT count(*) FROM (SELECT id FROM items ORDER BY v $op '[0.5,0,1,0.5]') s;
		ROLLBACK;
	});
	is($found, $committed, "$index finds every committed row after the crash");
	my $missing = $node->safe_psql('postgres', qq{
		BEGIN;
		UPDATE pg_index SET indisvalid = false WHERE indexrelid = '$other'::regclass;
		SET LOCAL enable_seqscan = off; SET LOCAL ivf.probes = $lists; SET LOCAL ivf.rerank = 100000;
		SELECT count(*) FROM (SELECT id FROM items ORDER BY id DESC LIMIT 20) r
			WHERE r.id NOT IN (SELECT id FROM (SELECT id FROM items ORDER BY v $op (SELECT v FROM items WHERE id = r.id) LIMIT 5) s);
		ROLLBACK;
	});
	is($missing, '0', "$index: the last committed rows are their own nearest neighbours");
}

$node->safe_psql('postgres', "INSERT INTO items (v) SELECT '[9,9,9,9]' FROM generate_series(1, 1000)");
is($node->safe_psql('postgres', q{SET enable_seqscan = off; SET ivf.probes = 4;
	SELECT count(*) FROM (SELECT id FROM items ORDER BY v <-> '[9,9,9,9]' LIMIT 1000) s}),
	'1000', 'inserts after recovery work');
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"), '0', 'no lock waits left');
$node->stop;
done_testing();
