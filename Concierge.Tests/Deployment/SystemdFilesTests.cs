using Concierge.Tests.TestSupport;
using NUnit.Framework;

namespace Concierge.Tests.Deployment;

/// <summary>The unit, sysusers and tmpfiles files, checked by systemd's own tools in a scratch root.</summary>
[TestFixture, Category("Unit")]
public sealed class SystemdFilesTests
{
    private string _root = "";

    private static string SystemdFile(string name) => Path.Combine(RepoPaths.Root, "systemd", name);

    [SetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("concierge-systemd-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task UnitPassesSystemdAnalyzeVerify()
    {
        // verify checks that ExecStart exists and is executable, so give it a binary at the unit's path
        // inside the scratch root and point the unit there.
        var binary = Path.Combine(_root, "usr/lib/concierge/concierge");
        Directory.CreateDirectory(Path.GetDirectoryName(binary)!);
        await File.WriteAllTextAsync(binary, "#!/bin/sh\n");
        File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var unit = Path.Combine(_root, "concierge.service");
        var text = await File.ReadAllTextAsync(SystemdFile("concierge.service"));
        Assert.That(text, Does.Contain("ExecStart=/usr/lib/concierge/concierge"));
        await File.WriteAllTextAsync(unit, text.Replace("ExecStart=/usr/lib/concierge/concierge", $"ExecStart={binary}", StringComparison.Ordinal));

        var result = await Command.RunAsync("systemd-analyze", ["verify", unit], workingDirectory: _root);

        Assert.That(result.ExitCode, Is.Zero, result.Output);
        Assert.That(result.Output, Is.Empty, "verify printed warnings");
    }

    [Test]
    public async Task UnitKeepsKvmReachable()
    {
        var text = await File.ReadAllTextAsync(SystemdFile("concierge.service"));
        Assert.That(text, Does.Contain("Type=notify"));
        Assert.That(text, Does.Contain("WatchdogSec="));
        Assert.That(text, Does.Contain("DeviceAllow=/dev/kvm rw"));
        Assert.That(text, Does.Not.Contain("PrivateDevices=yes"), "PrivateDevices hides /dev/kvm");
        Assert.That(text, Does.Not.Contain("MemoryDenyWriteExecute=yes"), "the .NET JIT needs W+X pages");
    }

    /// <summary>The exposure systemd reports for the unit (README says it): lower is better, 10 is none.</summary>
    private const double ReportedExposure = 1.2;

    [Test]
    public async Task SystemdAnalyzeSecurityRatesTheUnitAsReported()
    {
        var result = await Command.RunAsync("systemd-analyze", ["security", "--offline=yes", "--no-pager", SystemdFile("concierge.service")]);
        var exposure = System.Text.RegularExpressions.Regex.Match(result.Output, @"Overall exposure level for concierge\.service: (\d+\.\d)");

        Assert.That(exposure.Success, Is.True, result.Output);
        Assert.That(double.Parse(exposure.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(ReportedExposure), result.Output);
    }

    [Test]
    public async Task UnitDocumentationIsWhatTheInstallPutsThere()
    {
        var unit = await File.ReadAllTextAsync(SystemdFile("concierge.service"));
        var install = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "dev.sh"));
        var documentation = System.Text.RegularExpressions.Regex.Match(unit, @"(?m)^Documentation=file://(\S+)$");

        Assert.That(documentation.Success, Is.True, "the unit names its documentation as a file");
        Assert.That(install, Does.Contain($"  {documentation.Groups[1].Value}\n"), "dev.sh install lists that file among what it installs");
        Assert.That(install, Does.Contain("install -D -m 0644 README.md"), "and copies the README there");
    }

    [Test]
    public async Task SysusersAndTmpfilesCreateTheUserAndDirectories()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        await Command.RunCheckedAsync("systemd-sysusers", $"--root={_root}", SystemdFile("concierge.sysusers"));
        await Command.RunCheckedAsync("systemd-tmpfiles", $"--root={_root}", "--create", SystemdFile("concierge.tmpfiles"));

        var passwd = await File.ReadAllTextAsync(Path.Combine(_root, "etc/passwd"));
        var group = await File.ReadAllTextAsync(Path.Combine(_root, "etc/group"));
        Assert.That(passwd, Does.Contain("concierge:x:"));
        Assert.That(group, Does.Match(@"(?m)^kvm:x:\d+:.*concierge"), "the service user must be in group kvm");
        Assert.That(File.GetUnixFileMode(Path.Combine(_root, "var/lib/concierge")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute),
            "the state directory is the service's alone");
    }
}
