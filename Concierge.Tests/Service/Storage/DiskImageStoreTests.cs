using System.Diagnostics;
using Concierge.Service.Errors;
using Concierge.Service.Storage;
using Concierge.Tests.Service.Support;
using NUnit.Framework;

namespace Concierge.Tests.Service.Storage;

[TestFixture, Category("Unit")]
public sealed class DiskImageStoreTests
{
    private static readonly DiskImageLimits Limits = new(1UL << 20, 1UL << 40, 64UL << 20);
    private TempDirectory _root = null!;
    private StorageLayout _layout = null!;
    private DiskImageStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _root = new TempDirectory();
        _layout = new StorageLayout(_root.Path);
        _store = new DiskImageStore(_layout, Limits);
    }

    [TearDown]
    public void TearDown() => _root.Dispose();

    [Test]
    public void Creates_a_sparse_image_of_the_asked_size_under_the_encoded_name()
    {
        var result = _store.Create(1000, "dev", 1UL << 30);

        Assert.Multiple(() =>
        {
            Assert.That(result.Outcome, Is.EqualTo(DiskCreateOutcome.Created));
            Assert.That(result.Image.Path, Is.EqualTo(Path.Combine(_root.Path, "users", "1000", "disks", "ZGV2.img")));
            Assert.That(new FileInfo(result.Image.Path).Length, Is.EqualTo(1L << 30));
            Assert.That(result.Image.SizeBytes, Is.EqualTo(1UL << 30));
            Assert.That(AllocatedBytes(result.Image.Path), Is.LessThan(1L << 20), "a 1 GiB image allocates (almost) nothing");
            Assert.That(File.GetUnixFileMode(result.Image.Path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        });
    }

    [Test]
    public void Size_zero_means_the_default_size() =>
        Assert.That(_store.Create(1000, "dev", 0).Image.SizeBytes, Is.EqualTo(Limits.DefaultBytes));

    [Test]
    public void A_size_beyond_the_free_space_is_refused_and_leaves_no_file()
    {
        var store = new DiskImageStore(_layout, Limits with { MaxBytes = ulong.MaxValue });
        var free = (ulong)new DriveInfo(_root.Path).AvailableFreeSpace;
        var tooBig = ((free >> 20) + 1024) << 20;

        var error = Assert.Throws<DiskSpaceException>(() => store.Create(1000, "huge", tooBig))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain($"a disk of {ExactSize.Format(tooBig)} is larger than the ").And.Contain(" MiB left on the service's file system"));
            Assert.That(Directory.EnumerateFiles(_layout.DiskDirectory(1000)), Is.Empty);
        });
    }

    [Test]
    public async Task Concurrent_creates_and_destroys_of_the_same_names_each_get_one_true_outcome()
    {
        var names = new[] { "a", "b", "c", "d" };
        var outcomes = new System.Collections.Concurrent.ConcurrentBag<(string Name, string Outcome)>();
        var clients = Enumerable.Range(0, 8).Select(client => Task.Run(() =>
        {
            for (var i = 0; i < 150; i++)
            {
                var name = names[(client + i) % names.Length];
                var outcome = i % 3 == 2
                    ? (_store.Destroy(1000, name) ? "Destroyed" : "DoesNotExist")
                    : _store.Create(1000, name, 1UL << 20).Outcome.ToString();
                outcomes.Add((name, outcome));
            }
        }));

        // Any exception (a file error, a false "already exists") fails the test here.
        await Task.WhenAll(clients);

        Assert.Multiple(() =>
        {
            Assert.That(outcomes, Has.Count.EqualTo(8 * 150));
            Assert.That(outcomes.Select(o => o.Outcome).Distinct(), Is.EquivalentTo(new[] { "Created", "Exists", "Destroyed", "DoesNotExist" }));
            foreach (var name in names)
            {
                // Each image made was destroyed once, except the one still there: no outcome was claimed twice.
                var created = outcomes.Count(o => o.Name == name && o.Outcome == "Created");
                var destroyed = outcomes.Count(o => o.Name == name && o.Outcome == "Destroyed");
                Assert.That(created - destroyed, Is.EqualTo(_store.Find(1000, name) is null ? 0 : 1), name);
            }
            Assert.That(Directory.EnumerateFiles(_layout.DiskDirectory(1000), "*" + StorageLayout.PartialSuffix), Is.Empty);
            Assert.That(_store.List(1000).Select(i => i.SizeBytes), Is.All.EqualTo(1UL << 20));
        });
    }

    [Test]
    public void Creating_again_reports_the_existing_image_untouched()
    {
        _store.Create(1000, "dev", 2UL << 20);
        var again = _store.Create(1000, "dev", 8UL << 20);

        Assert.That(again.Outcome, Is.EqualTo(DiskCreateOutcome.Exists));
        Assert.That(again.Image.SizeBytes, Is.EqualTo(2UL << 20));
    }

    [TestCase(512UL, "disk size 512 bytes is outside 1 MiB to 1 TiB; ask for a size in that range")]
    [TestCase((1UL << 20) - 512, "disk size 1048064 bytes is outside")]
    [TestCase((1UL << 40) + 512, "disk size 1099511628288 bytes is outside")]
    [TestCase(3000UL << 30, "disk size 3000 GiB is outside")]
    [TestCase(ulong.MaxValue, "disk size 18446744073709551615 bytes is outside")]
    [TestCase((1UL << 20) + 1, "disk size 1048577 bytes is not a multiple of 512 bytes")]
    public void Refuses_sizes_out_of_bounds(ulong size, string reason)
    {
        var error = Assert.Throws<InvalidRequestException>(() => _store.Create(1000, "dev", size))!;
        Assert.That(error.Message, Does.Contain(reason));
        Assert.That(error.Field, Is.EqualTo("disk_size"));
        Assert.That(_store.List(1000), Is.Empty);
    }

    [TestCase("../x")]
    [TestCase("")]
    [TestCase("a/b")]
    [TestCase("..")]
    public void Refuses_hostile_names_before_touching_the_filesystem(string name)
    {
        Assert.Throws<InvalidRequestException>(() => _store.Create(1000, name, 0));
        Assert.That(Directory.EnumerateFileSystemEntries(_root.Path, "*", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public void Destroy_deletes_once_then_reports_absent()
    {
        _store.Create(1000, "dev", 0);

        Assert.That(_store.Destroy(1000, "dev"), Is.True);
        Assert.That(_store.Destroy(1000, "dev"), Is.False);
        Assert.That(_store.Find(1000, "dev"), Is.Null);
    }

    [Test]
    public void Lists_one_owners_images_by_name_and_skips_foreign_files()
    {
        _store.Create(1000, "zeta", 0);
        _store.Create(1000, "alpha", 2UL << 20);
        _store.Create(1001, "other", 0);
        var disks = _layout.DiskDirectory(1000);
        File.WriteAllText(Path.Combine(disks, "junk.img"), "");
        File.WriteAllText(Path.Combine(disks, "Li4v.img"), "");
        File.WriteAllText(Path.Combine(disks, "notes.txt"), "");

        var images = _store.List(1000);

        Assert.That(images.Select(i => i.VmName), Is.EqualTo(new[] { "alpha", "zeta" }));
        Assert.That(images[0].SizeBytes, Is.EqualTo(2UL << 20));
        Assert.That(_store.List(4242), Is.Empty);
    }

    [Test]
    public void The_same_name_of_two_owners_is_two_images()
    {
        _store.Create(1000, "dev", 0);
        _store.Create(1001, "dev", 0);
        _store.Destroy(1000, "dev");

        Assert.That(_store.Find(1001, "dev"), Is.Not.Null);
    }

    [Test]
    public void Removes_partial_images_left_by_a_crash_and_nothing_else()
    {
        _store.Create(1000, "dev", 0);
        var partial = _layout.DiskPath(1000, "half") + StorageLayout.PartialSuffix;
        File.WriteAllText(partial, "");

        var removed = _store.RemovePartialImages();

        Assert.That(removed, Is.EqualTo(new[] { partial }));
        Assert.That(File.Exists(partial), Is.False);
        Assert.That(_store.Find(1000, "dev"), Is.Not.Null);
    }

    private static long AllocatedBytes(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["--format=%b %B", path]) { RedirectStandardOutput = true })!;
        var fields = stat.StandardOutput.ReadToEnd().Split(' ');
        stat.WaitForExit();
        return long.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture)
            * long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
