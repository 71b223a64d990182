using Concierge.Service.Storage;
using Concierge.Tests.Service.Support;
using NUnit.Framework;

namespace Concierge.Tests.Service.Storage;

[TestFixture, Category("Unit")]
public sealed class AtomicFileTests
{
    [Test]
    public void Replaces_the_content_and_leaves_no_temp_file()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "state.json");
        File.WriteAllText(path, "old");

        AtomicFile.Write(path, "new"u8);

        Assert.That(File.ReadAllText(path), Is.EqualTo("new"));
        Assert.That(Directory.GetFiles(dir.Path), Is.EqualTo(new[] { path }));
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void Fails_loudly_when_the_directory_is_missing()
    {
        using var dir = new TempDirectory();
        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.Write(Path.Combine(dir.Path, "gone", "f"), "x"u8));
    }
}
