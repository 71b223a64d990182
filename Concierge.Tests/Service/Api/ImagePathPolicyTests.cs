using Concierge.Service.Api;
using Concierge.Service.Errors;
using Concierge.Service.Storage;
using NUnit.Framework;

namespace Concierge.Tests.Service.Api;

[TestFixture]
[Category("Unit")]
public sealed class ImagePathPolicyTests
{
    private string _root = "";
    private ImagePathPolicy _policy = null!;

    [SetUp]
    public void CreateDirectories()
    {
        _root = Directory.CreateTempSubdirectory("concierge-images-").FullName;
        Directory.CreateDirectory(Path.Combine(_root, "images"));
        File.WriteAllText(Path.Combine(_root, "images", "vmlinuz"), "k");
        File.WriteAllText(Path.Combine(_root, "secret"), "s");
        var layout = new StorageLayout(Path.Combine(_root, "state"));
        layout.DiskDirectory(1000, create: true);
        File.WriteAllText(Path.Combine(layout.UsersRoot, "1000", "own.img"), "o");
        File.WriteAllText(Path.Combine(layout.DiskDirectory(2000, create: true), "theirs.img"), "t");
        _policy = new ImagePathPolicy(layout, Path.Combine(_root, "images"));
    }

    [TearDown]
    public void RemoveDirectories() => Directory.Delete(_root, recursive: true);

    [Test]
    public void AUserMayNameSystemImagesAndItsOwnFiles()
    {
        var caller = new Caller(1000);

        Assert.Multiple(() =>
        {
            Assert.That(_policy.Authorize(caller, "kernel_path", Path.Combine(_root, "images", "vmlinuz")), Is.EqualTo(Path.Combine(_root, "images", "vmlinuz")));
            Assert.That(_policy.Authorize(caller, "rootfs_path", Path.Combine(_root, "state/users/1000/own.img")), Does.EndWith("own.img"));
        });
    }

    [Test]
    public void AUserMayNotNameOtherFilesEvenThroughDotDotOrSymlinks()
    {
        var caller = new Caller(1000);
        var link = Path.Combine(_root, "images-link");
        File.CreateSymbolicLink(link, Path.Combine(_root, "secret"));

        Assert.Multiple(() =>
        {
            Assert.That(() => _policy.Authorize(caller, "kernel_path", Path.Combine(_root, "secret")), Throws.InstanceOf<CallerAccessDeniedException>());
            Assert.That(() => _policy.Authorize(caller, "kernel_path", Path.Combine(_root, "images", "..", "secret")), Throws.InstanceOf<CallerAccessDeniedException>());
            Assert.That(() => _policy.Authorize(caller, "kernel_path", Path.Combine(_root, "state/users/2000/disks/theirs.img")), Throws.InstanceOf<CallerAccessDeniedException>());
            Assert.That(() => _policy.Authorize(caller, "kernel_path", link), Throws.InstanceOf<CallerAccessDeniedException>());
            Assert.That(() => _policy.Authorize(caller, "kernel_path", "relative"), Throws.InstanceOf<InvalidRequestException>());
            Assert.That(() => _policy.Authorize(caller, "kernel_path", Path.Combine(_root, "images", "missing")), Throws.InstanceOf<InvalidRequestException>());
        });
    }

    [Test]
    public void LinksInTheImageDirectoryAreFollowedAndALinkedImageDirectoryIsInside()
    {
        // As demo/run.sh lays it out: the image directory links the built guest from elsewhere.
        var built = Directory.CreateDirectory(Path.Combine(_root, "build")).FullName;
        File.WriteAllText(Path.Combine(built, "bzImage"), "k");
        File.CreateSymbolicLink(Path.Combine(_root, "images", "linked"), Path.Combine(built, "bzImage"));
        // And an image directory that is itself a link, named through it.
        var images = Path.Combine(_root, "images-alias");
        Directory.CreateSymbolicLink(images, Path.Combine(_root, "images"));
        var policy = new ImagePathPolicy(new StorageLayout(Path.Combine(_root, "state")), images);
        var caller = new Caller(1000);

        Assert.Multiple(() =>
        {
            Assert.That(policy.Authorize(caller, "kernel_path", Path.Combine(images, "linked")), Is.EqualTo(Path.Combine(built, "bzImage")));
            Assert.That(policy.Authorize(caller, "kernel_path", Path.Combine(images, "vmlinuz")), Is.EqualTo(Path.Combine(_root, "images", "vmlinuz")));
            Assert.That(_policy.Authorize(caller, "kernel_path", Path.Combine(images, "vmlinuz")), Is.EqualTo(Path.Combine(_root, "images", "vmlinuz")),
                "named through a link to the image directory");
            Assert.That(() => policy.Authorize(caller, "kernel_path", Path.Combine(built, "bzImage")), Throws.InstanceOf<CallerAccessDeniedException>(),
                "the link's target is reachable through the link only");
            Assert.That(() => policy.Authorize(caller, "kernel_path", Path.Combine(images, "..", "secret")), Throws.InstanceOf<CallerAccessDeniedException>());
        });
    }

    [Test]
    public void RootMayNameAnyExistingFile() =>
        Assert.That(_policy.Authorize(new Caller(0), "kernel_path", Path.Combine(_root, "secret")), Does.EndWith("secret"));

    [Test]
    public void SymlinkLoopsAreRefused()
    {
        var a = Path.Combine(_root, "a");
        var b = Path.Combine(_root, "b");
        File.CreateSymbolicLink(a, b);
        File.CreateSymbolicLink(b, a);

        Assert.That(() => _policy.Authorize(new Caller(0), "kernel_path", a), Throws.InstanceOf<InvalidRequestException>().With.Message.Contains("symbolic links"));
    }
}
