using System.Diagnostics;
using System.Text;
using NUnit.Framework;

namespace Concierge.Tests.Guest;

/// <summary>
/// Runs the built concierge-init (the apphost next to the test assembly) as a child
/// process: the tests never change their own namespaces, they start the same launcher
/// stages the init uses.
/// </summary>
public static class GuestBinary
{
    public static string Path { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "concierge-init");

    /// <summary>Starts it with redirected output; the caller reads and disposes.</summary>
    public static Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return Process.Start(start) ?? throw new InvalidOperationException("concierge-init did not start");
    }

    /// <summary>Runs it to the end (killing it after <paramref name="timeout"/>) and returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        using var process = Start(arguments);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"concierge-init {string.Join(' ', arguments)} did not end within {timeout}; stderr: {await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Fails (never skips) when the tests do not run as root: namespaces need it.</summary>
    public static void RequireRoot() =>
        Assert.That(Environment.UserName, Is.EqualTo("root"), "Guest tests create namespaces and mounts: run them as root");

    /// <summary>Reads lines from <paramref name="reader"/> until one contains <paramref name="text"/>; returns everything read.</summary>
    public static async Task<string> ReadUntilAsync(StreamReader reader, string text, TimeSpan timeout)
    {
        var seen = new StringBuilder();
        using var cancellation = new CancellationTokenSource(timeout);
        while (await reader.ReadLineAsync(cancellation.Token) is { } line)
        {
            seen.AppendLine(line);
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return seen.ToString();
            }
        }
        Assert.Fail($"output ended without '{text}':\n{seen}");
        return seen.ToString();
    }
}
