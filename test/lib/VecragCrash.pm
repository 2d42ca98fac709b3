# test/lib/VecragCrash.pm: kill -9 a test server and start it again, for the
# crash-recovery TAP tests (020_hnsw_crash.pl, 024_hnsw_parallel.pl).
#
# Where nothing reaps orphans (a container without an init), the killed
# postmaster stays a zombie, which PostgreSQL's lock file check takes for a
# live postmaster: then the stale postmaster.pid is removed before starting.
package VecragCrash;

use strict;
use warnings;
use Exporter 'import';

our @EXPORT_OK = qw(kill9_and_restart);

# kill -9 the node's postmaster, wait for it to go, start the node again;
# returns whether it started (within about 30 tries).
sub kill9_and_restart
{
	my ($node) = @_;

	open(my $pf, '<', $node->data_dir . '/postmaster.pid') or die $!;
	my $postmaster = <$pf>;
	close($pf);
	chomp($postmaster);
	$node->kill9;
	for (my $i = 0; $i < 60; $i++)
	{
		my $state = '';
		if (open(my $st, '<', "/proc/$postmaster/stat"))
		{
			$state = (split(/ /, <$st>))[2] // '';
			close($st);
		}
		last if !kill(0, $postmaster);
		if ($state eq 'Z')
		{
			unlink($node->data_dir . '/postmaster.pid');
			last;
		}
		sleep(1);
	}
	my $started = 0;
	for (my $i = 0; $i < 30 && !$started; $i++)
	{
		$node->{_pid} = undef;    # a failed start may have read the stale pid
		$started = $node->start(fail_ok => 1);
		sleep(1) unless $started;
	}
	return $started;
}

1;
