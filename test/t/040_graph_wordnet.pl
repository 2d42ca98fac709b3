# test/t/040_graph_wordnet.pl: vecrag.traverse, shortest_path and pagerank on
# WordNet 3.0 (364,552 edges) equal straightforward SQL references: a
# recursive CTE (distinct nodes at minimum depth) for several seed sets,
# depths, relation filters and directions, and the PageRank fixed-point
# equation for personalized PageRank.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $data = $ENV{VECRAG_DATA} // '/tmp/vecrag-data';
my $edges = "$data/wordnet-edges.tsv";
die "$edges not found: test/run generates it (../shared/data/get-wordnet $data)"
  unless -r $edges;

my $node = PostgreSQL::Test::Cluster->new('wordnet');
$node->init;
$node->append_conf('postgresql.conf', "work_mem = '64MB'");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vecrag');
$node->safe_psql('postgres', qq{
	CREATE TABLE wn (src bigint, dst bigint, relation text);
	COPY wn FROM '$edges';
	CREATE INDEX wn_src ON wn (src) INCLUDE (dst, relation);
	CREATE INDEX wn_dst ON wn (dst);
	VACUUM ANALYZE wn;
	SELECT vecrag.create_graph('wn', 'wn', relation => 'relation');
	-- deterministic seed sets: 10 synsets spread over the id space, 3 nouns, 1 verb
	CREATE TABLE seed_sets (name text, seeds bigint[]);
	INSERT INTO seed_sets
	SELECT 'spread', array_agg(src ORDER BY src) FROM (
		SELECT src FROM (SELECT DISTINCT src FROM wn) s ORDER BY hashint8(src), src LIMIT 10) x;
	INSERT INTO seed_sets VALUES ('dog cat car', '{102084071,102121620,102958343}'),
		('run (verb)', '{201926329}');
});
is($node->safe_psql('postgres', 'SELECT count(*) FROM wn'), '364552', 'WordNet edges loaded');

# the reference: distinct nodes at minimum depth, by a recursive CTE
sub cte
{
	my ($seeds, $depth, $direction, $relations) = @_;
	my $rel = defined $relations ? "AND relation = ANY('$relations')" : '';
	my $out = "SELECT dst AS nb FROM wn WHERE src = r.id $rel";
	my $in = "SELECT src AS nb FROM wn WHERE dst = r.id $rel";
	my $step =
	    $direction eq 'out' ? $out
	  : $direction eq 'in' ? $in
	  : "$out UNION ALL $in";
	return "SELECT id, min(depth)::int AS depth FROM (WITH RECURSIVE r(id, depth) AS (
		SELECT unnest(seeds), 0 FROM seed_sets WHERE name = '$seeds'
		UNION
		SELECT x.nb, r.depth + 1 FROM r, LATERAL ($step) x WHERE r.depth < $depth)
		SELECT * FROM r) y GROUP BY id";
}

sub traverse
{
	my ($seeds, $depth, $direction, $relations) = @_;
	my $rel = defined $relations ? ", relations => '$relations'" : '';
	return "SELECT t.id, t.depth FROM seed_sets s, vecrag.traverse('wn', s.seeds,
		max_depth => $depth, direction => '$direction' $rel) t WHERE s.name = '$seeds'";
}

my @cases = (
	[ 'spread', 1, 'out', undef ], [ 'spread', 2, 'out', undef ],
	[ 'spread', 3, 'out', undef ], [ 'spread', 3, 'in', undef ],
	[ 'spread', 2, 'both', undef ], [ 'spread', 4, 'out', '{hypernym,instance_hypernym}' ],
	[ 'dog cat car', 3, 'out', undef ], [ 'dog cat car', 3, 'out', '{hyponym}' ],
	[ 'dog cat car', 2, 'both', '{hypernym,hyponym,part_meronym}' ],
	[ 'dog cat car', 6, 'in', '{hyponym}' ], [ 'run (verb)', 3, 'both', undef ],
	[ 'run (verb)', 3, 'out', '{derivation,verb_group}' ]);
