# test/t/051_search_dump_standby.pl: a BM25 index is ordinary tables and
# triggers, so it survives pg_dump/pg_restore (and keeps maintaining itself
# afterwards, recording its dependencies again) and replays on a streaming
# standby.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('primary');
$node->init(allows_streaming => 1);
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', q{
	CREATE EXTENSION vecrag;
	CREATE TABLE docs (id int PRIMARY KEY, body text, embedding vector(2));
	INSERT INTO docs SELECT i, 'word' || (i % 17) || ' common term' || (i % 5) || repeat(' filler', i % 4),
							('[' || cos(i) || ',' || sin(i) || ']')::vector
		FROM generate_series(1, 300) i;
	SELECT vecrag.bm25_create_index('docs', 'body');
	DELETE FROM docs WHERE id % 10 = 0;
	UPDATE docs SET body = body || ' word3' WHERE id % 7 = 0;
});
my $query = q{SELECT string_agg(id || ':' || round(score::numeric, 9), ',' ORDER BY rank)
			  FROM vecrag.bm25_search('docs_body_bm25', 'word3 term2 filler', k => 20)};
my $hybrid = q{SELECT string_agg(id::text, ',' ORDER BY rank)
			   FROM vecrag.hybrid_search('docs', 'word3 term2', '[1,0]', k => 10)};
my $before = $node->safe_psql('src', $query);
my $hybrid_before = $node->safe_psql('src', $hybrid);
isnt($before, '', 'search returns rows');

# streaming standby
$node->backup('b');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($node, 'b', has_streaming => 1);
$standby->start;
$node->safe_psql('src', q{INSERT INTO docs VALUES (1000, 'word3 word3 term2 brand new', '[1,0]');
						  DELETE FROM docs WHERE id = 7});
$node->wait_for_catchup($standby);
my $after = $node->safe_psql('src', $query);
is($standby->safe_psql('src', $query), $after, 'standby returns the primary\'s BM25 results');
is($standby->safe_psql('src', $hybrid), $node->safe_psql('src', $hybrid), 'and the same hybrid results');
like($after, qr/(^|,)1000:/, 'the new document is found');

# dump and restore into another database
my $dump = "$PostgreSQL::Test::Utils::tmp_check/src.dump";
$node->command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('src'), '-f', $dump ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE dst');
$node->command_ok([ 'pg_restore', '-d', $node->connstr('dst'), $dump ], 'pg_restore');
is($node->safe_psql('dst', $query), $after, 'restored index gives the same results');
$node->safe_psql('dst', q{INSERT INTO docs VALUES (2000, 'word3 word3 word3 term2', '[0,1]')});
like($node->safe_psql('dst', $query), qr/(^|,)2000:/, 'restored triggers keep maintaining the index');
is($node->safe_psql('dst', q{SELECT documents FROM vecrag.bm25_index_info('docs_body_bm25')}),
	$node->safe_psql('dst', 'SELECT count(*) FROM docs'), 'restored statistics count every row');

# pg_dump does not carry pg_depend records: the first write re-records them,
# after which DROP EXTENSION refuses and DROP TABLE takes the index along
my $deps = q{SELECT count(*) FROM pg_depend
			 WHERE classid = 'pg_class'::regclass AND objid = 'docs_body_bm25'::regclass AND deptype IN ('a', 'n')
			   AND refclassid IN ('pg_class'::regclass, 'pg_extension'::regclass)};
is($node->safe_psql('src', $deps), '2', 'source index depends on its table and the extension');
is($node->safe_psql('dst', $deps), '2', 'restored index depends on them again after its first write');
my ($ret, $out, $err) = $node->psql('dst', 'DROP EXTENSION vecrag');
like($err, qr/cannot drop extension vecrag because other objects depend on it/,
	'DROP EXTENSION refuses under a restored index');
$node->safe_psql('dst', 'DROP TABLE docs');
is($node->safe_psql('dst', q{SELECT count(*) FROM pg_class WHERE relname LIKE 'docs_body_bm25%'}), '0',
	'DROP TABLE of the restored source drops its index');
is($node->safe_psql('dst', q{SELECT count(*) FROM pg_proc WHERE proname = 'docs_body_bm25_maintain'}), '0',
	'and its maintenance function');

$standby->stop;
$node->stop;
done_testing();
