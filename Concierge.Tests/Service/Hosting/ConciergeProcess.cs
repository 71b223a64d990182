using System.Diagnostics;
using System.Text;
using Concierge.Tests.TestSupport;
using Tmds.DBus.Protocol;

namespace Concierge.Tests.Service.Hosting;

/// <summary>
/// The real <c>concierge</c> executable as a child process on a private bus, with its own state
/// and image directories. Output is kept for failure messages. Dispose kills it if still running.
/// </summary>
public sealed class ConciergeProcess : IAsyncDisposable
{
    public const string BusName = "org.chromium.VmConcierge";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ConciergeProcess(Process process, string stateDirectory)
    {
        _process = process;
        StateDirectory = stateDirectory;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string StateDirectory { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The built service: next to the tests (project reference) or in its own bin folder.</summary>
    public static string ExecutablePath
    {
        get
        {
            var beside = Path.Combine(AppContext.BaseDirectory, "concierge.dll");
            return File.Exists(beside) && File.Exists(Path.ChangeExtension(beside, ".runtimeconfig.json")) ? beside
                : RepoPaths.RequireFile(Path.Combine(RepoPaths.Root, "Concierge.Service/bin/Debug/net10.0/concierge.dll"), "dotnet build Concierge.Service");
        }
    }

    /// <summary>
    /// Starts the service, under <paramref name="wrapper"/> when given (a command that runs the rest:
    /// setpriv as the unit's user, the unit's system call filter); with <paramref name="waitForName"/>
    /// returns once it owns its bus name.
    /// </summary>
    public static async Task<ConciergeProcess> StartAsync(string busAddress, string stateDirectory, string imageDirectory,
        IReadOnlyDictionary<string, string>? environment = null, bool waitForName = true, IReadOnlyList<string>? wrapper = null)
    {
        string[] command = [.. wrapper ?? [], "dotnet", ExecutablePath, "--address", busAddress, "--state-dir", stateDirectory, "--image-dir", imageDirectory, "--log-level", "debug"];
        var start = new ProcessStartInfo(command[0], command[1..])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // A test run under systemd must not hand its own notify socket or watchdog on.
        foreach (var variable in new[] { "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "STATE_DIRECTORY" })
        {
            start.Environment.Remove(variable);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        var process = new ConciergeProcess(Process.Start(start) ?? throw new InvalidOperationException("concierge did not start"), stateDirectory);
        if (waitForName)
        {
            await process.WaitForNameAsync(busAddress);
        }
        return process;
    }

    /// <summary>Sends SIGTERM (what systemd sends on stop).</summary>
    public Task TerminateAsync() => Command.RunCheckedAsync("kill", "-TERM", ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>SIGKILL, as a crash would end it.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>Waits for the process to exit; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
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

    private async Task WaitForNameAsync(string busAddress)
    {
        using var bus = await TestBus.ConnectAsync(busAddress);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"concierge exited with {_process.ExitCode}:\n{Output}");
            }
            try
            {
                await bus.CallAsync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetNameOwner", "s",
                    (ref MessageWriter w) => w.WriteString(BusName));
                return;
            }
            catch (DBusErrorReplyException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"concierge did not take {BusName} in time:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
