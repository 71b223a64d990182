using Concierge.Guest.Native;

namespace Concierge.Guest.Supervision;

/// <summary>
/// Starts supervised children with <see cref="PosixSpawn"/> (never fork: a .NET process
/// must not run managed code in a forked copy of itself), optionally with their output
/// piped back, and hands their pids to the <see cref="ChildReaper"/>.
/// </summary>
internal sealed class ProcessSpawner(ChildReaper reaper)
{
    /// <summary>
    /// Starts <paramref name="argv"/> (argv[0] is looked up in PATH when it has no slash)
    /// with exactly <paramref name="environment"/> ("NAME=value" strings), in a new session.
    /// Standard input is /dev/null when output is captured; otherwise all three are
    /// inherited (the console).
    /// </summary>
    /// <exception cref="NativeCallException">The program could not be started.</exception>
    public ChildProcess Start(IReadOnlyList<string> argv, IReadOnlyList<string> environment, bool captureOutput)
    {
        var stdout = captureOutput ? Pipe.Create("create the stdout pipe") : null;
        var stderr = captureOutput ? Pipe.Create("create the stderr pipe") : null;
        try
        {
            using var devNull = captureOutput ? NativeFile.Open("/dev/null", 0) : null;
            (int, int, int)? redirect = captureOutput ? ((int)devNull!.DangerousGetHandle(), stdout!.WriteFd, stderr!.WriteFd) : null;
            var (pid, exited) = reaper.SpawnTracked(() => PosixSpawn.Start(argv, environment, newSession: true, redirect));
            return new ChildProcess(pid, exited, stdout?.OpenReadStream(), stderr?.OpenReadStream());
        }
        catch
        {
            stdout?.CloseReadEnd();
            stderr?.CloseReadEnd();
            throw;
        }
        finally
        {
            stdout?.CloseWriteEnd();
            stderr?.CloseWriteEnd();
        }
    }
}
