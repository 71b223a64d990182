namespace Concierge.Tests.TestSupport;

/// <summary>
/// Where the repository and its built or fetched artifacts are, found from the test
/// assembly's location so the tests run the same on the host and inside the sandbox.
/// </summary>
public static class RepoPaths
{
    /// <summary>The checkout root (the folder holding Concierge.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The git-ignored cache the scripts fill (kernel, initramfs images, sandbox runs).</summary>
    public static string Cache =>
        Environment.GetEnvironmentVariable("CONCIERGE_CACHE") is { Length: > 0 } cache ? cache : Path.Combine(Root, ".cache");

    /// <summary>Debian's stock kernel, unpacked by guest/fetch-kernel.sh.</summary>
    public static string KernelDirectory => Path.Combine(Cache, "kernel", "current");

    /// <summary>The stock bzImage; fails the test with the command to run when it is missing.</summary>
    public static string Vmlinuz => RequireFile(Path.Combine(KernelDirectory, "vmlinuz"), "guest/fetch-kernel.sh");

    /// <summary>Returns <paramref name="path"/> if it exists, else fails with how to make it.</summary>
    public static string RequireFile(string path, string howToMakeIt)
    {
        if (!File.Exists(path))
        {
            NUnit.Framework.Assert.Fail($"{path} is missing; run {howToMakeIt} (./dev.sh test does this)");
        }
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Concierge.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no Concierge.sln above {AppContext.BaseDirectory}");
    }
}
