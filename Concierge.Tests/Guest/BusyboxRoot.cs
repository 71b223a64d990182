namespace Concierge.Tests.Guest;

/// <summary>
/// A throw-away container root: a temp directory holding Debian's busybox-static and links
/// for the applets the tests use. Nothing is downloaded.
/// </summary>
public sealed class BusyboxRoot : IDisposable
{
    private static readonly string[] Applets =
    [
        "sh", "cat", "echo", "hostname", "id", "ls", "mount", "sleep", "grep", "ip", "touch",
    ];

    public BusyboxRoot()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("concierge-root-").FullName;
        // Temp directories are 0700; the tests' unprivileged container users must enter "/".
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Directory, (UnixFileMode)0b111_101_101);
        }
        var bin = System.IO.Path.Combine(Directory, "bin");
        System.IO.Directory.CreateDirectory(bin);
        System.IO.Directory.CreateDirectory(System.IO.Path.Combine(Directory, "mnt"));
        File.Copy(Busybox, System.IO.Path.Combine(bin, "busybox"));
        foreach (var applet in Applets)
        {
            File.CreateSymbolicLink(System.IO.Path.Combine(bin, applet), "busybox");
        }
    }

    /// <summary>The root directory.</summary>
    public string Directory { get; }

    private static string Busybox =>
        TestSupport.RepoPaths.RequireFile("/bin/busybox", "apt-get install busybox-static");

    /// <summary>Writes a container spec (JSON) with the given extra members and returns its path.</summary>
    public string WriteSpec(string extraJson = "")
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Directory)!, System.IO.Path.GetFileName(Directory) + ".json");
        var separator = extraJson.Length > 0 ? ", " : "";
        File.WriteAllText(path, $$"""{ "rootFs": "{{Directory}}", "hostname": "testbox"{{separator}}{{extraJson}} }""");
        return path;
    }

    public void Dispose()
    {
        // The container's mounts lived in its own namespace and died with it: plain delete.
        System.IO.Directory.Delete(Directory, recursive: true);
        File.Delete(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Directory)!, System.IO.Path.GetFileName(Directory) + ".json"));
    }
}
