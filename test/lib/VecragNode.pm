# test/lib/VecragNode.pm: one `npm ci` of test/clients/node per test/run,
# shared by the Node.js client tests (062_types_npm_client.pl,
# 081_clients_node.pl).  The first test to ask installs the locked packages
# (package.json + package-lock.json) into $TESTDIR/node-clients (test/run's TAP
# directory, else this test run's tmp_check), under a lock;
# later ones reuse it.  The client scripts (*.mjs) are copied next to
# node_modules on every call, since ES modules resolve packages from the
# script's own directory (NODE_PATH does not apply to them).
package VecragNode;

use strict;
use warnings;
use Exporter 'import';
use Fcntl qw(:flock);
use File::Copy;
use IPC::Run;
use PostgreSQL::Test::Utils ();

our @EXPORT_OK = qw(node_clients_dir);

# Returns (directory, undef) once the packages are installed there, or
# (undef, error text) when npm failed.
sub node_clients_dir
{
	my $src = "$ENV{VECRAG_REPO}/test/clients/node";
	my $dir = ($ENV{TESTDIR} // $PostgreSQL::Test::Utils::tmp_check) . '/node-clients';
	mkdir $dir;
	open(my $lock, '>', "$dir.lock") or die "$dir.lock: $!";
	flock($lock, LOCK_EX) or die "flock $dir.lock: $!";
	opendir(my $dh, $src) or die "$src: $!";
	for my $f (grep { /\.(mjs|json)$/ } readdir($dh))
	{
		copy("$src/$f", "$dir/$f") or die "copy $f: $!";
	}
	closedir($dh);
	my $err;
	if (!-e "$dir/.installed")
	{
		my ($out, $stderr) = ('', '');
		local $ENV{npm_config_cache} = "$dir/.npm-cache";
		my $ok = IPC::Run::run(
			[ 'npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', $dir ],
			'>', \$out, '2>', \$stderr, IPC::Run::timeout(600));
		if ($ok)
		{
			open(my $fh, '>', "$dir/.installed") or die "$dir/.installed: $!";
			close($fh);
		}
		else
		{
			$err = "npm ci in $dir failed:\n$out$stderr";
		}
	}
	close($lock);
	return $err ? (undef, $err) : ($dir, undef);
}

1;
