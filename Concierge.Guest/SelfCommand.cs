namespace Concierge.Guest;

/// <summary>
/// How to run this program again with other arguments (the container launcher's stages are
/// subcommands of the init binary, so the container code is the very code the init runs).
/// Published, the program is one native file; in a development build it may be
/// "dotnet concierge-init.dll".
/// </summary>
internal static class SelfCommand
{
    /// <summary>The full argv (program first) for running ourselves with <paramref name="arguments"/>.</summary>
    public static string[] Argv(IEnumerable<string> arguments)
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program this is");
        if (Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            return [process, Path.Combine(AppContext.BaseDirectory, "concierge-init.dll"), .. arguments];
        }
        return [process, .. arguments];
    }
}
