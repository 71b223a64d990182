using System.Text;
using Concierge.Service.Logging;
using Concierge.Tests.Service.Support;
using NUnit.Framework;

namespace Concierge.Tests.Service.Logging;

[TestFixture, Category("Unit")]
public sealed class ConsoleLogTests
{
    private TempDirectory _dir = null!;
    private string _path = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _path = Path.Combine(_dir.Path, "dev.log");
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public void Rotates_by_size_and_keeps_only_the_configured_files()
    {
        using (var log = new ConsoleLog(_path, maxBytes: 10, keepRotated: 2))
        {
            log.Write(Encoding.ASCII.GetBytes("0123456789abcdefghijABCDEFGHIJklmno"));
        }

        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText(_path), Is.EqualTo("klmno"));
            Assert.That(File.ReadAllText(_path + ".1"), Is.EqualTo("ABCDEFGHIJ"));
            Assert.That(File.ReadAllText(_path + ".2"), Is.EqualTo("abcdefghij"));
            Assert.That(File.Exists(_path + ".3"), Is.False, "the oldest part was dropped");
            Assert.That(ConsoleLog.ReadTail(_path, 1000, keepRotated: 2), Is.EqualTo("abcdefghijABCDEFGHIJklmno"));
        });
    }

    [Test]
    public void Reads_back_only_the_last_bytes_asked_for()
    {
        using (var log = new ConsoleLog(_path, maxBytes: 10, keepRotated: 2))
        {
            log.Write(Encoding.ASCII.GetBytes("0123456789abcdefghijABCDEFGHIJklmno"));
        }

        Assert.That(ConsoleLog.ReadTail(_path, 7, keepRotated: 2), Is.EqualTo("HIJklmno"[1..]));
        Assert.That(ConsoleLog.ReadTail(_path, 0, keepRotated: 2), Is.Empty);
    }

    [Test]
    public void Appends_across_reopen_and_many_small_writes()
    {
        using (var log = new ConsoleLog(_path, maxBytes: 8, keepRotated: 1))
        {
            foreach (var c in "abcdef")
            {
                log.Write([(byte)c]);
            }
        }
        using (var log = new ConsoleLog(_path, maxBytes: 8, keepRotated: 1))
        {
            log.Write("ghij"u8);
        }

        Assert.That(File.ReadAllText(_path + ".1"), Is.EqualTo("abcdefgh"));
        Assert.That(ConsoleLog.ReadTail(_path, 100, keepRotated: 1), Is.EqualTo("abcdefghij"));
    }

    [Test]
    public void Keep_zero_truncates_instead_of_rotating()
    {
        using (var log = new ConsoleLog(_path, maxBytes: 4, keepRotated: 0))
        {
            log.Write("abcdefg"u8);
        }

        Assert.That(File.ReadAllText(_path), Is.EqualTo("efg"));
        Assert.That(Directory.GetFiles(_dir.Path), Has.Length.EqualTo(1));
    }

    [Test]
    public void Missing_logs_read_as_empty_and_invalid_utf8_is_replaced()
    {
        Assert.That(ConsoleLog.ReadTail(_path, 100), Is.Empty);

        using (var log = new ConsoleLog(_path))
        {
            log.Write([0x6f, 0x6b, 0xff, 0x0a]);
        }
        Assert.That(ConsoleLog.ReadTail(_path, 100), Is.EqualTo("ok\uFFFD\n"));
    }
}
