using Concierge.Tests.TestSupport;

namespace Concierge.Tests.DBus.TestObjects;

/// <summary>Real D-Bus peers (busctl, gdbus, dbus-send, ...) through <see cref="Command"/>, returning what they print.</summary>
public static class ToolRunner
{
    /// <summary>Runs <paramref name="program"/>; fails the test on a non-zero exit unless allowed (then stdout and stderr are returned).</summary>
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, bool allowFailure = false) => allowFailure
        ? (await Command.RunAsync(program, arguments)).Output
        : (await Command.RunCheckedAsync(program, [.. arguments])).StandardOutput;

    /// <summary>Runs a shell command line (for fd redirections like <c>3&lt;file</c>).</summary>
    public static Task<string> ShellAsync(string commandLine, bool allowFailure = false) =>
        RunAsync("/bin/sh", ["-c", commandLine], allowFailure);
}
