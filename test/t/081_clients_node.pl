# test/t/081_clients_node.pl: real clients against vecrag.  Runs
# test/clients/node/clients.mjs from the shared install of test/clients/node
# (test/lib/VecragNode.pm: pg, pgvector, drizzle-orm as locked there); it
# prints one ok/not ok line per check.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecragNode qw(node_clients_dir);

plan skip_all => 'node and npm are needed for the client tests'
  unless system('command -v node >/dev/null && command -v npm >/dev/null') == 0;

my ($dir, $npm_error) = node_clients_dir();
ok(defined $dir, 'npm ci of test/clients/node (pg, pgvector, drizzle-orm)') or diag($npm_error);

my $node = PostgreSQL::Test::Cluster->new('clients');
$node->init;
$node->start;

local $ENV{PGHOST} = $node->host;
local $ENV{PGPORT} = $node->port;
local $ENV{PGUSER} = scalar getpwuid($<);
local $ENV{PGDATABASE} = 'postgres';
my ($out, $err) = ('', '');
IPC::Run::run([ 'node', "$dir/clients.mjs" ], '>', \$out, '2>', \$err, IPC::Run::timeout(300));
my $checks = 0;
for my $line (split /\n/, $out)
{
	if ($line =~ /^ok - (.*)$/) { pass($1); $checks++; }
	elsif ($line =~ /^not ok - (.*)$/) { fail($1); $checks++; }
}
ok($checks >= 8, "node script ran all its checks ($checks)") or diag("stdout:\n$out\nstderr:\n$err");

$node->stop;
done_testing();
