# test/t/054_search_hybrid_cancel.pl: hybrid_search runs its BM25 loop on the
# backend's compute thread while the vector query runs (vecrag.hybrid_parallel),
# and, when the loop outlasts the vector query, sums the windows past the middle
# of what the thread has left itself (queries 41-50 are long ones of the most
# frequent words, whose loops do).
# A backend looping over hybrid_search is cancelled (pg_cancel_backend) and
# times out (statement_timeout) many times, at random points: the interrupt
# stops the loop on the thread before the error escapes, and the same backend
# keeps answering exactly as the serial path does.  pg_terminate_backend
# during a call ends the backend without crashing the server.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('hybrid_cancel');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION vecrag;
	CREATE TABLE docs (id int PRIMARY KEY, body text, embedding vector(8));
	INSERT INTO docs
	SELECT i * 3,
		   (SELECT string_agg('w' || floor(200 * power(((i * 7919 + j * 104729) % 10007) / 10007.0, 3))::int, ' ')
			FROM generate_series(1, 10 + i % 13) j),
		   ARRAY(SELECT ((i * p) % 101) / 100.0 FROM unnest('{3,5,7,11,13,17,19,23}'::int[]) p)::vector
	FROM generate_series(1, 20000) i;
	SELECT vecrag.bm25_create_index('docs', 'body');
	CREATE INDEX ON docs USING hnsw (embedding vector_cosine_ops);
	CREATE TABLE queries AS
	SELECT q AS qid,
		   (SELECT string_agg('w' || ((q * 13 + j * 29) % 200), ' ') FROM generate_series(1, 2 + q % 6) j) AS qtext,
		   ARRAY(SELECT ((q * p) % 23) / 22.0 + 0.01 FROM unnest('{2,3,5,7,11,13,17,19}'::int[]) p)::vector AS qvec,
		   CASE WHEN q % 3 = 0 THEN 2000 ELSE 10 END AS candidates
	FROM generate_series(1, 40) q;
	INSERT INTO queries
	SELECT q, (SELECT string_agg('w' || j, ' ') FROM generate_series(0, 5 + q % 8) j),
		   ARRAY(SELECT ((q * p) % 23) / 22.0 + 0.01 FROM unnest('{2,3,5,7,11,13,17,19}'::int[]) p)::vector, 10
	FROM generate_series(41, 50) q;
	-- the serial path's answers
	SET vecrag.hybrid_parallel = off;
	CREATE TABLE expected AS
	SELECT q.qid, h.* FROM queries q,
		vecrag.hybrid_search('docs', q.qtext, q.qvec, k => 10, candidates => q.candidates) h;
	-- loop over the queries, checking every answer, until interrupted
	CREATE FUNCTION hp_loop(calls int) RETURNS int LANGUAGE plpgsql AS $$
	DECLARE
		r record;
		bad int;
	BEGIN
		FOR i IN 1 .. calls LOOP
			SELECT * INTO r FROM queries WHERE qid = 1 + i % 50;
			SELECT count(*) INTO bad FROM (
				(SELECT r.qid, h.* FROM vecrag.hybrid_search('docs', r.qtext, r.qvec, k => 10,
															 candidates => r.candidates) h
				 EXCEPT ALL SELECT * FROM expected WHERE qid = r.qid)
				UNION ALL
				(SELECT * FROM expected WHERE qid = r.qid
				 EXCEPT ALL SELECT r.qid, h.* FROM vecrag.hybrid_search('docs', r.qtext, r.qvec, k => 10,
																	  candidates => r.candidates) h)) x;
			IF bad > 0 THEN
				RAISE EXCEPTION 'mismatch on query %', r.qid;
			END IF;
		END LOOP;
		RETURN calls;
	END $$;
	-- every query once: rows that differ from the serial answers
	CREATE FUNCTION hp_verify() RETURNS text LANGUAGE sql AS $$
		WITH got AS (SELECT q.qid, h.* FROM queries q,
						 vecrag.hybrid_search('docs', q.qtext, q.qvec, k => 10, candidates => q.candidates) h)
		SELECT 'verify ' || (SELECT count(*) FROM got) || ' rows, ' ||
			   (SELECT count(*) FROM (SELECT * FROM got EXCEPT ALL SELECT * FROM expected
									  UNION ALL SELECT * FROM expected EXCEPT ALL SELECT * FROM got) x) || ' differ'
	$$;
});
my $rows = $node->safe_psql('postgres', 'SELECT count(*) FROM expected');
cmp_ok($rows, '>=', 300, 'the serial path answers every query');
is($node->safe_psql('postgres', 'SELECT hp_loop(80)'), '80', 'the parallel path gives the serial answers');
my ($count, $debug);
$node->psql('postgres', q{SET client_min_messages = debug1;
	SELECT count(*) FROM vecrag.hybrid_search('docs', 'w1 w2 w3', (SELECT qvec FROM queries WHERE qid = 1))},
	stdout => \$count, stderr => \$debug);