for my $c (@cases)
{
	my ($seeds, $depth, $direction, $relations) = @$c;
	my $label = "$seeds, $depth hops, $direction" . (defined $relations ? ", $relations" : '');
	my $t = traverse(@$c);
	my $r = cte(@$c);
	my ($diff, $n) = split /\|/, $node->safe_psql('postgres', qq{
		SELECT (SELECT count(*) FROM (($t EXCEPT $r) UNION ALL ($r EXCEPT $t)) d),
			(SELECT count(*) FROM ($t) x)});
	is($diff, '0', "traverse equals the recursive CTE: $label ($n nodes)");
	cmp_ok($n, '>', 1, "traversal is not trivial: $label");
}

# paths are real, from a seed, of length depth, with the right relations;
# degree is the number of edges in the direction followed
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM seed_sets s, vecrag.traverse('wn', s.seeds, max_depth => 3) t
	WHERE s.name = 'spread' AND (cardinality(t.path) <> t.depth
		OR cardinality(t.relation_path) <> t.depth
		OR (t.depth > 0 AND (NOT vecrag.edge_src(t.path[1]) = ANY(s.seeds)
			OR vecrag.edge_dst(t.path[t.depth]) <> t.id))
		OR EXISTS (SELECT 1 FROM generate_series(1, t.depth) i
			WHERE NOT EXISTS (SELECT 1 FROM wn WHERE src = vecrag.edge_src(t.path[i])
				AND dst = vecrag.edge_dst(t.path[i]) AND relation = t.relation_path[i])
			   OR (i > 1 AND vecrag.edge_src(t.path[i]) <> vecrag.edge_dst(t.path[i - 1]))))}),
	'0', 'every path is a chain of real edges from a seed');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM seed_sets s, vecrag.traverse('wn', s.seeds, max_depth => 2, direction => 'both') t
	WHERE s.name = 'dog cat car'
	  AND t.degree <> (SELECT count(*) FROM wn WHERE src = t.id) + (SELECT count(*) FROM wn WHERE dst = t.id)}),
	'0', 'degree counts edges both ways');

# shortest paths: hop counts equal BFS depths, one-way and bidirectional
my $sp = $node->safe_psql('postgres', q{
	WITH pairs AS (
		SELECT 'out' AS direction, s.seeds[1] AS source, t.id AS target, t.depth
		FROM seed_sets s, vecrag.traverse('wn', s.seeds[1:1], max_depth => 4) t
		WHERE s.name = 'dog cat car'
		UNION ALL
		SELECT 'both', s.seeds[1], t.id, t.depth
		FROM seed_sets s, vecrag.traverse('wn', s.seeds[1:1], max_depth => 3, direction => 'both') t
		WHERE s.name = 'run (verb)'),
	sample AS (SELECT * FROM pairs ORDER BY hashint8(target) LIMIT 60)
	SELECT count(*), count(*) FILTER (WHERE p.hops = s.depth AND p.ok)
	FROM sample s, LATERAL (
		SELECT max(depth) AS hops,
			bool_and(depth = 0 OR EXISTS (SELECT 1 FROM wn WHERE src = vecrag.edge_src(edge)
				AND dst = vecrag.edge_dst(edge))) AS ok
		FROM vecrag.shortest_path('wn', s.source, s.target, direction => s.direction)) p});
my ($pairs, $good) = split /\|/, $sp;
is($good, $pairs, "shortest_path hop counts equal BFS depths ($pairs pairs)");
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM vecrag.shortest_path('wn', 102084071, 102958343, weighted => false)}) > 1 ? 1 : 0,
	1, 'dog to car has a path');
$node->safe_psql('postgres', q{
	CREATE TABLE wnw AS SELECT src, dst, relation, (1 + (hashint8(src + dst) & 7))::real AS w FROM wn;
	CREATE INDEX ON wnw (src) INCLUDE (dst, w);
	SELECT vecrag.create_graph('wnw', 'wnw', weight => 'w');});
