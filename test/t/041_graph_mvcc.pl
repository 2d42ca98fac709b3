# test/t/041_graph_mvcc.pl: graph reads see exactly what the caller's
# snapshot sees -- a deleted edge is not followed, an uncommitted edge is
# invisible to other sessions, a repeatable-read snapshot keeps its view --
# through index-only scans (covering index, all-visible pages) and plain
# index scans alike.  Also: an edge table dropped under a waiting call gives
# a clear error, graph definitions survive pg_dump/restore, and edge columns
# survive binary COPY.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('mvcc');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION vecrag;
	-- a chain 1 -> 2 -> 3 -> 4 and a branch 1 -> 10, in two tables:
	-- covering indexes (index-only scans) and plain indexes (heap fetches)
	CREATE TABLE covered (src bigint, dst bigint, relation text);
	CREATE TABLE plain (src bigint, dst bigint, relation text, note text);
	INSERT INTO covered VALUES (1, 2, 'r'), (2, 3, 'r'), (3, 4, 'r'), (1, 10, 'r');
	INSERT INTO plain SELECT *, 'x' FROM covered;
	CREATE INDEX ON covered (src) INCLUDE (dst, relation);
	CREATE INDEX ON covered (dst) INCLUDE (src, relation);
	CREATE INDEX ON plain (src);
	CREATE INDEX ON plain (dst);
	VACUUM ANALYZE covered;
	VACUUM ANALYZE plain;
	SELECT vecrag.create_graph('covered', 'covered', relation => 'relation');
	SELECT vecrag.create_graph('plain', 'plain', relation => 'relation');
});

sub reach
{
	my ($session, $graph, $direction) = @_;
	$direction //= 'out';
	my $sql = "SELECT string_agg(id || ':' || depth, ',' ORDER BY id) FROM vecrag.traverse('$graph', ARRAY[1], max_depth => 5, direction => '$direction')";
	return ref $session ? $session->query_safe($sql) : $node->safe_psql('postgres', $sql);
}

for my $g ('covered', 'plain')
{
	is(reach(undef, $g), '1:0,2:1,3:2,4:3,10:1', "$g: initial reach");

	my $writer = $node->background_psql('postgres');
	my $reader = $node->background_psql('postgres');
	$writer->query_safe("BEGIN; DELETE FROM $g WHERE src = 2 AND dst = 3; INSERT INTO $g (src, dst, relation) VALUES (10, 20, 'r');");
	is(reach($writer, $g), '1:0,2:1,10:1,20:2', "$g: the deleting transaction does not follow its deleted edge and sees its own insert");
	is(reach($reader, $g), '1:0,2:1,3:2,4:3,10:1', "$g: another session sees neither the uncommitted delete nor the uncommitted insert");
	is($reader->query_safe("SELECT count(*) FROM vecrag.shortest_path('$g', 1, 20)"), '0',
		"$g: no shortest path through an uncommitted edge");
	is($reader->query_safe("SELECT count(*) FROM vecrag.pagerank('$g', seeds => ARRAY[1])"), '5',
		"$g: PageRank sees the committed graph only");

	$reader->query_safe("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1;");
	$writer->query_safe("COMMIT;");
	is(reach($reader, $g), '1:0,2:1,3:2,4:3,10:1', "$g: a repeatable-read snapshot keeps its view after the commit");
	$reader->query_safe("COMMIT;");
	is(reach($reader, $g), '1:0,2:1,10:1,20:2', "$g: a new snapshot sees the committed changes");
	is(reach($reader, $g, 'in'), '1:0', "$g: nothing points to node 1");
	is($node->safe_psql('postgres', "SELECT string_agg(id::text, ',' ORDER BY id) FROM vecrag.traverse('$g', ARRAY[4], max_depth => 5, direction => 'in')"),
		'3,4', "$g: backwards from 4, the deleted edge 2 -> 3 is not followed");

	# an aborted insert is never seen, also after the page is all-visible again
	$writer->query_safe("BEGIN; INSERT INTO $g (src, dst, relation) VALUES (4, 99, 'r'); ROLLBACK;");
	$node->safe_psql('postgres', "VACUUM $g");
	is($node->safe_psql('postgres', "SELECT count(*) FROM vecrag.traverse('$g', ARRAY[4], max_depth => 1)"),
		'1', "$g: a rolled-back edge is never followed");
	$writer->quit;
	$reader->quit;
}

# a table dropped by a transaction the call waits for is reported by graph
# name with 42P01, not as XX000 "could not open relation with OID n"
for my $fn ("vecrag.traverse('gone', ARRAY[1])", "vecrag.pagerank('gone')")
{
	$node->safe_psql('postgres', q{
		CREATE TABLE gone_edges (src bigint, dst bigint);
		CREATE INDEX ON gone_edges (src);
		SELECT vecrag.create_graph('gone', 'gone_edges');});
	my $dropper = $node->background_psql('postgres');
	my $caller = $node->background_psql('postgres', on_error_stop => 0);
	$dropper->query_safe('BEGIN; DROP TABLE gone_edges;');
	$caller->query_until(qr/started/, "\\set VERBOSITY verbose\n\\echo started\nSELECT count(*) FROM $fn;\n");
	$node->poll_query_until('postgres', q{
		SELECT EXISTS (SELECT FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND query LIKE '%vecrag.%(''gone''%')})
	  or die "the call did not wait for the dropping transaction";
	$dropper->query_safe('COMMIT;');
	$caller->query('SELECT 1');
	like($caller->{stderr}, qr/ERROR:  42P01: edge table of graph "gone" does not exist/,
		"$fn: a concurrently dropped edge table is reported by graph name");
	$dropper->quit;
	$caller->quit;
	$node->safe_psql('postgres', "SELECT vecrag.drop_graph('gone')");
}

# the graph registry is dumped and restored with the database
my $dump = "$PostgreSQL::Test::Utils::tmp_check/graphs.dump";
$node->command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('postgres'), '-f', $dump ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok([ 'pg_restore', '-d', $node->connstr('restored'), $dump ], 'pg_restore');
is($node->safe_psql('restored', "SELECT string_agg(name || '=' || edge_table::text || '/' || relation_column, ',' ORDER BY name) FROM vecrag.graphs"),
	'covered=covered/relation,plain=plain/relation', 'graph definitions are restored');
is($node->safe_psql('restored', "SELECT string_agg(id::text, ',' ORDER BY id) FROM vecrag.traverse('covered', ARRAY[1], max_depth => 5)"),
	'1,2,10,20', 'a restored graph can be traversed');

# edges and edge[] survive binary COPY unchanged
my $copy = "$PostgreSQL::Test::Utils::tmp_check/edges.bin";
$node->safe_psql('postgres', qq{
	CREATE TABLE edges (e vecrag.edge, path vecrag.edge[]);
	INSERT INTO edges VALUES ('1->2', '{1->2,2->3:0.25}'), ('-9223372036854775808->9223372036854775807:-1.5', '{}'), (NULL, NULL);
	COPY edges TO '$copy' (FORMAT binary);
	CREATE TABLE edges2 (LIKE edges);
	COPY edges2 FROM '$copy' (FORMAT binary);});
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM edges a JOIN edges2 b ON a.e = b.e AND a.path = b.path}), '2',
	'binary COPY round trip keeps edges and paths');

$node->stop;
done_testing();
