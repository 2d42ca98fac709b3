# test/t/062_types_npm_client.pl: the npm pgvector package's own usage
# patterns (node-postgres + pgvector/pg) against vecrag.  Runs
# test/clients/node/types.mjs from the shared install of test/clients/node
# (test/lib/VecragNode.pm: pg and pgvector as locked there), which writes and
# reads vector, halfvec, bit and sparsevec columns through text and binary
# parameters.  Skipped only when node or npm is missing.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecragNode qw(node_clients_dir);

for my $tool ('node', 'npm')
{
	plan skip_all => "$tool is not installed (the npm client test needs Node.js and npm)"
	  if system("command -v $tool >/dev/null 2>&1") != 0;
}

my ($dir, $npm_error) = node_clients_dir();
ok(defined $dir, 'npm ci of test/clients/node (pg, pgvector)') or diag($npm_error);

my $node = PostgreSQL::Test::Cluster->new('npm');
$node->init;
$node->start;

local $ENV{PGHOST} = $node->host;
local $ENV{PGPORT} = $node->port;
local $ENV{PGUSER} = scalar getpwuid($>);
local $ENV{PGDATABASE} = 'postgres';
my $out = `timeout 120 node '$dir/types.mjs' 2>&1`;
my $exit = $? >> 8;
my @checks = grep { /^ok - / } split /\n/, $out;
pass($_) for @checks;
is($exit, 0, 'node client script succeeds') or diag($out);
is(scalar(@checks), 11, 'every client check ran');

$node->stop;
done_testing();
