using Concierge.Vmm;

namespace Concierge.Service.Runtime;

/// <summary>
/// What is known of a guest that has not said hello: the last line its console showed (or that it
/// showed nothing at all, which points at the kernel or its command line rather than the init), and
/// where each vCPU last left the guest.
/// </summary>
internal static class StartupReport
{
    /// <summary>Longest console line quoted.</summary>
    private const int MaxLineLength = 200;

    public static string Describe(string recentConsole, IReadOnlyList<VcpuActivity> vcpus)
    {
        var lastLine = recentConsole.Split('\n').Select(line => line.TrimEnd('\r')).LastOrDefault(line => line.Trim().Length > 0);
        var console = lastLine is null
            ? "no output at all from the kernel on the serial console"
            : $"the console's last line: \"{(lastLine.Length > MaxLineLength ? lastLine[..MaxLineLength] + "…" : lastLine)}\"";
        return vcpus.Count == 0 ? console : $"{console}; {string.Join(", ", vcpus)}";
    }
}
