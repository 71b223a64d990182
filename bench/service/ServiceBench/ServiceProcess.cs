using System.Diagnostics;
using System.Text.RegularExpressions;
using Concierge.Client;

namespace Concierge.Bench.Service;

/// <summary>
/// The concierge executable on the bench's bus at debug level. Every output line is stamped with
/// the wall clock when the bench reads it from the pipe (the terminal log format has only whole
/// seconds), so log events serve as phase marks.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<(long AtUsec, string Line)> _lines = [];

    private ServiceProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Stamp(e.Data);
        process.ErrorDataReceived += (_, e) => Stamp(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int ProcessId => _process.Id;

    public static async Task<ServiceProcess> StartAsync(string executable, string address, string stateDirectory, string imageDirectory)
    {
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "--address", address, "--state-dir", stateDirectory, "--image-dir", imageDirectory, "--log-level", "debug" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var variable in new[] { "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM" })
        {
            start.Environment.Remove(variable);
        }
        var service = new ServiceProcess(Process.Start(start) ?? throw new InvalidOperationException("concierge did not start"));
        await service.WaitForNameAsync(address);
        return service;
    }

    /// <summary>When the first line matching <paramref name="pattern"/> was read, or null.</summary>
    public long? FirstLineAt(Regex pattern)
    {
        lock (_lines)
        {
            return _lines.FirstOrDefault(l => pattern.IsMatch(l.Line)) is { Line: not null } hit ? hit.AtUsec : null;
        }
    }

    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines.Select(l => l.Line));
            }
        }
    }

    /// <summary>SIGTERM, as systemd stops it; then waits for the exit.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Stamp(string? line)
    {
        if (line is null)
        {
            return;
        }
        var at = Clock.NowUsec();
        lock (_lines)
        {
            _lines.Add((at, line));
        }
    }

    private async Task WaitForNameAsync(string address)
    {
        await using var client = await ConciergeClient.ConnectAsync(address);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"concierge exited with {_process.ExitCode}:\n{Output}");
            }
            try
            {
                await client.EnsureServiceRunningAsync();
                return;
            }
            catch (ServiceUnavailableException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"concierge did not take its bus name:\n{Output}");
    }
}