is($count, '10', 'a call');
like($debug, qr/BM25 search loop posted to the compute thread/, 'its BM25 loop was posted to the compute thread');
$node->psql('postgres', q{SET client_min_messages = debug1; SELECT hp_loop(200)},
	stdout => \$count, stderr => \$debug);
is($count, '200', 'the parallel path gives the serial answers, debug messages on');
my $splits = () = $debug =~ /BM25 windows from id \d+ summed on the main thread beside the compute thread/g;
cmp_ok($splits, '>=', 1, "the main thread summed the last windows of $splits loops beside the thread");

# one session: timeouts, then cancels, then a check of every query
my $cancels = 30;
my $timeouts = 20;
my $script = "SET application_name = 'hp_loop';\n";
for my $i (1 .. $timeouts)
{
	$script .= sprintf("SET statement_timeout = '%dms';\nSELECT hp_loop(999999);\n", 5 + int(rand(60)));
}
$script .= "RESET statement_timeout;\n";
$script .= "SELECT hp_loop(1000000);\n" x $cancels;
$script .= "SELECT hp_verify();\n";
my $file = "$PostgreSQL::Test::Utils::tmp_check/hp_loop.sql";
append_to_file($file, $script);
my ($out, $err) = ('', '');
my $h = IPC::Run::start([ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-f', $file ],
	'>', \$out, '2>', \$err);
for my $i (1 .. $cancels)
{
	$node->poll_query_until('postgres', q{
		SELECT count(*) = 1 FROM pg_stat_activity
		WHERE application_name = 'hp_loop' AND state = 'active' AND query LIKE 'SELECT hp_loop(1000000)%'})
	  or die "the loop did not start";
	# somewhere inside a call: in the vector query, in the wait, or between
	$node->safe_psql('postgres', sprintf('SELECT pg_sleep(%.3f)', rand(0.08)));
	$node->safe_psql('postgres',
		q{SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'hp_loop'});
}
$h->finish;
my $canceled = () = $err =~ /canceling statement due to user request/g;
my $timedout = () = $err =~ /canceling statement due to statement timeout/g;
is($canceled, $cancels, "$cancels cancels each stopped a loop");
is($timedout, $timeouts, "$timeouts statement timeouts each stopped a loop");
unlike($err, qr/mismatch|FATAL|server closed/, 'no wrong answer and no lost connection');
like($out, qr/^verify $rows rows, 0 differ$/m, 'the same backend then answers every query as the serial path');

# terminate a backend in a call, several times: the server stays up
for my $i (1 .. 5)
{
	my ($tout, $terr) = ('', '');
	my $t = IPC::Run::start([ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c',
		"SET application_name = 'hp_term'; SELECT hp_loop(1000000)" ], '>', \$tout, '2>', \$terr);
	$node->poll_query_until('postgres', q{
		SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'hp_term' AND state = 'active'})
	  or die "the loop did not start";
	$node->safe_psql('postgres', sprintf('SELECT pg_sleep(%.3f)', rand(0.05)));
	$node->safe_psql('postgres',
		q{SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'hp_term'});
	$t->finish;
	like($terr, qr/terminating connection due to administrator command/, "terminated in a call ($i)");
}
is($node->safe_psql('postgres', 'SELECT hp_verify()'), "verify $rows rows, 0 differ",
	'a new session answers every query as the serial path');
my $log = slurp_file($node->logfile);
unlike($log, qr/was terminated by signal|server process .* exited with exit code [^01]|PANIC/,
	'no backend crashed');
$node->stop;
done_testing();
