using Concierge.Guest.Native;
using Concierge.GuestLink.Protocol;
using Concierge.Guest.Supervision;
using Google.Protobuf;

namespace Concierge.Guest.Link;

/// <summary>
/// Carries out the host's commands in the guest: Exec through <see cref="ProcessSpawner"/>
/// (inside the container when <see cref="GuestAgentOptions.WrapExec"/> says how), SetTime
/// with clock_settime, Shutdown by handing over to the shutdown sequence.
/// </summary>
internal sealed class GuestAgent(ProcessSpawner spawner, GuestAgentOptions options, Action<Shutdown> shutdown) : IGuestAgent
{
    /// <summary>The most output bytes per stream an Exec may ask for, so a result always fits in one frame.</summary>
    public const int MaxOutputLimitBytes = 1 << 20;

    public Hello DescribeGuest() => GuestStats.DescribeGuest((uint)options.HeartbeatInterval.TotalMilliseconds);

    public Heartbeat SampleHeartbeat() => GuestStats.Sample();

    public async Task<ExecResult> ExecAsync(Exec request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = new ExecResult { RequestId = request.RequestId };
        if (request.Argv.Count == 0)
        {
            return Failed(result, "argv is empty");
        }
        var environment = request.Env.Select(pair => $"{pair.Key}={pair.Value}").ToList();
        IReadOnlyList<string> argv;
        try
        {
            argv = options.WrapExec(request.Argv, environment);
        }
        catch (InvalidOperationException e)
        {
            return Failed(result, e.Message);
        }
        var limit = request.OutputLimitBytes == 0 ? options.OutputLimitBytes : (int)Math.Min(request.OutputLimitBytes, MaxOutputLimitBytes);
        var timeout = request.TimeoutMs == 0 ? options.Timeout : TimeSpan.FromMilliseconds(request.TimeoutMs);
        ChildProcess child;
        try
        {
            child = spawner.Start(argv, [.. options.BaseEnvironment, .. environment], captureOutput: true);
        }
        catch (NativeCallException e)
        {
            return Failed(result, e.Message);
        }
        Log.Info($"exec {request.RequestId}: started {request.Argv[0]} as pid {child.Pid}");
        ExitStatus exit;
        var stdout = BoundedOutput.ReadAsync(child.StandardOutput!, limit, cancellationToken);
        var stderr = BoundedOutput.ReadAsync(child.StandardError!, limit, cancellationToken);
        using (child.StandardOutput)
        using (child.StandardError)
        {
            if (await Task.WhenAny(child.Exited, Task.Delay(timeout, cancellationToken)) != child.Exited)
            {
                result.TimedOut = true;
                Libc.Kill(child.Pid, Libc.SIGKILL);
            }
            exit = await child.Exited;
            result.Status = exit.Status;
            result.Code = exit.Code;
            (var outBytes, result.StdoutTruncated) = await stdout;
            (var errBytes, result.StderrTruncated) = await stderr;
            result.Stdout = ByteString.CopyFrom(outBytes);
            result.Stderr = ByteString.CopyFrom(errBytes);
        }
        Log.Info($"exec {request.RequestId}: {exit}{(result.TimedOut ? " (timed out)" : "")}");
        return result;
    }

    public SetTimeResult SetTime(SetTime request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var time = new Libc.Timespec
        {
            Seconds = Math.DivRem(request.UnixTimeNs, 1_000_000_000L, out var nanoseconds),
            Nanoseconds = nanoseconds,
        };
        if (time.Nanoseconds < 0)
        {
            time.Seconds -= 1;
            time.Nanoseconds += 1_000_000_000L;
        }
        var result = new SetTimeResult { RequestId = request.RequestId, Success = true };
        try
        {
            NativeCallException.ThrowIfFailed(Libc.ClockSettime(Libc.CLOCK_REALTIME, time), "set the realtime clock");
            Log.Info($"clock set to {request.UnixTimeNs} ns since the epoch");
        }
        catch (NativeCallException e)
        {
            result.Success = false;
            result.Error = e.Message;
        }
        return result;
    }

    public void Shutdown(Shutdown request) => shutdown(request);

    private static ExecResult Failed(ExecResult result, string error)
    {
        result.Status = ProcessStatus.Failed;
        result.Error = error;
        return result;
    }
}