my ($ndist, $ok) = split /\|/, $node->safe_psql('postgres', q{
	-- Dijkstra against a Bellman-Ford style recursive CTE limited to 4 hops from dog
	WITH RECURSIVE d(id, dist, hops) AS (
		SELECT 102084071::bigint, 0::float8, 0
		UNION ALL
		SELECT e.dst, d.dist + e.w, d.hops + 1 FROM d JOIN wnw e ON e.src = d.id WHERE d.hops < 4),
	best AS (SELECT id, min(dist) AS dist FROM d GROUP BY id),
	sample AS (SELECT * FROM best ORDER BY hashint8(id) LIMIT 25)
	SELECT count(*), count(*) FILTER (WHERE p.w <= s.dist + 1e-9)
	FROM sample s, LATERAL (SELECT max(path_weight) AS w
		FROM vecrag.shortest_path('wnw', 102084071, s.id, weighted => true)) p});
is($ok, $ndist, "Dijkstra is never longer than the best path of at most 4 hops ($ndist targets)");

# personalized PageRank satisfies its fixed-point equation on WordNet:
# r(v) = 0.85 * (sum over u -> v of r(u) / outdeg(u) + dangling * p(v)) + 0.15 * p(v)
$node->safe_psql('postgres', q{
	CREATE TABLE ppr AS SELECT p.* FROM seed_sets s,
		vecrag.pagerank('wn', seeds => s.seeds, tolerance => 1e-12, max_iterations => 1000) p
	WHERE s.name = 'spread';
	CREATE TABLE outdeg AS SELECT src AS id, count(*) AS d FROM wn GROUP BY src;});
my ($total, $worst) = split /\|/, $node->safe_psql('postgres', q{
	WITH p AS (SELECT unnest(seeds) AS id, 1.0 / cardinality(seeds) AS p FROM seed_sets WHERE name = 'spread'),
	dangling AS (SELECT coalesce(sum(r.score), 0) AS m FROM ppr r LEFT JOIN outdeg o USING (id) WHERE o.id IS NULL),
	top AS (SELECT * FROM ppr ORDER BY rank LIMIT 200),
	expected AS (
		SELECT t.id, t.score,
			0.85 * ((SELECT coalesce(sum(r.score / o.d), 0) FROM wn e JOIN ppr r ON r.id = e.src
				JOIN outdeg o ON o.id = e.src WHERE e.dst = t.id)
				+ (SELECT m FROM dangling) * coalesce(p.p, 0)) + 0.15 * coalesce(p.p, 0) AS expect
		FROM top t LEFT JOIN p USING (id))
	SELECT round((SELECT sum(score) FROM ppr)::numeric, 9), max(abs(score - expect)) < 1e-9 FROM expected});
is($total, '1.000000000', 'PageRank scores sum to 1');
is($worst, 't', 'PageRank satisfies the fixed-point equation for the top 200 nodes');
is($node->safe_psql('postgres', q{
	SELECT string_agg(id::text, ',' ORDER BY id) FROM seed_sets s,
		vecrag.pagerank('wn', seeds => s.seeds, top_n => 3) WHERE s.name = 'dog cat car'}),
	'102084071,102121620,102958343', 'the seeds are the top 3 of their own PageRank');

# communities on the hypernym forest: nested levels, every node assigned
$node->safe_psql('postgres', q{
	CREATE TABLE wnc AS SELECT * FROM vecrag.communities('wn', relations => '{hypernym,instance_hypernym}');});
my ($levels, $nodes, $nested) = split /\|/, $node->safe_psql('postgres', q{
	SELECT count(DISTINCT level),
		(SELECT count(DISTINCT id) FROM wnc),
		(SELECT count(*) FROM (SELECT a.level, a.community FROM wnc a JOIN wnc b
			ON a.id = b.id AND b.level = a.level + 1
			GROUP BY 1, 2 HAVING count(DISTINCT b.community) > 1) x)
	FROM wnc});
cmp_ok($levels, '>=', 2, "communities has several levels ($levels)");
is($nodes, $node->safe_psql('postgres', q{
	SELECT count(*) FROM (SELECT src FROM wn WHERE relation IN ('hypernym', 'instance_hypernym')
		UNION SELECT dst FROM wn WHERE relation IN ('hypernym', 'instance_hypernym')) x}),
	'every node of the filtered graph gets a community');
is($nested, '0', 'community levels are nested');

$node->stop;
done_testing();
