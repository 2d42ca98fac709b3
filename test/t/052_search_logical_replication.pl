# test/t/052_search_logical_replication.pl: a BM25 index on a logical
# replication subscriber follows the replicated rows (QA B5).  The apply
# worker runs with session_replication_role = replica and fires row
# triggers only; the index's replica row triggers (ENABLE REPLICA) index
# what the initial sync copies and what apply inserts, updates, deletes and
# truncates.  When the side tables are published too (FOR ALL TABLES, the
# subscriber's schema from pg_dump --schema-only), the subscriber takes their
# rows from the publisher and the triggers stand aside, so nothing is
# counted twice.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $pub = PostgreSQL::Test::Cluster->new('publisher');
$pub->init(allows_streaming => 'logical');
$pub->start;
my $sub = PostgreSQL::Test::Cluster->new('subscriber');
$sub->init;
$sub->start;

my $schema = q{
	CREATE EXTENSION vecrag;
	CREATE TABLE docs (id int PRIMARY KEY, body text);
	SELECT vecrag.bm25_create_index('docs', 'body');
};
my $query = q{SELECT string_agg(id || ':' || round(score::numeric, 9), ',' ORDER BY rank)
			  FROM vecrag.bm25_search('docs_body_bm25', 'apple pie crumble', k => 50)};
my $info = q{SELECT documents || '/' || round(avg_length::numeric, 6) FROM vecrag.bm25_index_info('docs_body_bm25')};
my $dfs = q{SELECT string_agg(term || '=' || df, ',' ORDER BY term)
			FROM (SELECT term, sum(df) AS df FROM docs_body_bm25_terms GROUP BY term HAVING sum(df) <> 0) t};

# $publication: 'source' publishes docs only, 'all' every table
for my $publication ('source', 'all')
{
	my $db = "db_$publication";
	$pub->safe_psql('postgres', "CREATE DATABASE $db");
	$sub->safe_psql('postgres', "CREATE DATABASE $db");
	$pub->safe_psql($db, $schema);
	if ($publication eq 'all')
	{
		# the subscriber gets the publisher's schema, index tables included
		# (their rows, the metadata row among them, come by replication)
		my $file = "$PostgreSQL::Test::Utils::tmp_check/$db.sql";
		$pub->command_ok([ 'pg_dump', '-s', '-f', $file, '-d', $pub->connstr($db) ], 'pg_dump --schema-only');
		$sub->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', $file, '-d', $sub->connstr($db) ],
			'schema restored on the subscriber');
	}
	else
	{
		# the subscriber creates its own index on its own table
		$sub->safe_psql($db, $schema);
	}
	$pub->safe_psql($db, q{
		INSERT INTO docs SELECT i, CASE i % 3 WHEN 0 THEN 'apple pie' WHEN 1 THEN 'apple crumble with apple'
								   ELSE 'cherry pie' END || ' doc' || i FROM generate_series(1, 60) i;
	});
	$pub->safe_psql($db, $publication eq 'all'
		? 'CREATE PUBLICATION p FOR ALL TABLES' : 'CREATE PUBLICATION p FOR TABLE docs');
	(my $connstr = $pub->connstr($db)) =~ s/'/''/g;
	$sub->safe_psql($db, "CREATE SUBSCRIPTION s CONNECTION '$connstr' PUBLICATION p");
	$pub->wait_for_catchup('s');
	$sub->poll_query_until($db,
		q{SELECT count(*) = 0 FROM pg_subscription_rel WHERE srsubstate NOT IN ('r', 's')})
	  or die 'initial sync did not finish';

	is($sub->safe_psql($db, 'SELECT count(*) FROM docs'), '60', "$publication: rows copied");
	is($sub->safe_psql($db, $info), $pub->safe_psql($db, $info), "$publication: initial sync indexed");
	is($sub->safe_psql($db, $query), $pub->safe_psql($db, $query), "$publication: same results after initial sync");

	$pub->safe_psql($db, q{
		INSERT INTO docs VALUES (101, 'apple apple apple pie'), (102, 'crumble');
		UPDATE docs SET body = 'plain bread' WHERE id % 5 = 0;
		UPDATE docs SET body = body WHERE id = 1;
		DELETE FROM docs WHERE id % 7 = 0;
	});
	$pub->wait_for_catchup('s');
	is($sub->safe_psql($db, $info), $pub->safe_psql($db, $info), "$publication: statistics follow apply");
	is($sub->safe_psql($db, $dfs), $pub->safe_psql($db, $dfs), "$publication: document frequencies follow apply");
	my $after = $pub->safe_psql($db, $query);
	like($after, qr/(^|,)101:/, "$publication: new row found on the publisher");
	is($sub->safe_psql($db, $query), $after, "$publication: subscriber's bm25_search finds replicated rows");

	# local writes on the subscriber still go through the statement triggers
	$sub->safe_psql($db, q{INSERT INTO docs VALUES (500, 'apple crumble local')}) if $publication eq 'source';
	like($sub->safe_psql($db, $query), qr/(^|,)500:/, "$publication: local write indexed")
	  if $publication eq 'source';
	$sub->safe_psql($db, q{DELETE FROM docs WHERE id = 500}) if $publication eq 'source';

	$pub->safe_psql($db, 'TRUNCATE docs');
	$pub->safe_psql($db, q{INSERT INTO docs VALUES (1, 'apple pie')});
	$pub->wait_for_catchup('s');
	is($sub->safe_psql($db, $info), $pub->safe_psql($db, $info), "$publication: TRUNCATE replicated");
	is($sub->safe_psql($db, $query), $pub->safe_psql($db, $query), "$publication: same results after TRUNCATE");

	$sub->safe_psql($db, 'DROP SUBSCRIPTION s');
}

$sub->stop;
$pub->stop;
done_testing();
