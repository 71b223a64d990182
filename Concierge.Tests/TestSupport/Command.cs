using System.Diagnostics;

namespace Concierge.Tests.TestSupport;

/// <summary>What a finished external command left behind.</summary>
/// <param name="ExitCode">The process's exit status.</param>
/// <param name="StandardOutput">Everything it wrote to stdout.</param>
/// <param name="StandardError">Everything it wrote to stderr.</param>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>stdout and stderr together, for assertion messages.</summary>
    public string Output => StandardOutput + StandardError;
}

/// <summary>Runs real peer programs (busctl, systemd-analyze, gcc, ...) from tests, bounded in time.</summary>
public static class Command
{
    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/> and waits at most <paramref name="timeout"/> (default 2 minutes).</summary>
    public static async Task<CommandResult> RunAsync(string program, IEnumerable<string> arguments, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish in time");
        }
        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs a command and fails the test unless it exits 0.</summary>
    public static async Task<CommandResult> RunCheckedAsync(string program, params string[] arguments)
    {
        var result = await RunAsync(program, arguments);
        NUnit.Framework.Assert.That(result.ExitCode, NUnit.Framework.Is.Zero,
            $"{program} {string.Join(' ', arguments)} failed:\n{result.Output}");
        return result;
    }
}
